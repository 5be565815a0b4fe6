/**
 * Streamable HTTP transport (MCP 2025-11-25, Basic / Transports): the official SDK client end to end (stateless
 * and stateful), and raw HTTP for the guards (Host, Origin, Accept, protocol version, body size, rate limit,
 * auth, sessions), multiplexing of reused JSON-RPC ids across concurrent clients, cancellation and graceful
 * shutdown. Every server runs on 127.0.0.1 with port 0 and is closed after its tests.
 */
import { Agent } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStore } from '../../src/state/session.js';
import {
  assertSafeBinding,
  createHttpServer,
  type HttpServerHandle,
  type HttpServerOptions,
} from '../../src/transport/http.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { createReferenceServer } from './fixtures/sdk-reference.mjs';
import { MCP_HEADERS, rawRequest, type RawRequest, type RawResponse } from './fixtures/raw-http.js';
import { createTestAuth, metadataPath } from './fixtures/test-auth.js';
import { createTestService, type TestService } from './fixtures/test-service.js';
import { captureLog } from '../helpers/log-capture.js';
import { eventually } from '../helpers/ports.js';

const ALLOWED_ORIGIN = 'http://localhost:6274';
const INIT_PARAMS = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } };

/** Log lines written by the servers under test (checked for leaked secrets). */
const { logger, raw: logLines } = captureLog();

/** A running server with its services. */
interface Running {
  url: string;
  handle: HttpServerHandle;
  plain: TestService;
  stateful: TestService;
  store: SessionStore;
}

/** Starts a server with a stateless backend `plain` (no auth) and a stateful one `stateful` (bearer auth). */
async function start(overrides: Partial<HttpServerOptions> = {}): Promise<Running> {
  const plain = createTestService('plain', false);
  const stateful = createTestService('stateful', true);
  const store = overrides.sessionStore ?? new MemorySessionStore();
  const handle = createHttpServer({
    port: 0,
    backends: [
      { service: plain, info: { name: 'plain', version: '1.0.0' } },
      { service: stateful, inboundAuth: createTestAuth('stateful'), info: { name: 'stateful', version: '1.0.0' } },
    ],
    allowedOrigins: [ALLOWED_ORIGIN],
    maxBodyBytes: 64 * 1024,
    rateLimit: { perMinute: 1_000_000, burst: 100_000 },
    sessionStore: store,
    logger,
    ...overrides,
  });
  const { url } = await handle.listen();
  return { url, handle, plain, stateful, store };
}

/** Waits until the test service has started the `slow` call tagged `tag` (no fixed sleep: a loaded machine is slow). */
async function untilStarted(service: TestService, tag: string): Promise<void> {
  expect(await eventually(() => service.sessionOfTag.has(tag), 20_000), `the call ${tag} started`).toBe(true);
}

