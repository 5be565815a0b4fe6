import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendFetch, createBackendHttp, type BackendHttp } from '../../src/backend/backend-http.js';
import { reply, startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';

let backend: FaultBackend;
let http: BackendHttp;

beforeAll(async () => {
  backend = await startFaultBackend();
  http = createBackendHttp({ baseUrl: `${backend.url}/base`, retryBaseDelayMs: 5 });
});
afterAll(async () => {
  await http.close();
  await backend.close();
});

interface Echo {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

describe('createBackendFetch', () => {
  it('serves an openapi-fetch client through the pool (path, query, body, request id)', async () => {
    backend.script('/base/items/7', reply.echo(201));
    const client = createClient({ baseUrl: `${backend.url}/base`, fetch: createBackendFetch(http) });
    const res = await client.POST(
      '/items/{id}' as never,
      {
        params: { path: { id: 7 }, query: { q: 'a b' } },
        body: { name: 'x' },
        headers: { 'x-request-id': 'rid-1' },
      } as never,
    );
    expect(res.response.status).toBe(201);
    const echo = res.data as unknown as Echo;
    expect(echo).toMatchObject({ method: 'POST', path: '/base/items/7', query: 'q=a%20b', body: '{"name":"x"}' });
    expect(echo.headers['x-request-id']).toBe('rid-1');
    expect(echo.headers['content-type']).toBe('application/json');
  });

  it('retries idempotent requests by method, like send()', async () => {
    backend.script('/base/flaky', reply.status(503), reply.json(200, { ok: true }));
    const f = createBackendFetch(http);
    const res = await f(`${backend.url}/base/flaky`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(backend.requestsTo('/base/flaky')).toHaveLength(2);
  });

  it('keeps no-content responses bodiless', async () => {
    backend.script('/base/gone', reply.status(204));
    const res = await createBackendFetch(http)(`${backend.url}/base/gone`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  const outside = [{ given: 'http://127.0.0.2:1/base/x' }, { given: 'OTHER_PATH' }, { given: 'PREFIX_LOOKALIKE' }];
  it.each(outside)('refuses URLs outside the base URL: $given', async ({ given }) => {
    const url =
      given === 'OTHER_PATH'
        ? `${backend.url}/elsewhere`
        : given === 'PREFIX_LOOKALIKE'
          ? `${backend.url}/basement`
          : given;
    await expect(createBackendFetch(http)(url)).rejects.toThrow(/outside the backend base URL/);
  });
});
