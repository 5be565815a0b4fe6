/**
 * Issue 14 item 4: a backend that echoes the credentials it was sent (the `Authorization` header, or the token alone)
 * in its error body must not hand them to the model. Both backends through the real ToolService and overrides: B4B's
 * per-session JWT (generated and hand-written tools) and FinOpps' service token (which reads every organisation).
 * The backend is the fault backend, since Prism never echoes headers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/core/call-context.js';
import type { SessionRecord } from '../../src/state/session.js';
import type { ToolResult, ToolService } from '../../src/core/tool-service-api.js';
import { backend as b4b } from '../../generated/b4b/index.gen.js';
import { backend as finopps } from '../../generated/finopps/index.gen.js';
import { createToolService } from '../../src/core/tool-service.js';
import { createBackendHttp, type BackendHttp } from '../../src/backend/backend-http.js';
import { createLogger } from '../../src/log.js';
import { createB4bOverrides } from '../../src/overrides/b4b/overrides.js';
import { createFinoppsOverrides } from '../../src/overrides/finopps/overrides.js';
import { MemorySessionStore, createSessionHandle } from '../../src/state/session-store.js';
import { reply, startFaultBackend, type FaultBackend, type RecordedRequest } from '../../testkit/fault-backend.js';

const logLines: string[] = [];
const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });

/** A JWT-shaped backend token (header.payload.signature, base64url). */
const B4B_JWT =
  `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.` +
  `${Buffer.from('{"sub":"u-echo","exp":4102444800}').toString('base64url')}.c2lnbmF0dXJlLW9mLWVjaG8`;
/** An opaque service token: not JWT-shaped, so only its exact value can find it. */
const SERVICE_TOKEN = 'svc_Opaque0123456789abcdefXYZ';
const ENTITY = '550e8400-e29b-41d4-a716-446655440000';
const ORG = '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f';

/** Error bodies of careless backends, each quoting the credential a different way. */
const echoes: Array<{ given: string; render: (r: RecordedRequest) => unknown }> = [
  {
    given: 'the Authorization header in an RFC 9457 detail',
    render: (r) => ({
      title: 'Bad Request',
      detail: `rejected header Authorization: ${String(r.headers['authorization'])}`,
    }),
  },
  {
    given: 'the bare token in `message`',
    render: (r) => ({ message: `token ${String(r.headers['authorization']).slice(7)} is not allowed here` }),
  },
  {
    given: 'the header in an `errors[]` entry',
    render: (r) => ({
      title: 'Validation failed',
      errors: [{ field: 'authorization', message: String(r.headers['authorization']) }],
    }),
  },
  { given: 'the header in a text/plain body', render: (r) => `debug: headers=${JSON.stringify(r.headers)}` },
];

function text(result: ToolResult): string {
  return result.content.map((c) => c.text).join('\n');
}

function expectScrubbed(result: ToolResult, secret: string): void {
  expect(result.isError).toBe(true);
  const all = JSON.stringify(result);
  expect(all).not.toContain(secret);
  expect(text(result)).toContain('[redacted]');
  expect(text(result)).toMatch(/^HTTP 4\d\d /); // the rest of the error is still there
}

let backend: FaultBackend;
let http: BackendHttp;
beforeAll(async () => {
  backend = await startFaultBackend();
  http = createBackendHttp({ baseUrl: backend.url, maxAttempts: 1, logger });
});
afterAll(async () => {
  await http?.close();
  await backend?.close();
});

describe('B4B: the session JWT echoed by the backend', () => {
  let service: ToolService;
  let store: MemorySessionStore;
  let ctx: (tool: string) => CallContext;
  beforeAll(async () => {
    service = createToolService({ generated: b4b, overrides: createB4bOverrides() }, { http, logger });
    store = new MemorySessionStore();
    const record: SessionRecord = { principalId: 'anonymous', backend: 'b4b', createdAt: Date.now(), state: {} };
    await store.set('echo-session-0000', record);
    const session = createSessionHandle(store, 'echo-session-0000', record);
    ctx = (tool) => ({
      backend: 'b4b',
      tool,
      requestId: randomUUID(),
      principal: { id: 'anonymous', scopes: [], claims: {} },
      sessionId: 'echo-session-0000',
      session,
    });
    backend.script(
      '/api/v1/auth/login',
      reply.json(200, {
        access_token: B4B_JWT,
        token_type: 'bearer',
        expires_in: 3600,
        user: { id: 'u', email: 'e@b4b.example' },
      }),
    );
    const login = await service.callTool(
      'login',
      { phone: '+84909495665', password: 'SecurePassword123@' },
      ctx('login'),
    );
    expect(login.isError, text(login)).not.toBe(true);
  });
  afterAll(async () => store?.close());

  it.each(echoes)('a generated tool: $given', async ({ render }) => {
    backend.script('/api/v1/entities', reply.reflect(400, render));
    const result = await service.callTool('list_entities', {}, ctx('list_entities'));
    expect(backend.requestsTo('/api/v1/entities').at(-1)?.headers['authorization']).toBe(`Bearer ${B4B_JWT}`);
    expectScrubbed(result, B4B_JWT);
  });

  it.each(echoes)('the hand-written whoami: $given', async ({ render }) => {
    backend.script('/api/v1/auth/me', reply.reflect(403, render));
    expectScrubbed(await service.callTool('whoami', {}, ctx('whoami')), B4B_JWT);
  });

  it('the same body on another entity path is scrubbed too (any tool, any status)', async () => {
    backend.script(`/api/v1/entities/${ENTITY}`, reply.reflect(404, echoes[0]!.render));
    expectScrubbed(await service.callTool('get_entity', { entity_id: ENTITY }, ctx('get_entity')), B4B_JWT);
  });
});

describe('FinOpps: the service token echoed by the backend', () => {
  let service: ToolService;
  beforeAll(() => {
    service = createToolService(
      {
        generated: finopps,
        overrides: createFinoppsOverrides({
          serviceToken: async () => SERVICE_TOKEN,
          invalidateServiceToken: () => undefined,
        }),
      },
      { http, logger },
    );
  });

  it.each(echoes)('$given', async ({ render }) => {
    backend.script(`/organizations/${ORG}/business`, reply.reflect(400, render));
    const ctx: CallContext = {
      backend: 'finopps',
      tool: 'get_business',
      requestId: randomUUID(),
      principal: { id: 'user-1', scopes: ['finopps:read'], claims: { sub: 'user-1', 'cognito:groups': [ORG] } },
    };
    const result = await service.callTool('get_business', {}, ctx);
    expect(backend.requestsTo(`/organizations/${ORG}/business`).at(-1)?.headers['authorization']).toBe(
      `Bearer ${SERVICE_TOKEN}`,
    );
    expectScrubbed(result, SERVICE_TOKEN);
  });
});

describe('logs', () => {
  it('no log line of this file holds either credential', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const all = logLines.join('');
    expect(all).not.toContain(B4B_JWT);
    expect(all).not.toContain(SERVICE_TOKEN);
  });
});