/** A JSON-RPC request body. */
function rpc(id: number | string, method: string, params?: Record<string, unknown>): Record<string, unknown> {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

/** POSTs `body` to a backend with the MCP headers (plus `headers`). */
function post(
  run: Running,
  backend: string,
  body: unknown,
  headers: Record<string, string | undefined> = {},
  agent?: Agent,
): Promise<RawResponse> {
  return rawRequest(run.url, { path: `/${backend}/mcp`, headers: { ...MCP_HEADERS, ...headers }, body }, agent);
}

/** Opens a session on the stateful backend for `token`; returns its id. */
async function openSession(run: Running, token: string, agent?: Agent): Promise<string> {
  const res = await post(
    run,
    'stateful',
    rpc(1, 'initialize', INIT_PARAMS),
    { authorization: `Bearer ${token}` },
    agent,
  );
  expect(res.status).toBe(200);
  const id = res.headers['mcp-session-id'];
  expect(typeof id).toBe('string');
  return id as string;
}

/** The `result` of a JSON-RPC response body. */
function resultOf(res: RawResponse): Record<string, unknown> {
  return (res.json as { result: Record<string, unknown> }).result;
}

describe('createHttpServer with the SDK client', () => {
  let run: Running;
  beforeAll(async () => {
    run = await start();
  });
  afterAll(async () => {
    await run.handle.close();
  });

  it('lists and calls tools on a stateless backend', async () => {
    const client = new Client({ name: 'sdk-test', version: '0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${run.url}/plain/mcp`));
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeUndefined();
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
      expect(result.structuredContent).toEqual({ text: 'hello' });
      const who = await client.callTool({ name: 'whoami', arguments: {} });
      expect(who.structuredContent).toMatchObject({ principal: 'anonymous', session: false });
    } finally {
      await client.close();
    }
  });

  it('keeps per-session state on a stateful backend and ends the session on DELETE', async () => {
    const client = new Client({ name: 'sdk-test', version: '0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${run.url}/stateful/mcp`), {
      requestInit: { headers: { authorization: 'Bearer alice-token' } },
    });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const first = await client.callTool({ name: 'count', arguments: {} });
    const second = await client.callTool({ name: 'count', arguments: {} });
    expect([first.structuredContent, second.structuredContent]).toEqual([{ n: 1 }, { n: 2 }]);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ principal: 'alice', session: true });
    expect(run.stateful.contexts.at(-1)?.sessionId).toBe(sessionId);

    await transport.terminateSession();
    await client.close();
    const after = await post(run, 'stateful', rpc(9, 'tools/list'), {
      authorization: 'Bearer alice-token',
      'mcp-session-id': sessionId,
    });
    expect(after.status).toBe(404);
  });

  it('answers an unknown tool with -32602', async () => {
    const client = new Client({ name: 'sdk-test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${run.url}/plain/mcp`)));
    try {
      const error = await client.callTool({ name: 'missing', arguments: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    } finally {
      await client.close();
    }
  });
});

describe('createHttpServer guards (raw HTTP)', () => {
  let run: Running;
  let aliceSession: string;
  beforeAll(async () => {
    run = await start();
    aliceSession = await openSession(run, 'alice-token');
  });
  afterAll(async () => {
    await run.handle.close();
  });

  const alice = { authorization: 'Bearer alice-token' };
  const cases: Array<{
    name: string;
    given: (session: string) => RawRequest;
    want: { status: number; headers?: Record<string, string | RegExp>; body?: RegExp };
  }> = [
    {
      name: 'Origin not allowed → 403',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, origin: 'http://evil.example' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 403, body: /Origin not allowed/ },
    },
    {
      name: 'Origin not allowed on GET /healthz → 403',
      given: () => ({ method: 'GET', path: '/healthz', headers: { origin: 'http://evil.example' } }),
      want: { status: 403 },
    },
    {
      name: 'allowed Origin → 200 with CORS headers',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, origin: ALLOWED_ORIGIN },
        body: rpc(1, 'tools/list'),
      }),
      want: {
        status: 200,
        headers: {
          'access-control-allow-origin': ALLOWED_ORIGIN,
          'access-control-expose-headers': /Mcp-Session-Id.*WWW-Authenticate/,
        },
      },
    },
    {
      name: 'same-origin Origin (the server itself) → 200',
      given: () => ({
        path: '/plain/mcp',
        headers: {
          ...MCP_HEADERS,
          host: `localhost:${new URL(run.url).port}`,
          origin: `http://localhost:${new URL(run.url).port}`,
        },
        body: rpc(1, 'ping'),
      }),
      want: { status: 200 },
    },
    {
      name: 'Origin of the same host on another port → 403',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, host: `localhost:${new URL(run.url).port}`, origin: 'http://localhost:1' },
        body: rpc(1, 'ping'),
      }),
      want: { status: 403 },
    },
    {
      name: 'bad Host (DNS rebinding) → 403',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, host: 'evil.example:80' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 403, body: /Host/ },
    },
    {
      name: 'CORS preflight from an allowed origin → 204',
      given: () => ({
        method: 'OPTIONS',
        path: '/stateful/mcp',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-session-id, authorization',
        },
      }),
      want: {
        status: 204,
        headers: {
          'access-control-allow-origin': ALLOWED_ORIGIN,
          'access-control-allow-methods': /POST/,
          'access-control-allow-headers': /mcp-session-id/,
        },
      },
    },
    {
      name: 'GET on a stateless backend → 405 Allow: POST',
      given: () => ({ method: 'GET', path: '/plain/mcp', headers: { accept: 'text/event-stream' } }),
      want: { status: 405, headers: { allow: 'POST' } },
    },
    {
      name: 'DELETE on a stateless backend → 405 Allow: POST',
      given: () => ({ method: 'DELETE', path: '/plain/mcp' }),
      want: { status: 405, headers: { allow: 'POST' } },
    },
    {
      name: 'GET on a stateful backend → 405 Allow: POST, DELETE',
      given: () => ({ method: 'GET', path: '/stateful/mcp', headers: { accept: 'text/event-stream', ...alice } }),
      want: { status: 405, headers: { allow: 'POST, DELETE' } },
    },
    {
      name: 'Accept without text/event-stream → 406',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, accept: 'application/json' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 406 },
    },
    {
      name: 'non-JSON Content-Type → 415',
      given: () => ({ path: '/plain/mcp', headers: { ...MCP_HEADERS, 'content-type': 'text/plain' }, body: '{}' }),
      want: { status: 415 },
    },
    {
      name: 'unsupported MCP-Protocol-Version → 400',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 400, body: /MCP-Protocol-Version/ },
    },
    {
      name: 'unsupported MCP-Protocol-Version without credentials on an authenticated backend → 401 first',
      given: () => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' },
        body: rpc(1, 'initialize', INIT_PARAMS),
      }),
      want: { status: 401, headers: { 'www-authenticate': /^Bearer resource_metadata=/ } },
    },
    {
      name: 'unsupported MCP-Protocol-Version with credentials → 400',
      given: () => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-protocol-version': '1999-01-01' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 400, body: /MCP-Protocol-Version/ },
    },
    {
      name: 'supported MCP-Protocol-Version → 200',
      given: () => ({
        path: '/plain/mcp',
        headers: { ...MCP_HEADERS, 'mcp-protocol-version': '2025-06-18' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 200 },
    },
    {
      name: 'body over the limit (Content-Length) → 413',
      given: () => ({
        path: '/plain/mcp',
        headers: MCP_HEADERS,
        body: rpc(1, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(70_000) } }),
      }),
      want: { status: 413 },
    },
    {
      name: 'invalid JSON → 400 parse error',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: '{"jsonrpc":' }),
      want: { status: 400, body: /-32700/ },
    },
    {
      name: 'JSON-RPC batch → 400',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: [rpc(1, 'tools/list'), rpc(2, 'tools/list')] }),
      want: { status: 400, body: /-32600.*batch/ },
    },
    {
      name: 'not JSON-RPC 2.0 → 400',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: { id: 1, method: 'tools/list' } }),
      want: { status: 400, body: /-32600/ },
    },
    {
      name: 'notification → 202 without a body',
      given: () => ({
        path: '/plain/mcp',
        headers: MCP_HEADERS,
        body: { jsonrpc: '2.0', method: 'notifications/initialized' },
      }),
      want: { status: 202, body: /^$/ },
    },
    {
      name: 'notification in a session → 202',
      given: (s) => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-session-id': s },
        body: { jsonrpc: '2.0', method: 'notifications/initialized' },
      }),
      want: { status: 202 },
    },
    {
      name: 'a client response (to a server request) → 202',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: { jsonrpc: '2.0', id: 5, result: {} } }),
      want: { status: 202 },
    },
    {
      name: 'stateful request without credentials → the plugin 401 with its challenge',
      given: () => ({ path: '/stateful/mcp', headers: MCP_HEADERS, body: rpc(1, 'initialize', INIT_PARAMS) }),
      want: { status: 401, headers: { 'www-authenticate': /^Bearer resource_metadata=/ }, body: /invalid_token/ },
    },
    {
      name: 'stateful request without Mcp-Session-Id → 400',
      given: () => ({ path: '/stateful/mcp', headers: { ...MCP_HEADERS, ...alice }, body: rpc(1, 'tools/list') }),
      want: { status: 400, body: /Mcp-Session-Id/ },
    },
    {
      name: 'unknown session → 404',
      given: () => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-session-id': 'A'.repeat(43) },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 404 },
    },
    {
      name: 'malformed session id → 404',
      given: () => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-session-id': 'nope' },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 404 },
    },
    {
      name: "another principal's session → 404 (same as unknown)",
      given: (s) => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, authorization: 'Bearer bob-token', 'mcp-session-id': s },
        body: rpc(1, 'tools/list'),
      }),
      want: { status: 404, body: /Session not found/ },
    },
    {
      name: "DELETE of another principal's session → 404",
      given: (s) => ({
        method: 'DELETE',
        path: '/stateful/mcp',
        headers: { authorization: 'Bearer bob-token', 'mcp-session-id': s },
      }),
      want: { status: 404 },
    },
    {
      name: 'the owner in its session → 200',
      given: (s) => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-session-id': s },
        body: rpc(1, 'tools/call', { name: 'whoami', arguments: {} }),
      }),
      want: { status: 200, body: /alice/ },
    },
    {
      name: 'a tool needing a scope the principal lacks → 403 insufficient_scope',
      given: (s) => ({
        path: '/stateful/mcp',
        headers: { ...MCP_HEADERS, ...alice, 'mcp-session-id': s },
        body: rpc(1, 'tools/call', { name: 'admin_only', arguments: {} }),
      }),
      want: { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"' } },
    },
    {
      name: 'unknown tool → 200 with JSON-RPC -32602',
      given: () => ({
        path: '/plain/mcp',
        headers: MCP_HEADERS,
        body: rpc(1, 'tools/call', { name: 'nope', arguments: {} }),
      }),
      want: { status: 200, body: /"code":-32602.*Unknown tool: nope/ },
    },
    {
      name: 'unknown method → 200 with JSON-RPC -32601',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: rpc(1, 'resources/list') }),
      want: { status: 200, body: /"code":-32601/ },
    },
    {
      name: 'requests before initialize are served (stateless: every request stands alone)',
      given: () => ({ path: '/plain/mcp', headers: MCP_HEADERS, body: rpc('a', 'ping') }),
      want: { status: 200, body: /^\{"jsonrpc":"2.0","id":"a","result":\{\}\}$|"id":"a"/ },
    },
    {
      name: 'protected resource metadata → 200, public, CORS *',
      given: () => ({ method: 'GET', path: metadataPath('stateful'), headers: { origin: 'http://anywhere.example' } }),
      want: { status: 200, headers: { 'access-control-allow-origin': '*' }, body: /authorization_servers/ },
    },
    {
      name: 'GET /healthz → 200 with the backends',
      given: () => ({ method: 'GET', path: '/healthz' }),
      want: { status: 200, body: /"status":"ok","backends":\["plain","stateful"\]/ },
    },
    {
      name: 'unknown path → 404',
      given: () => ({ method: 'POST', path: '/other/mcp', headers: MCP_HEADERS, body: rpc(1, 'ping') }),
      want: { status: 404 },
    },
  ];

  it.each(cases)('$name', async ({ given, want }) => {
    const res = await rawRequest(run.url, given(aliceSession));
    expect(res.status).toBe(want.status);
    for (const [name, value] of Object.entries(want.headers ?? {})) {
      if (typeof value === 'string') expect(res.headers[name]).toBe(value);
      else expect(res.headers[name]).toMatch(value);
    }
    if (want.body !== undefined) expect(res.text).toMatch(want.body);
    // No stack traces or internals in any answer.
    expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it('413 also when a body without Content-Length grows over the limit', async () => {
    const url = new URL('/plain/mcp', run.url);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...MCP_HEADERS, 'transfer-encoding': 'chunked' },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"`);
      req.write('x'.repeat(100_000));
      req.end('"}}}');
    });
    expect(status).toBe(413);
  });

  it('DELETE ends a session: 204, then 404 for every later use', async () => {
    const session = await openSession(run, 'bob-token');
    const headers = { authorization: 'Bearer bob-token', 'mcp-session-id': session };
    expect((await post(run, 'stateful', rpc(2, 'tools/list'), headers)).status).toBe(200);
    expect((await rawRequest(run.url, { method: 'DELETE', path: '/stateful/mcp', headers })).status).toBe(204);
    expect((await post(run, 'stateful', rpc(3, 'tools/list'), headers)).status).toBe(404);
    expect((await rawRequest(run.url, { method: 'DELETE', path: '/stateful/mcp', headers })).status).toBe(404);
  });

  it('creates no session when initialize fails, and a new one per initialize', async () => {
    const failed = await post(run, 'stateful', rpc(1, 'initialize', { protocolVersion: 7 }), {
      authorization: 'Bearer bob-token',
    });
    expect(failed.status).toBe(200);
    expect(typeof (failed.json as { error: { code: number } }).error.code).toBe('number');
    expect(failed.headers['mcp-session-id']).toBeUndefined();
    const a = await openSession(run, 'bob-token');
    const b = await openSession(run, 'bob-token');
    expect(a).not.toBe(b);
  });

  it('never logs session ids or tokens', async () => {
    const session = await openSession(run, 'admin-token');
    await post(run, 'stateful', rpc(2, 'tools/call', { name: 'whoami', arguments: {} }), {
      authorization: 'Bearer admin-token',
      'mcp-session-id': session,
    });
    const all = logLines.join('');
    expect(all).toContain('session created');
    expect(all).not.toContain(session);
    expect(all).not.toContain(aliceSession);
    expect(all).not.toContain('admin-token');
  });
});

