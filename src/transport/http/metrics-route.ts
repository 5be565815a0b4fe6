/**
 * `GET /metrics`: the Prometheus text exposition of the server's metrics (FINMCP_METRICS). It is reached through
 * the same `Host` (DNS rebinding) and `Origin` checks as the MCP endpoints, is not rate limited (like `/healthz`:
 * scrapers poll it), and with FINMCP_METRICS_TOKEN answers only `Authorization: Bearer <token>` (compared as the
 * static API keys are: digests, constant time). The values carry backend and tool names and outcomes only, no
 * principal, tenant, argument or secret; the HTTP server refuses to serve them beyond loopback without the token.
 */
import { createApiKeyAuth } from '../../auth/api-keys.js';
import type { InboundAuth } from '../../auth/inbound-auth.js';
import type { MetricsExposition } from '../../observability/call-observer.js';
import type { HttpAnswer, HttpRequestLike } from './exchange.js';
import { empty, json } from './replies.js';

/** The path metrics are served at. */
export const METRICS_PATH = '/metrics';

/** What the `/metrics` route serves, and the token it asks for. */
export interface MetricsRouteOptions {
  exposition: MetricsExposition;
  /** Bearer token required of scrapers; none: any caller that passes the Host and Origin checks. */
  token?: string;
}

/** Answers `/metrics`. */
export class MetricsRoute {
  readonly #exposition: MetricsExposition;
  readonly #auth: InboundAuth | undefined;

  constructor(options: MetricsRouteOptions) {
    this.#exposition = options.exposition;
    this.#auth =
      options.token === undefined ? undefined : createApiKeyAuth({ keys: [{ id: 'metrics', key: options.token }] });
  }

  async serve(req: HttpRequestLike): Promise<HttpAnswer> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return empty(405, { allow: 'GET, HEAD' });
    if (this.#auth !== undefined) {
      const verdict = await this.#auth.authenticate(req.header('authorization'));
      if (!verdict.ok) return json(verdict.status, JSON.stringify(verdict.body), verdict.headers);
    }
    const { contentType, body } = await this.#exposition.render();
    const headers = {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
    };
    return req.method === 'HEAD' ? { status: 200, headers } : { status: 200, headers, body };
  }
}
