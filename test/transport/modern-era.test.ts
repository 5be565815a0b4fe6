/**
 * MCP 2026-07-28 beside 2025-11-25 on the node:http transport (Basic / Versioning, Streamable HTTP "Request
 * Metadata" and "Server Validation"): the SDK 2.x client pinned to 2026-07-28 and in `auto` mode, per-caller
 * state without sessions, and raw requests for every refusal the revision defines (each naming what is wrong).
 */
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createHttpServer, type HttpServerHandle } from '../../src/transport/http.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { MCP_HEADERS, rawRequest, type RawResponse } from './fixtures/raw-http.js';
import { createTestAuth } from './fixtures/test-auth.js';
import { createTestService, type TestService } from './fixtures/test-service.js';

const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
};

let url: string;
let handle: HttpServerHandle;
let stateful: TestService;
let store: MemorySessionStore;

beforeAll(async () => {
  stateful = createTestService('stateful', true);
  store = new MemorySessionStore();
  handle = createHttpServer({
    port: 0,
    backends: [
      {
        service: createTestService('plain', false),
        info: { name: 'plain', version: '1.0.0', instructions: 'Use echo.' },
      },
      { service: stateful, inboundAuth: createTestAuth('stateful'), info: { name: 'stateful', version: '1.0.0' } },
    ],
    allowedOrigins: [],
    rateLimit: false,
    sessionStore: store,
    logger,
  });
  ({ url } = await handle.listen());
});
afterAll(async () => {
  await handle.close();
  await store.close();
});

/** A 2.x SDK client; `pin` speaks only 2026-07-28, `auto` probes and falls back. */
async function connect(
  backend: string,
  mode: 'pin' | 'auto',
  token?: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/${backend}/mcp`), {
    ...(token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  });
  const client = new Client(
    { name: 'modern-test', version: '0' },
    { versionNegotiation: { mode: mode === 'pin' ? { pin: MODERN } : 'auto' } },
  );
  await client.connect(transport);
  return { client, transport };
}

/** POSTs a modern request with the metadata headers (overridable; `undefined` leaves one out). */
function post(
  backend: string,
  body: Record<string, unknown>,
  headers: Record<string, string | undefined> = {},
): Promise<RawResponse> {
  const params = body['params'] as Record<string, unknown> | undefined;
  return rawRequest(url, {
    path: `/${backend}/mcp`,
    headers: {
      ...MCP_HEADERS,
      'mcp-protocol-version': MODERN,
      'mcp-method': body['method'] as string,
      ...(typeof params?.['name'] === 'string' ? { 'mcp-name': params['name'] } : {}),
      ...headers,
    },
    body: { jsonrpc: '2.0', ...body },
  });
}

describe('the SDK 2.x client pinned to 2026-07-28', () => {
  it('discovers, lists and calls without initialize or a session', async () => {
    const { client, transport } = await connect('plain', 'pin');
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(transport.sessionId).toBeUndefined();
      expect(client.getInstructions()).toBe('Use echo.');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([
        'echo',
        'whoami',
        'count',
        'slow',
        'admin_only',
        'unserializable',
        'fail',
      ]);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
      expect(result.structuredContent).toEqual({ text: 'modern' });
      const failed = await client.callTool({ name: 'missing', arguments: {} }).catch((e: unknown) => e);
      expect((failed as { code?: number }).code).toBe(-32602);
    } finally {
      await client.close();
    }
  });

  it('keeps state per authenticated caller: every connection of alice shares it, bob never sees it', async () => {
    const first = await connect('stateful', 'pin', 'alice-token');
    const second = await connect('stateful', 'pin', 'alice-token');
    const bob = await connect('stateful', 'pin', 'bob-token');
    try {
      const count = async (c: Client): Promise<unknown> =>
        (await c.callTool({ name: 'count', arguments: {} })).structuredContent;
      expect(await count(first.client)).toEqual({ n: 1 });
      expect(await count(second.client)).toEqual({ n: 2 });
      expect(await count(bob.client)).toEqual({ n: 1 });
      expect(await count(first.client)).toEqual({ n: 3 });
      const who = await bob.client.callTool({ name: 'whoami', arguments: {} });
      expect(who.structuredContent).toMatchObject({ principal: 'bob', session: true });
      // No session id reaches the tool: the state is the caller's, not a connection's.
      expect(stateful.contexts.at(-1)?.sessionId).toBeUndefined();
    } finally {
      await Promise.all([first.client.close(), second.client.close(), bob.client.close()]);
    }
  });

  it('auto mode settles on 2026-07-28 too, and a 2025-11-25 client still gets its session', async () => {
    const modern = await connect('stateful', 'auto', 'alice-token');
    expect(modern.client.getProtocolEra()).toBe('modern');
    await modern.client.close();
    const legacy = new Client({ name: 'legacy-test', version: '0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/stateful/mcp`), {
      requestInit: { headers: { authorization: 'Bearer carol-token' } },
    });
    // carol is unknown to the test auth: 401 before any era is chosen.
    await expect(legacy.connect(transport)).rejects.toThrow();
    const old = new Client({ name: 'legacy-test', version: '0' });
    const oldTransport = new StreamableHTTPClientTransport(new URL(`${url}/stateful/mcp`), {
      requestInit: { headers: { authorization: 'Bearer admin-token' } },
    });
    await old.connect(oldTransport);
    try {
      expect(old.getProtocolEra()).toBe('legacy');
      expect(oldTransport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await old.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 1 });
    } finally {
      await old.close();
    }
  });
});