describe('createHttpServer multiplexing', () => {
  describe('every answer goes to its own request', () => {
    let run: Running;
    let agent: Agent;
    beforeAll(async () => {
      run = await start();
      agent = new Agent({ keepAlive: true, maxSockets: 32 });
    });
    afterAll(async () => {
      agent.destroy();
      await run.handle.close();
    });

    it('200 sessions reusing the same JSON-RPC ids each get their own results', async () => {
      const sessions = await Promise.all(Array.from({ length: 200 }, () => openSession(run, 'alice-token', agent)));
      expect(new Set(sessions).size).toBe(200);
      const calls = sessions.flatMap((session, s) =>
        [1, 2, 3].map(async (id) => {
          const tag = `s${s}-c${id}`;
          // Random waits make answers complete out of order.
          const res = await post(
            run,
            'stateful',
            rpc(id, 'tools/call', { name: 'slow', arguments: { ms: (s * 7 + id * 3) % 13, tag } }),
            { authorization: 'Bearer alice-token', 'mcp-session-id': session },
            agent,
          );
          return { tag, id, res };
        }),
      );
      const answers = await Promise.all(calls);
      expect(answers).toHaveLength(600);
      for (const { tag, id, res } of answers) {
        expect(res.status).toBe(200);
        expect((res.json as { id: number }).id).toBe(id);
        expect((resultOf(res)['structuredContent'] as { tag: string }).tag).toBe(tag);
      }
      // Each call's context carried the session it was made in.
      for (const [s, session] of sessions.entries()) {
        for (const id of [1, 2, 3]) expect(run.stateful.sessionOfTag.get(`s${s}-c${id}`)).toBe(session);
      }
    });

    it('stateless clients reusing ids (including string ids) get their own results', async () => {
      const calls = Array.from({ length: 300 }, async (_, i) => {
        const id = i % 2 === 0 ? 1 : 'same';
        const res = await post(
          run,
          'plain',
          rpc(id, 'tools/call', { name: 'slow', arguments: { ms: i % 11, tag: `t${i}` } }),
          {},
          agent,
        );
        return { i, id, res };
      });
      for (const { i, id, res } of await Promise.all(calls)) {
        expect((res.json as { id: unknown }).id).toBe(id);
        expect((resultOf(res)['structuredContent'] as { tag: string }).tag).toBe(`t${i}`);
      }
    });

    it('a client that disconnects cancels its call (the tool sees an aborted signal)', async () => {
      const url = new URL('/plain/mcp', run.url);
      const { request } = await import('node:http');
      const body = JSON.stringify(rpc(1, 'tools/call', { name: 'slow', arguments: { ms: 10_000, tag: 'gone' } }));
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...MCP_HEADERS, 'content-length': String(body.length) },
        agent: false,
      });
      req.on('error', () => {});
      req.end(body);
      await untilStarted(run.plain, 'gone');
      req.destroy();
      expect(await eventually(() => run.plain.aborted.includes('gone'), 20_000)).toBe(true);
    });

    it('notifications/cancelled in a session cancels that request only', async () => {
      const session = await openSession(run, 'bob-token');
      const headers = { authorization: 'Bearer bob-token', 'mcp-session-id': session };
      const tag = 'cancelled';
      const pending = post(
        run,
        'stateful',
        rpc(7, 'tools/call', { name: 'slow', arguments: { ms: 10_000, tag } }),
        headers,
      );
      await untilStarted(run.stateful, tag);
      const note = await post(
        run,
        'stateful',
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7 } },
        headers,
      );
      expect(note.status).toBe(202);
      const res = await pending;
      expect((res.json as { id: number; error: { message: string } }).id).toBe(7);
      expect((res.json as { error: { message: string } }).error.message).toMatch(/cancelled/);
      expect(run.stateful.aborted).toContain(tag);
    });
  });

  it('answers exactly like the SDK 2.x Server for the same requests', async () => {
    const run = await start();
    const reference = createReferenceServer(
      run.plain,
      { name: 'plain', version: '1.0.0' },
      { principal: { id: 'anonymous', scopes: [], claims: {} } },
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const answers = new Map<unknown, unknown>();
    clientSide.onmessage = (message): void => {
      answers.set((message as { id?: unknown }).id, message);
    };
    await reference.connect(serverSide);
    await clientSide.start();
    const ask = async (body: Record<string, unknown>): Promise<unknown> => {
      await clientSide.send(body as never);
      for (let i = 0; i < 200 && !answers.has(body['id']); i++) await new Promise((r) => setTimeout(r, 10));
      return answers.get(body['id']);
    };
    try {
      await ask(rpc('init', 'initialize', INIT_PARAMS));
      const bodies = [
        rpc(1, 'tools/list'),
        rpc(3, 'tools/call', { name: 'echo', arguments: { text: 'same' } }),
        rpc(4, 'tools/call', { name: 'fail' }),
        rpc(5, 'tools/call', { name: 'nope', arguments: {} }),
        rpc(6, 'tools/call', { name: 'whoami', arguments: {}, _meta: { progressToken: 1 } }),
        rpc(11, 'ping'),
        rpc(12, 'no/such/method'),
      ];
      const strip = (json: unknown): unknown =>
        JSON.parse(
          JSON.stringify(json).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|reference/g, '*'),
        );
      for (const body of [rpc('init', 'initialize', INIT_PARAMS), ...bodies]) {
        const ours = await post(run, 'plain', body);
        expect(ours.status).toBe(200);
        expect(strip(ours.json), JSON.stringify(body)).toEqual(strip(answers.get(body['id']) ?? (await ask(body))));
      }
      // Invalid params: -32602 on both, ours naming the field and the rule in one line.
      for (const body of [
        rpc(7, 'tools/call', { arguments: {} }),
        rpc(8, 'tools/call', { name: 'echo', arguments: 'not an object' }),
      ]) {
        const ours = (await post(run, 'plain', body)).json as { error: { code: number; message: string } };
        expect(ours.error.code).toBe(-32602);
        expect(ours.error.message).toMatch(/^Invalid tools\/call request: params\.(name|arguments): /);
        expect(((await ask(body)) as { error: { code: number } }).error.code).toBe(-32602);
      }
      // A cursor this server never issued is -32602 (MCP 2025-11-25, Utilities / Pagination: "Invalid cursors
      // SHOULD result in an error"); the SDK's Server, which does not page, ignores it instead.
      const cursor = (await post(run, 'plain', rpc(2, 'tools/list', { cursor: 'x' }))).json as {
        error: { code: number };
      };
      expect(cursor.error.code).toBe(-32602);
      // A result JSON cannot carry is an internal error, never a hung request.
      const bad = await post(run, 'plain', rpc(10, 'tools/call', { name: 'unserializable', arguments: {} }));
      expect(bad.json).toEqual({
        jsonrpc: '2.0',
        id: 10,
        error: { code: ErrorCode.InternalError, message: 'Internal error' },
      });
    } finally {
      await reference.close();
      await run.handle.close();
    }
  });
});

