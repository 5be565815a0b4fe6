/**
 * Unexpected errors as log fields, scrubbed of credentials (RFC 6750 §2.1 bearer tokens, RFC 7519 JWTs, and the
 * call's own session id and outbound auth header values), since an exception message can quote anything.
 */
import { redactSecrets } from './redact.js';

/** `Bearer …`/`Basic …`/`Token …` credentials of any length: in logs, over-redacting costs nothing. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]+=*/gi;

/** A log-safe description of an error: type, scrubbed message and scrubbed stack. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
}

function scrub(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets).replace(AUTH_SCHEME, '$1 [redacted]');
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
