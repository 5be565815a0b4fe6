/**
 * Unexpected errors as log fields, scrubbed of credentials (RFC 6750 §2.1 bearer tokens, RFC 7519 JWTs, and the
 * call's own session id and outbound auth header values), since an exception message can quote anything.
 */

/** `Bearer …`/`Basic …`/`Token …` credentials: the scheme is kept, the credential replaced. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]+=*/gi;
/** Compact JWTs (three base64url parts, the first a JSON header). */
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** A log-safe description of an error: type, scrubbed message and scrubbed stack. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(JWT, '[redacted]');
  return out.replace(AUTH_SCHEME, '$1 [redacted]');
}

/** Describes `err` for the log with `secrets` (and anything credential-shaped) replaced by `[redacted]`. */
export function errorForLog(err: unknown, secrets: readonly string[]): LoggedError {
  if (err instanceof Error) {
    const out: LoggedError = { type: err.name, message: scrub(err.message, secrets) };
    if (err.stack !== undefined) out.stack = scrub(err.stack, secrets);
    return out;
  }
  return { type: typeof err, message: scrub(String(err), secrets) };
}
