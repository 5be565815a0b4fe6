/**
 * Credential redaction for text the server passes on (tool error results, log lines): the exact credentials sent
 * on the request (RFC 9110 §11.6.2 `Authorization` values and other outbound auth headers, and their RFC 6750 §2.1
 * bearer token part), plus anything shaped like a compact JWT (RFC 7519 §3) or a long `Bearer`/`Basic`
 * credential. A backend may echo its request headers in an error body; the model must never see them.
 */

/** Compact JWTs (three base64url parts, the first a JSON header). */
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** `Bearer …`/`Basic …` with a credential long enough not to be an English word ("Bearer token"). */
const LONG_CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{16,}=*/gi;
/** Shorter values are not searched for: they would redact ordinary words. */
const MIN_SECRET_CHARS = 8;
export const REDACTED = '[redacted]';

/** The secrets in outbound auth header values: each whole value, and the credential after its scheme. */
export function headerSecrets(headers: Readonly<Record<string, string>>, into: string[] = []): string[] {
  for (const value of Object.values(headers)) {
    into.push(value);
    const space = value.indexOf(' ');
    if (space > 0) into.push(value.slice(space + 1).trim());
  }
  return into;
}

/** `text` with every one of `secrets`, every JWT and every long bearer/basic credential replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a whole header value goes before the token inside it.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= MIN_SECRET_CHARS && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out.replace(JWT, REDACTED).replace(LONG_CREDENTIAL, `$1 ${REDACTED}`);
}
