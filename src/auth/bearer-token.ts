/**
 * Reading a bearer token from an `Authorization` header (RFC 6750 §2.1; OAuth 2.1 §5.2: tokens only in the
 * header, never in the query string).
 */

/** What the header held. */
export type BearerExtraction = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'token'; token: string };

/** RFC 6750 §2.1 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Any visible ASCII: static API keys are not required to be b64tokens. */
const VISIBLE = /^[\x21-\x7E]+$/;

/**
 * `Bearer <token>` (scheme case-insensitive) → the token. A missing header or another scheme is `missing`
 * (RFC 6750 §3.1: no error code when no credentials were sent); a bearer header with a bad value is `malformed`.
 * `strict: false` accepts any visible ASCII value (API keys).
 */
export function extractBearerToken(
  authorization: string | undefined,
  options: { strict?: boolean } = {},
): BearerExtraction {
  if (authorization === undefined) return { kind: 'missing' };
  // The usual form, `Bearer <b64token>`, without the general pattern below (it gives the same token for it).
  if (authorization.startsWith('Bearer ')) {
    const token = authorization.slice(7);
    if (B64TOKEN.test(token)) return { kind: 'token', token };
  }
  const match = /^\s*(\S+)(?:\s+(.*))?$/.exec(authorization);
  if (match?.[1]?.toLowerCase() !== 'bearer') return { kind: 'missing' };
  const token = (match[2] ?? '').trim();
  if (!(options.strict === false ? VISIBLE : B64TOKEN).test(token)) return { kind: 'malformed' };
  return { kind: 'token', token };
}
