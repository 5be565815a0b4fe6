import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendHttpError,
  classify,
  createBackendHttp,
  parseRetryAfter,
  type BackendHttp,
} from '../../src/backend/backend-http.js';
import { reply, startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';

/**
 * Every behaviour holds for both ways of sending: undici's pool (Node) and the runtime's fetch (Deno, Bun, workerd;
 * here Node's own fetch stands in, the runtimes themselves are exercised by test/runtimes/).
 */
describe.each(['undici', 'fetch'] as const)('the %s client', (CLIENT) => {
  let backend: FaultBackend;
  let http: BackendHttp;

  beforeAll(async () => {
    backend = await startFaultBackend();
    http = createBackendHttp({
      client: CLIENT,
      baseUrl: `${backend.url}/api/v1`,
      retryBaseDelayMs: 10,
      timeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await http.close();
    await backend.close();
  });
  afterEach(() => {
    backend.requests.length = 0;
  });

  function get(path: string, extra: Partial<Parameters<BackendHttp['send']>[0]> = {}): ReturnType<BackendHttp['send']> {
    return http.send({ method: 'GET', path, headers: {}, idempotent: true, requestId: 'req-1', ...extra });
  }

  async function failure(p: Promise<unknown>): Promise<BackendHttpError> {
    try {
      await p;
    } catch (err) {
      if (err instanceof BackendHttpError) return err;
      throw err;
    }
    throw new Error('expected a BackendHttpError');
  }

  describe('retries', () => {
    it('retries an idempotent GET on 503 and succeeds on the second attempt', async () => {
      backend.script('/api/v1/flaky', reply.status(503), reply.json(200, { ok: true }));
      const res = await get('/flaky');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(res.attempts).toBe(2);
      expect(backend.requestsTo('/api/v1/flaky')).toHaveLength(2);
    });

    it('gives up on GET after 3 attempts and returns the last response', async () => {
      backend.script('/api/v1/down', reply.problem(503, { title: 'Service Unavailable' }));
      const res = await get('/down');
      expect(res.status).toBe(503);
      expect(res.attempts).toBe(3);
      expect(backend.requestsTo('/api/v1/down')).toHaveLength(3);
    });

    const notRetried = [
      { given: 'POST on 502', status: 502 },
      { given: 'POST on 503', status: 503 },
      { given: 'POST on 429', status: 429 },
    ];
    it.each(notRetried)('never retries a non-idempotent request: $given', async ({ status }) => {
      backend.script('/api/v1/create', reply.status(status), reply.json(201, { id: 1 }));
      const res = await http.send({
        method: 'POST',
        path: '/create',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
        idempotent: false,
        requestId: 'req-2',
      });
      expect(res.status).toBe(status);
      expect(res.attempts).toBe(1);
      expect(backend.requestsTo('/api/v1/create')).toHaveLength(1);
    });

    it('never retries a POST after a connection reset', async () => {
      backend.script('/api/v1/reset', reply.reset());
      const err = await failure(
        http.send({ method: 'POST', path: '/reset', headers: {}, body: '{}', idempotent: false, requestId: 'r' }),
      );
      expect(err.kind).toBe('reset');
      expect(err.attempts).toBe(1);
      expect(err.message).toMatch(/closed the connection/);
      expect(backend.requestsTo('/api/v1/reset')).toHaveLength(1);
    });

    it('retries a GET after resets, then reports the reset clearly', async () => {
      backend.script('/api/v1/reset-get', reply.reset());
      const err = await failure(get('/reset-get'));
      expect(err.kind).toBe('reset');
      expect(err.attempts).toBe(3);
      expect(backend.requestsTo('/api/v1/reset-get')).toHaveLength(3);
    });

    it('retries a GET whose connection dies mid-body and succeeds', async () => {
      backend.script('/api/v1/cut', reply.reset({ afterHeaders: true }), reply.json(200, { whole: true }));
      const res = await get('/cut');
      expect(res.body).toEqual({ whole: true });
      expect(res.attempts).toBe(2);
    });

    it('honours Retry-After in seconds (waits at least 1 s)', async () => {
      backend.script('/api/v1/limited', reply.status(429, { 'retry-after': '1' }), reply.json(200, { ok: 1 }));
      const started = performance.now();
      const res = await get('/limited');
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.attempts).toBe(2);
      expect(elapsed).toBeGreaterThanOrEqual(995);
    });

    it('returns the 429 at once when Retry-After exceeds retryMaxDelayMs', async () => {
      backend.script('/api/v1/later', reply.status(429, { 'retry-after': '120' }), reply.json(200, {}));
      const started = performance.now();
      const res = await get('/later');
      expect(res.status).toBe(429);
      expect(res.attempts).toBe(1);
      expect(res.headers['retry-after']).toBe('120');
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('does not retry statuses outside 429/502/503/504', async () => {
      backend.script('/api/v1/broken', reply.status(500), reply.json(200, {}));
      const res = await get('/broken');
      expect(res.status).toBe(500);
      expect(res.attempts).toBe(1);
    });
  });

  describe('connection failures', () => {
    it('retries even a POST when the connection is refused (it never reached the backend)', async () => {
      const s = createServer();
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      const port = (s.address() as AddressInfo).port;
      s.close();
      await once(s, 'close');
      const refused = createBackendHttp({ client: CLIENT, baseUrl: `http://127.0.0.1:${port}`, retryBaseDelayMs: 5 });
      try {
        const err = await failure(
          refused.send({ method: 'POST', path: '/x', headers: {}, body: '{}', idempotent: false, requestId: 'r' }),
        );
        expect(err.kind).toBe('connect');
        expect(err.attempts).toBe(3);
        expect(err.message).toMatch(/could not connect to backend \(ECONNREFUSED\)/);
      } finally {
        await refused.close();
      }
    });

    it('fails a slow answer with a clear timeout error, without retrying it', async () => {
      // The limit is short next to the answer's delay but long enough for a loaded machine to send the request on
      // the connection the first call opened (a timeout that ends the wait for a connection sends nothing at all).
      const quick = createBackendHttp({ client: CLIENT, baseUrl: backend.url, timeoutMs: 2_000, retryBaseDelayMs: 5 });
      backend.script('/warm', reply.json(200, {}));
      backend.script('/slow', reply.slow(20_000, reply.json(200, {})));
      try {
        await quick.send({ method: 'GET', path: '/warm', headers: {}, idempotent: true, requestId: 'w' });
        const err = await failure(
          quick.send({ method: 'GET', path: '/slow', headers: {}, idempotent: true, requestId: 'r' }),
        );
        expect(err.kind).toBe('timeout');
        expect(err.message).toBe('backend did not answer within 2000 ms');
        expect(err.attempts).toBe(1);
        expect(backend.requestsTo('/slow')).toHaveLength(1);
      } finally {
        await quick.close();
      }
    });

    it('does not send at all when the caller already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const err = await failure(get('/never', { signal: controller.signal }));
      expect(err.kind).toBe('aborted');
      expect(err.attempts).toBe(0);
      expect(backend.requests).toHaveLength(0);
    });

    it('does not retry a request that cannot be sent', async () => {
      backend.script('/api/v1/ok', reply.json(200, {}));
      const err = await failure(get('/ok', { headers: { 'x-bad': 'a\u0000b' } }));
      expect(err.kind).toBe('invalid');
      expect(err.attempts).toBe(1);
      expect(backend.requests).toHaveLength(0);
    });

    it('stops when the caller aborts', async () => {
      backend.script('/api/v1/hang', reply.hang());
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await failure(get('/hang', { signal: controller.signal }));
      expect(err.kind).toBe('aborted');
    });
  });

  describe('bodies and headers', () => {
    const bodies = [
      { given: reply.json(200, { a: [1, 2] }), want: { body: { a: [1, 2] }, text: undefined } },
      {
        given: reply.text(200, 'application/vnd.api+json; charset=utf-8', '{"b":true}'),
        want: { body: { b: true }, text: undefined },
      },
      {
        given: reply.problem(404, { title: 'Not Found' }),
        want: { body: { status: 404, title: 'Not Found' }, text: undefined },
      },
      { given: reply.text(200, 'text/html', '<p>hi</p>'), want: { body: '<p>hi</p>', text: '<p>hi</p>' } },
      { given: reply.text(200, 'application/xml', '<a>é</a>'), want: { body: '<a>é</a>', text: '<a>é</a>' } },
      { given: reply.status(204), want: { body: undefined, text: undefined } },
      { given: reply.status(200, {}, '{"untyped":1}'), want: { body: { untyped: 1 }, text: undefined } },
      { given: reply.status(200, {}, 'plain words'), want: { body: 'plain words', text: 'plain words' } },
      {
        given: reply.text(200, 'application/pdf', '%PDF-1'),
        want: { body: Buffer.from('%PDF-1').toString('base64'), text: Buffer.from('%PDF-1').toString('base64') },
      },
    ];
    it.each(bodies)('parses JSON types only ($want.body)', async ({ given, want }) => {
      backend.script('/api/v1/body', given);
      const res = await get('/body');
      expect(res.body).toEqual(want.body);
      expect(res.text).toEqual(want.text);
    });

    it('turns malformed JSON into an error, not a crash', async () => {
      backend.script('/api/v1/bad', reply.malformedJson());
      const err = await failure(get('/bad'));
      expect(err.kind).toBe('malformed');
      expect(err.message).toBe('malformed JSON from backend (HTTP 200)');
      expect(err.attempts).toBe(1);
    });

    it('sends x-request-id, the caller headers, body, and the base path + query', async () => {
      backend.script('/api/v1/echo/a%20b', reply.echo());
      const callerHeaders = { authorization: 'Bearer t', 'content-type': 'application/json' };
      const res = await http.send({
        method: 'PUT',
        path: '/echo/a%20b',
        query: 'x=1&y=2',
        headers: callerHeaders,
        body: '{"n":1}',
        idempotent: true,
        requestId: 'req-xyz',
      });
      const seen = res.body as {
        method: string;
        path: string;
        query: string;
        headers: Record<string, string>;
        body: string;
      };
      expect(seen).toMatchObject({ method: 'PUT', path: '/api/v1/echo/a%20b', query: 'x=1&y=2', body: '{"n":1}' });
      expect(seen.headers['x-request-id']).toBe('req-xyz');
      expect(seen.headers['authorization']).toBe('Bearer t');
      // The caller's object is not changed.
      expect(callerHeaders).toEqual({ authorization: 'Bearer t', 'content-type': 'application/json' });
    });

    it('sends the request id as x-request-id over any the caller set', async () => {
      backend.script('/api/v1/id', reply.echo(), reply.echo());
      const send = (given: string, requestId: string) =>
        http.send({ method: 'GET', path: '/id', headers: { 'x-request-id': given }, idempotent: true, requestId });
      const same = (await send('req-same', 'req-same')).body as { headers: Record<string, string> };
      const other = (await send('not-ours', 'req-ours')).body as { headers: Record<string, string> };
      expect(same.headers['x-request-id']).toBe('req-same');
      expect(other.headers['x-request-id']).toBe('req-ours');
    });

    it('refuses bodies above maxBodyBytes', async () => {
      const small = createBackendHttp({ client: CLIENT, baseUrl: backend.url, maxBodyBytes: 100 });
      backend.script('/big', reply.json(200, { s: 'x'.repeat(500) }));
      try {
        const err = await failure(
          small.send({ method: 'GET', path: '/big', headers: {}, idempotent: true, requestId: 'r' }),
        );
        expect(err.kind).toBe('too-large');
      } finally {
        await small.close();
      }
    });

    it('reads header fields in any case, joins repeated ones, and counts an undeclared body against the limit', async () => {
      // A backend of its own: repeated fields, upper-case names and a chunked body with no content-length.
      const raw = createServer((req, res) => {
        res.setHeader('X-Repeated', ['one', 'two']);
        res.setHeader('Content-Type', 'application/json');
        res.write('{"s":"');
        res.write('y'.repeat(req.url === '/chunked-big' ? 500 : 10));
        res.end('"}');
      });
      raw.listen(0, '127.0.0.1');
      await once(raw, 'listening');
      const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
      const small = createBackendHttp({ client: CLIENT, baseUrl: origin, maxBodyBytes: 100 });
      try {
        const res = await small.send({
          method: 'GET',
          path: '/chunked',
          headers: {},
          idempotent: true,
          requestId: 'r',
        });
        expect(res.headers['x-repeated']).toBe('one, two');
        expect(res.headers['content-type']).toBe('application/json');
        expect(res.body).toEqual({ s: 'y'.repeat(10) });
        const err = await failure(
          small.send({ method: 'GET', path: '/chunked-big', headers: {}, idempotent: true, requestId: 'r' }),
        );
        expect(err.kind).toBe('too-large');
        expect(err.status).toBe(200);
      } finally {
        await small.close();
        raw.close();
      }
    });
  });
});

describe('the undici client with every connection busy', () => {
  it('ends a cancelled request that waits for a connection, and never sends it', async () => {
    const backend = await startFaultBackend();
    const http = createBackendHttp({ baseUrl: backend.url, connections: 1, timeoutMs: 1000, maxAttempts: 1 });
    try {
      backend.script('/busy', reply.hang());
      backend.script('/queued', reply.json(200, {}));
      const first = http.send({ method: 'GET', path: '/busy', headers: {}, idempotent: true, requestId: 'a' });
      const controller = new AbortController();
      const second = http.send({
        method: 'GET',
        path: '/queued',
        headers: {},
        idempotent: true,
        requestId: 'b',
        signal: controller.signal,
      });
      controller.abort();
      const [one, two] = await Promise.allSettled([first, second]);
      expect(one.status === 'rejected' && (one.reason as BackendHttpError).kind).toBe('timeout');
      expect(two.status === 'rejected' && (two.reason as BackendHttpError).kind).toBe('aborted');
      expect(backend.requestsTo('/queued')).toHaveLength(0);
    } finally {
      await http.close();
      await backend.close();
    }
  });
});

describe('classify: each runtime failure names its cause, never "(unknown)"', () => {
  const cases = [
    {
      runtime: 'Node (undici)',
      given: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      kind: 'connect',
      message: /\(ECONNREFUSED\)/,
    },
    {
      runtime: 'Deno (fetch)',
      given: new TypeError(
        'error sending request for url (http://127.0.0.1:9/x?key=secret): client error (Connect): tcp connect error: Connection refused (os error 111)',
      ),
      kind: 'connect',
      message: /\(ECONNREFUSED\)/,
    },
    {
      runtime: 'Bun (fetch)',
      given: Object.assign(new Error('Unable to connect. Is the computer able to access the url?'), {
        code: 'ConnectionRefused',
      }),
      kind: 'connect',
      message: /ConnectionRefused/,
    },
    { runtime: 'workerd (fetch)', given: new Error('Network connection lost.'), kind: 'reset', message: /ECONNRESET/ },
    {
      runtime: 'any, words only',
      given: new TypeError('fetch failed', { cause: new Error('other side said no at https://x.example/p?token=1') }),
      kind: 'network',
      message: /^backend request failed \(other side said no at <url>\)$/,
    },
    {
      runtime: 'any, nothing at all',
      given: {},
      kind: 'network',
      message: /^backend request failed \(no cause given by the runtime\)$/,
    },
  ];
  it.each(cases)('$runtime', ({ given, kind, message }) => {
    const err = classify(given, 1, 5000);
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/unknown|secret|token=/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const cases = [
    { given: '1', want: 1000 },
    { given: ' 30 ', want: 30_000 },
    { given: 'Wed, 01 Jan 2025 00:00:05 GMT', want: 5000 },
    { given: 'Tue, 31 Dec 2024 23:00:00 GMT', want: 0 },
    { given: 'soon', want: undefined },
    { given: '-1', want: undefined },
    { given: undefined, want: undefined },
  ];
  it.each(cases)('$given → $want', ({ given, want }) => {
    expect(parseRetryAfter(given, now)).toBe(want);
  });
});