describe('createHttpServer rate limit', () => {
  let run: Running;
  beforeAll(async () => {
    run = await start({ rateLimit: { perMinute: 60, burst: 3 } });
  });
  afterAll(async () => {
    await run.handle.close();
  });

  it('answers 429 with Retry-After past the burst, per principal', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await post(run, 'plain', rpc(i, 'tools/list'));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'] as string;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another principal has its own bucket.
    expect(
      (await post(run, 'stateful', rpc(1, 'initialize', INIT_PARAMS), { authorization: 'Bearer bob-token' })).status,
    ).toBe(200);
  });

  it('counts failed authentication against the address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++)
      statuses.push((await post(run, 'stateful', rpc(1, 'tools/list'), { authorization: 'Bearer wrong' })).status);
    // The address bucket was emptied by the previous test: wrong credentials now get 429, not a free guess.
    expect(statuses).toEqual([429, 429]);
  });
});

describe('createHttpServer shutdown', () => {
  /** Starts a `slow` call of `ms`, closes the server with `graceMs` once the call runs, and returns its answer. */
  async function closeDuringSlowCall(
    ms: number,
    tag: string,
    graceMs: number,
  ): Promise<{ run: Running; res: Awaited<ReturnType<typeof post>> }> {
    const run = await start();
    const inflight = post(run, 'plain', rpc(1, 'tools/call', { name: 'slow', arguments: { ms, tag } }));
    await untilStarted(run.plain, tag);
    await run.handle.close(graceMs);
    return { run, res: await inflight };
  }

  it('close() lets an in-flight slow call finish, then refuses connections', async () => {
    // A generous grace period: close() returns as soon as the call is done, and the answer shows it was not cut.
    const { run, res } = await closeDuringSlowCall(400, 'graceful', 30_000);
    expect(res.status).toBe(200);
    expect(resultOf(res)['structuredContent']).toEqual({ waited: 400, tag: 'graceful' });
    await expect(post(run, 'plain', rpc(2, 'tools/list'))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('while draining, serves what arrives on open connections (then closes them), answers /healthz 503, refuses new connections', async () => {
    // A balancer may be sending on a kept-alive connection at the very moment the drain starts: that request is
    // served, not dropped (it may not be resent elsewhere once it reached an instance).
    const run = await start();
    const [first, second] = [
      new Agent({ keepAlive: true, maxSockets: 1 }),
      new Agent({ keepAlive: true, maxSockets: 1 }),
    ];
    for (const agent of [first, second])
      expect((await post(run, 'plain', rpc(1, 'tools/list'), {}, agent)).status).toBe(200);
    const inflight = post(
      run,
      'plain',
      rpc(2, 'tools/call', { name: 'slow', arguments: { ms: 2_000, tag: 'draining' } }),
    );
    await untilStarted(run.plain, 'draining');
    const closed = run.handle.close(30_000);
    const served = await post(run, 'plain', rpc(3, 'tools/list'), {}, first);
    expect(served.status).toBe(200);
    expect(served.headers['connection']).toBe('close');
    const health = await rawRequest(run.url, { path: '/healthz', method: 'GET' }, second);
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'draining' });
    await expect(post(run, 'plain', rpc(4, 'tools/list'))).rejects.toThrow(/ECONNREFUSED/);
    expect((await inflight).status).toBe(200);
    await closed;
    for (const agent of [first, second]) agent.destroy();
  });

  it('close() gives up after graceMs and aborts what is still running', async () => {
    // close() returning while the 60 s call runs, with the call aborted, shows it gave up after graceMs; the caller
    // still gets an answer: a JSON-RPC error saying the request was cancelled.
    const { run, res } = await closeDuringSlowCall(60_000, 'cut', 200);
    expect(res.json).toMatchObject({ id: 1, error: { code: ErrorCode.ConnectionClosed } });
    expect(run.plain.aborted).toContain('cut');
  });
});

describe('assertSafeBinding', () => {
  const stateful = createTestService('s', true);
  const stateless = createTestService('p', false);
  const auth = createTestAuth('s');
  const cases: Array<{
    name: string;
    given: [string, Array<{ service: TestService; inboundAuth?: typeof auth }>, string?, string[]?];
    want: RegExp | null;
  }> = [
    { name: 'stateful without auth on loopback is fine', given: ['127.0.0.1', [{ service: stateful }]], want: null },
    { name: 'stateful without auth on localhost is fine', given: ['localhost', [{ service: stateful }]], want: null },
    {
      name: 'stateless without auth on all interfaces is allowed',
      given: ['0.0.0.0', [{ service: stateless }]],
      want: null,
    },
    {
      name: 'stateful with auth on all interfaces is fine',
      given: ['0.0.0.0', [{ service: stateful, inboundAuth: auth }]],
      want: null,
    },
    {
      name: 'stateful without auth on all interfaces is refused',
      given: ['0.0.0.0', [{ service: stateless }, { service: stateful }]],
      want: /sessions are not authentication: configure an inbound credential to listen on 0\.0\.0\.0/,
    },
    {
      name: 'stateful without auth on loopback behind a public https URL is refused (a proxy forwards everyone)',
      given: ['127.0.0.1', [{ service: stateful }], 'https://mcp.example.com'],
      want: /sessions are not authentication: configure an inbound credential to be served at https:\/\/mcp\.example\.com \(backend s/,
    },
    {
      name: 'stateful with auth behind a public URL is fine',
      given: ['127.0.0.1', [{ service: stateful, inboundAuth: auth }], 'https://mcp.example.com'],
      want: null,
    },
    {
      name: 'stateless without auth behind a public URL is allowed',
      given: ['127.0.0.1', [{ service: stateless }], 'https://mcp.example.com'],
      want: null,
    },
    {
      name: 'a loopback public URL is fine',
      given: ['127.0.0.1', [{ service: stateful }], 'http://localhost:3000'],
      want: null,
    },
    {
      name: 'an IPv6 loopback public URL is fine',
      given: ['::1', [{ service: stateful }], 'http://[::1]:3000'],
      want: null,
    },
    {
      name: 'stateful without auth accepting a non-loopback Host is refused (FINMCP_ALLOWED_HOSTS widens it like a public URL)',
      given: ['127.0.0.1', [{ service: stateful }], undefined, ['localhost:3000', 'mcp.example:8443']],
      want: /configure an inbound credential to accept Host mcp\.example \(FINMCP_ALLOWED_HOSTS\) \(backend s/,
    },
    {
      name: 'a Host name without a port counts too',
      given: ['127.0.0.1', [{ service: stateful }], undefined, ['x.example']],
      want: /accept Host x\.example/,
    },
    {
      name: 'loopback allowed hosts are fine',
      given: ['127.0.0.1', [{ service: stateful }], undefined, ['localhost', '127.0.0.1:3000', '[::1]:3000']],
      want: null,
    },
    {
      name: 'stateful with auth accepting any Host is fine',
      given: ['127.0.0.1', [{ service: stateful, inboundAuth: auth }], undefined, ['x.example']],
      want: null,
    },
    {
      name: 'stateless without auth accepting any Host is allowed',
      given: ['127.0.0.1', [{ service: stateless }], undefined, ['x.example']],
      want: null,
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    if (want === null) expect(() => assertSafeBinding(...given)).not.toThrow();
    else expect(() => assertSafeBinding(...given)).toThrow(want);
  });

  it('createHttpServer refuses to start in that case', () => {
    expect(() =>
      createHttpServer({
        host: '0.0.0.0',
        port: 0,
        backends: [{ service: stateful, info: { name: 's', version: '1' } }],
        allowedOrigins: [],
        logger,
      }),
    ).toThrow(/sessions are not authentication/);
  });
});

describe('origin-wide well-known documents (RFC 9728 §3.1)', () => {
  /** The test plugin, also claiming the root form as the OAuth resource server does. */
  const withRoot = (backend: string): ReturnType<typeof createTestAuth> => {
    const auth = createTestAuth(backend);
    const doc = {
      resource: `http://127.0.0.1/${backend}/mcp`,
      authorization_servers: [`http://as-of-${backend}.example`],
    };
    return {
      ...auth,
      wellKnown: () => ({ [metadataPath(backend)]: doc, '/.well-known/oauth-protected-resource': doc }),
    };
  };
  const serve = async (backends: string[]): Promise<{ url: string; handle: HttpServerHandle }> => {
    const handle = createHttpServer({
      port: 0,
      backends: backends.map((b) => ({
        service: createTestService(b, false),
        inboundAuth: withRoot(b),
        info: { name: b, version: '1' },
      })),
      allowedOrigins: [],
      logger,
    });
    return { url: (await handle.listen()).url, handle };
  };
  const get = async (url: string, path: string): Promise<RawResponse> => rawRequest(url, { method: 'GET', path });

  it("with two backends each has its path form, and the root form is 404 (it would name one backend's authorization server for both)", async () => {
    const { url, handle } = await serve(['one', 'two']);
    try {
      expect((await get(url, metadataPath('one'))).json).toMatchObject({
        authorization_servers: ['http://as-of-one.example'],
      });
      expect((await get(url, metadataPath('two'))).json).toMatchObject({
        authorization_servers: ['http://as-of-two.example'],
      });
      expect((await get(url, '/.well-known/oauth-protected-resource')).status).toBe(404);
    } finally {
      await handle.close();
    }
  });

  it('with one backend only, the root form answers too (clients that probe the root)', async () => {
    const { url, handle } = await serve(['only']);
    try {
      expect((await get(url, '/.well-known/oauth-protected-resource')).json).toMatchObject({
        resource: 'http://127.0.0.1/only/mcp',
      });
    } finally {
      await handle.close();
    }
  });
});
