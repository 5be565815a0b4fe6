/**
 * A WHATWG `fetch` (Fetch Standard §5.1) adapter over {@link BackendHttp}, so that hand-written tools using the
 * generated openapi-fetch client (`createApiClient({ baseUrl, fetch })`) share the backend's pool, timeouts and
 * retry rules. Idempotency comes from the method (RFC 9110 §9.2.2).
 */
import { randomUUID } from 'node:crypto';
import type { BackendHttp } from './backend-types.js';

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Statuses whose Response must not carry a body (Fetch Standard "null body status"). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * Returns a `fetch` that sends through `http`. Only URLs under `http.baseUrl` are accepted: the adapter never
 * reaches any other host. An `x-request-id` request header is reused as the request id.
 */
export function createBackendFetch(http: BackendHttp): typeof fetch {
  const base = new URL(http.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const backendFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== base.origin || (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))) {
      throw new TypeError('fetch: URL is outside the backend base URL');
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const method = request.method.toUpperCase();
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const res = await http.send({
      method,
      path: url.pathname.slice(basePath.length) || '/',
      query: url.search.slice(1),
      headers,
      body,
      idempotent: IDEMPOTENT_METHODS.has(method),
      requestId: headers['x-request-id'] ?? randomUUID(),
      raw: true,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const resBody = NULL_BODY_STATUSES.has(res.status) || method === 'HEAD' ? null : (res.raw ?? null);
    return new Response(resBody, { status: res.status, headers: res.headers });
  };
  return backendFetch as typeof fetch;
}