describe('2026-07-28 over raw HTTP', () => {
  it('tools/list carries resultType, ttlMs, cacheScope and the server identity', async () => {
    const res = await post('plain', { id: 1, method: 'tools/list', params: { _meta: META } });
    expect(res.status).toBe(200);
    const result = (res.json as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({
      resultType: 'complete',
      ttlMs: expect.any(Number),
      cacheScope: 'public',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'plain', version: '1.0.0' } },
    });
    expect((result['tools'] as unknown[]).length).toBe(7);
  });

  it('server/discover lists the modern versions, the tools capability and the instructions', async () => {
    const res = await post('plain', { id: 'd', method: 'server/discover', params: { _meta: META } });
    expect((res.json as { result: unknown }).result).toMatchObject({
      supportedVersions: [MODERN],
      capabilities: { tools: {} },
      instructions: 'Use echo.',
      resultType: 'complete',
    });
  });

  it('a tools/call result is stamped, and an Mcp-Session-Id header is ignored', async () => {
    const res = await post(
      'plain',
      { id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: META } },
      { 'mcp-session-id': 'whatever' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['mcp-session-id']).toBeUndefined();
    expect((res.json as { result: unknown }).result).toMatchObject({
      resultType: 'complete',
      structuredContent: { text: 'x' },
    });
  });

  const refusals: Array<{
    name: string;
    body: Record<string, unknown>;
    headers?: Record<string, string | undefined>;
    status: number;
    code: number;
    message: RegExp;
    data?: unknown;
  }> = [
    {
      name: 'Mcp-Name disagreeing with params.name',
      body: { id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: META } },
      headers: { 'mcp-name': 'whoami' },
      status: 400,
      code: -32020,
      message: /Mcp-Name header/,
    },
    {
      name: 'Mcp-Name missing on tools/call',
      body: { id: 4, method: 'tools/call', params: { name: 'echo', arguments: {}, _meta: META } },
      headers: { 'mcp-name': undefined },
      status: 400,
      code: -32020,
      message: /Mcp-Name header/,
    },
    {
      name: 'Mcp-Method disagreeing with the method',
      body: { id: 5, method: 'tools/list', params: { _meta: META } },
      headers: { 'mcp-method': 'tools/call' },
      status: 400,
      code: -32020,
      message: /Mcp-Method header/,
    },
    {
      name: 'MCP-Protocol-Version missing',
      body: { id: 6, method: 'tools/list', params: { _meta: META } },
      headers: { 'mcp-protocol-version': undefined },
      status: 400,
      code: -32020,
      message: /MCP-Protocol-Version header/,
    },
    {
      name: 'an unknown version in the envelope and the header',
      body: {
        id: 7,
        method: 'tools/list',
        params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      },
      headers: { 'mcp-protocol-version': '2099-01-01' },
      status: 400,
      code: -32022,
      message: /Unsupported protocol version: 2099-01-01/,
      // What a client of the envelope can use instead: the versions server/discover lists, and its own echoed.
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    },
    {
      name: 'an unknown version in the envelope that the header does not name (the mismatch comes first)',
      body: {
        id: 71,
        method: 'server/discover',
        params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' } },
      },
      status: 400,
      code: -32020,
      message:
        /MCP-Protocol-Version header does not match the body: the body envelope names protocol version v999\.0\.0/,
    },
    {
      name: 'an unknown version only in the header (no envelope)',
      body: { id: 72, method: 'tools/list' },
      headers: { 'mcp-protocol-version': 'v999.0.0' },
      status: 400,
      code: -32022,
      message: /unsupported MCP-Protocol-Version v999\.0\.0/,
    },
    {
      name: 'an envelope without client capabilities',
      body: { id: 8, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } } },
      status: 400,
      code: -32602,
      message: /clientCapabilities: missing/,
    },
    {
      name: 'a 2026-07-28 header on a request without envelope',
      body: { id: 9, method: 'tools/list' },
      status: 400,
      code: -32602,
      message: /no _meta envelope/,
    },
    {
      name: 'initialize (gone in 2026-07-28)',
      body: { id: 10, method: 'initialize', params: { _meta: META } },
      status: 404,
      code: -32601,
      message: /Method not found/,
    },
    {
      name: 'ping (gone in 2026-07-28)',
      body: { id: 11, method: 'ping', params: { _meta: META } },
      status: 404,
      code: -32601,
      message: /Method not found/,
    },
    {
      name: 'invalid tools/call params',
      body: { id: 12, method: 'tools/call', params: { name: 'echo', arguments: 5, _meta: META } },
      status: 400,
      code: -32602,
      message: /params\.arguments/,
    },
  ];
  it.each(refusals)('$name → $status $code', async ({ body, headers, status, code, message, data }) => {
    const res = await post('plain', body, headers);
    expect(res.status).toBe(status);
    const error = (res.json as { id: unknown; error: { code: number; message: string; data?: unknown } }).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    if (data !== undefined) expect(error.data).toEqual(data);
    expect((res.json as { id: unknown }).id).toBe(body['id']);
  });

  it('a Base64-encoded Mcp-Name is decoded before comparing', async () => {
    const res = await post(
      'plain',
      { id: 13, method: 'tools/call', params: { name: 'echo', arguments: { text: 'b' }, _meta: META } },
      {
        'mcp-name': `=?base64?${Buffer.from('echo').toString('base64')}?=`,
      },
    );
    expect(res.status).toBe(200);
  });

  it('a 2026-07-28 call to a stateful backend needs no session but still needs the credential', async () => {
    const anonymous = await post('stateful', { id: 14, method: 'tools/list', params: { _meta: META } });
    expect(anonymous.status).toBe(401);
    const alice = await post(
      'stateful',
      { id: 15, method: 'tools/call', params: { name: 'whoami', arguments: {}, _meta: META } },
      { authorization: 'Bearer alice-token' },
    );
    expect((alice.json as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({
      principal: 'alice',
      session: true,
    });
  });
});
