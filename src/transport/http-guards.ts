/**
 * Request guards of the Streamable HTTP transport (MCP 2025-11-25, Basic / Transports, "Security Warning"):
 * servers MUST validate `Origin` on incoming connections, and SHOULD bind to localhost and protect against
 * DNS rebinding, which we do by accepting only known `Host` values (RFC 9110 §7.2).
 */

/** Hosts accepted by default: the loopback names with the bound port. */
export function defaultAllowedHosts(port: number, bindHost: string, publicUrl?: string): string[] {
  const hosts = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  if (!isWildcardHost(bindHost) && !isLoopbackHost(bindHost)) hosts.push(formatHostPort(bindHost, port));
  if (publicUrl !== undefined) hosts.push(new URL(publicUrl).host);
  return hosts;
}

/** Whether `host` is a loopback name or address (safe to serve without inbound authentication). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The name of a `Host` value or allowed-hosts entry, without its port or IPv6 brackets (`[::1]:80` → `::1`). */
export function hostName(value: string): string {
  const entry = value.trim().toLowerCase();
  const name = hasPort(entry) ? entry.slice(0, entry.lastIndexOf(':')) : entry;
  return name.replace(/^\[|\]$/g, '');
}

/** An allowed-hosts entry as a `Host` value: with `port` when it names none (`example.com` → `example.com:3000`). */
export function hostWithPort(entry: string, port: number): string {
  const value = entry.trim();
  return hasPort(value) ? value : formatHostPort(value, port);
}

/** Whether `host` binds every interface. */
function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/** `host:port`, bracketing IPv6 literals. */
function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Matcher for `Host` header values. An entry with a port (`example.com:8443`) must match exactly; an entry
 * without one (`example.com`) matches that name on any port. Comparison ignores case.
 */
export function createHostMatcher(entries: readonly string[]): (host: string | undefined) => boolean {
  const exact = new Set<string>();
  const names = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (hasPort(entry)) exact.add(entry);
    else names.add(entry);
  }
  return (host) => {
    if (host === undefined || host === '') return false;
    const value = host.toLowerCase();
    if (exact.has(value)) return true;
    if (names.size === 0) return false;
    return names.has(hasPort(value) ? value.slice(0, value.lastIndexOf(':')) : value);
  };
}

/** Whether a host value ends in `:port` (IPv6 literals are bracketed). */
function hasPort(value: string): boolean {
  const colon = value.lastIndexOf(':');
  return colon > value.lastIndexOf(']') && colon !== -1 && /^\d+$/.test(value.slice(colon + 1));
}

/** Matcher for `Origin` header values against the configured origins (scheme://host[:port], case-insensitive). */
export function createOriginMatcher(origins: readonly string[]): (origin: string) => boolean {
  const allowed = new Set(origins.map((o) => o.trim().toLowerCase().replace(/\/+$/, '')).filter((o) => o !== ''));
  return (origin) => allowed.has(origin.toLowerCase());
}

/** Headers a browser may send on MCP requests (answered in CORS preflights, Fetch standard §3.2.3). */
export const CORS_ALLOW_HEADERS =
  'Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID, X-Request-Id';
/** Response headers a browser client must be able to read. */
export const CORS_EXPOSE_HEADERS = 'Mcp-Session-Id, WWW-Authenticate, Retry-After, MCP-Protocol-Version';
