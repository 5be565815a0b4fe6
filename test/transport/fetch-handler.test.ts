/**
 * The web-standard handler (src/transport/http/fetch-handler.ts): driven with real `Request` objects, and served
 * through a small node:http adapter (IncomingMessage → Request, Response → ServerResponse, as a host runtime
 * does) to the SDK 2.x client pinned to 2026-07-28 and to a 2025-11-25 client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createFetchHandler, type FetchHandler } from '../../src/serverless.js';
import { createTestAuth } from './fixtures/test-auth.js';
import { createTestService } from './fixtures/test-service.js';

const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let handler: FetchHandler;
let server: Server;
let base: string;

beforeAll(async () => {
  handler = createFetchHandler({
    backends: [
      { service: createTestService('plain', false), info: { name: 'plain', version: '1.0.0' } },
      {
        service: createTestService('stateful', true),
        inboundAuth: createTestAuth('stateful'),
        info: { name: 'stateful', version: '1.0.0' },
      },
    ],
    allowedHosts: ['mcp.example', '127.0.0.1'],
    maxBodyBytes: 4096,
    rateLimit: false,
    logger,
  });
  // The adapter a host runtime provides: node:http in, web-standard Request/Response through.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
      void handler
        .fetch(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }))
        .then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handler.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return handler.fetch(
    new Request(`https://mcp.example${path}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body: JSON.stringify(body),
    }),
  );
}

describe('createFetchHandler with Request objects', () => {
  it('answers a 2026-07-28 tools/list with the revision fields', async () => {
    const res = await post(
      '/plain/mcp',
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } },
      {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
  });

  it('opens, uses and ends a 2025-11-25 session', async () => {
    const auth = { authorization: 'Bearer alice-token' };
    const init = await post(
      '/stateful/mcp',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'r', version: '0' } },
      },
      auth,
    );
    const session = init.headers.get('mcp-session-id');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const count = await post(
      '/stateful/mcp',
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'count', arguments: {} } },
      { ...auth, 'mcp-session-id': session! },
    );
    expect(((await count.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({
      n: 1,
    });
    const ended = await handler.fetch(
      new Request('https://mcp.example/stateful/mcp', {
        method: 'DELETE',
        headers: { ...auth, 'mcp-session-id': session! },
      }),
    );
    expect(ended.status).toBe(204);
  });

  it('refuses a foreign Host (403), a streamed body over the limit (413), a GET (405), and keeps serving', async () => {
    const foreign = await handler.fetch(
      new Request('https://evil.example/plain/mcp', { method: 'POST', headers: JSON_HEADERS, body: '{}' }),
    );
    expect(foreign.status).toBe(403);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1000)));
        controller.close();
      },
    });
    const large = await handler.fetch(
      new Request('https://mcp.example/plain/mcp', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { message: string } }).error.message).toMatch(/4096 bytes/);
    const get = await handler.fetch(new Request('https://mcp.example/plain/mcp'));
    expect(get.status).toBe(405);
    const ok = await post('/plain/mcp', {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'still' } },
    });
    expect(((await ok.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({
      text: 'still',
    });
  });

  it('refuses to serve a stateful backend without an inbound credential', () => {
    expect(() =>
      createFetchHandler({
        backends: [{ service: createTestService('s', true), info: { name: 's', version: '1' } }],
        allowedHosts: ['x'],
        logger,
      }),
    ).toThrow(/inbound credential/);
  });
});

describe('createFetchHandler through a node:http adapter', () => {
  it('serves the SDK 2.x client pinned to 2026-07-28, per-caller state included', async () => {
    const connect = async (token: string): Promise<Client> => {
      const client = new Client(
        { name: 'fetch-modern', version: '0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/stateful/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      return client;
    };
    const alice = await connect('alice-token');
    const bob = await connect('bob-token');
    try {
      expect((await alice.listTools()).tools.length).toBe(7);
      expect((await alice.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 1 });
      expect((await alice.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 2 });
      expect((await bob.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 1 });
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('serves a 2025-11-25 client with its session', async () => {
    const client = new LegacyClient({ name: 'fetch-legacy', version: '0' });
    const transport = new LegacyTransport(new URL(`${base}/stateful/mcp`), {
      requestInit: { headers: { authorization: 'Bearer admin-token' } },
    });
    await client.connect(transport);
    try {
      expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await client.callTool({ name: 'echo', arguments: { text: 'legacy' } })).structuredContent).toEqual({
        text: 'legacy',
      });
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });
});
