/**
 * Origin and CORS handling of the Streamable HTTP endpoint (MCP 2026-07-28, Streamable HTTP, "Security &
 * Endpoint": an invalid `Origin` gets 403; Fetch standard §3.2 for the CORS headers and preflights).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '../http-guards.js';
import type { HttpAnswer, HttpRequestLike } from './exchange.js';
import { empty, rpcError } from './replies.js';

/** Header names as sent by browsers in `Access-Control-Request-Headers`. */
const HEADER_LIST_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** The CORS headers to add to every answer (none without an `Origin`), or the 403 for a foreign origin. */
export type CorsVerdict = { refusal: HttpAnswer } | { headers: Record<string, string> | undefined };

/** No `Origin`: no CORS headers. */
const NO_ORIGIN: CorsVerdict = { headers: undefined };

/** Checks the request's `Origin`. */
export function corsFor(req: HttpRequestLike, originAllowed: (origin: string) => boolean): CorsVerdict {
  const origin = req.header('origin');
  if (origin === undefined) return NO_ORIGIN;
  // Same-origin requests (the Origin names the already validated Host) are allowed: no cross-site caller.
  if (!originAllowed(origin) && !isSameOrigin(origin, req.header('host'))) {
    return { refusal: rpcError(403, null, ErrorCode.ServerError, 'Forbidden: Origin not allowed') };
  }
  return {
    headers: {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS_EXPOSE_HEADERS,
      vary: 'Origin',
    },
  };
}

/** The answer to a CORS preflight (OPTIONS). */
export function preflight(req: HttpRequestLike): HttpAnswer {
  const requested = req.header('access-control-request-headers');
  return empty(204, {
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers':
      requested !== undefined && HEADER_LIST_PATTERN.test(requested) ? requested : CORS_ALLOW_HEADERS,
    'access-control-max-age': '600',
  });
}

/** Whether `origin` is `http(s)://<host>` for the request's own `Host`. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const o = origin.toLowerCase();
  const h = host.toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}
