/**
 * What the HTTP transport records in the audit trail (issue 21 part 4), besides the tool calls the tool service
 * records: a rejected credential, a tool call refused for a missing scope (403 insufficient_scope, with the tool and
 * the principal), and a 429 — each refusal before a call at most once per caller and minute, the next one counting
 * the ones left out. The trail is an in-memory AuditLog here; the file and its chain are tested in test/audit/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../src/audit/audit-record.js';
import { createHttpServer, type HttpServerHandle } from '../../src/transport/http.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { MCP_HEADERS, rawRequest } from './fixtures/raw-http.js';
import { createTestAuth } from './fixtures/test-auth.js';
import { createTestService } from './fixtures/test-service.js';
import { captureLog } from '../helpers/log-capture.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};
const records: AuditEntry[] = [];
const audit: AuditLog = {
  append: (entry) => {
    const built = typeof entry === 'function' ? entry() : entry;
    if (built !== undefined) records.push(built);
  },
};
let handle: HttpServerHandle;
let url: string;

beforeAll(async () => {
  handle = createHttpServer({
    port: 0,
    backends: [
      {
        service: createTestService('stateful', true),
        inboundAuth: createTestAuth('stateful'),
        info: { name: 'stateful', version: '1.0.0' },
      },
    ],
    allowedOrigins: [],
    rateLimit: { perMinute: 1, burst: 4 },
    sessionStore: new MemorySessionStore(),
    logger: captureLog('warn').logger,
    audit,
  });
  ({ url } = await handle.listen());
});

afterAll(async () => handle?.close());

const post = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(url, {
    path: '/stateful/mcp',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
    body,
  });

describe('audit records of the HTTP transport', () => {
  it('records a rejected credential, a missing scope and a 429, never the credential', async () => {
    expect((await post('forged-token-1234567890', INIT)).status).toBe(401);
    expect((await post('forged-token-1234567890', INIT)).status).toBe(401);
    const init = await post('alice-token', INIT);
    const session = init.headers['mcp-session-id'] as string;
    const forbidden = await post(
      'alice-token',
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'admin_only', arguments: {} } },
      { 'mcp-session-id': session, 'x-request-id': 'req-scope-1' },
    );
    expect(forbidden.status).toBe(403);
    // Alice's burst (4) is spent after two more calls: the two after those are 429s, one recorded.
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await post('alice-token', { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': session }))
          .status,
      );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);

    const rejected = records.filter((r) => r.event === 'auth_rejected');
    // The second rejection from the same address within the minute is left out (the security log's throttle).
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      backend: 'stateful',
      tool: null,
      caller: { principal: null, address: '127.0.0.1' },
      outcome: 'invalid_token',
      status: 401,
    });
    const scope = records.filter((r) => r.outcome === 'insufficient_scope');
    expect(scope).toEqual([
      {
        event: 'tool_call',
        requestId: 'req-scope-1',
        backend: 'stateful',
        tool: 'admin_only',
        caller: { principal: 'alice', tenant: null },
        args: null,
        outcome: 'insufficient_scope',
        confirmation: null,
        nonce: null,
        status: 403,
        durationMs: null,
      },
    ]);
    const limited = records.filter((r) => r.event === 'rate_limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ backend: 'stateful', caller: { principal: 'alice' }, status: 429 });
    expect(JSON.stringify(records)).not.toMatch(/forged-token|alice-token/);
  });
});
