/**
 * Runtime configuration: command-line flags over environment variables over `.env` over defaults.
 * Every setting is listed once in {@link SETTINGS} so that the README's table and `--help` stay true.
 * Per-backend settings are read from `<BACKEND>_<NAME>` (e.g. `FINOPPS_BACKEND_URL`) so a third backend needs no code.
 */

/** One documented setting. */
export interface SettingDoc {
  env: string;
  flag?: string;
  default: string;
  description: string;
}

/** Connection limits of the HTTP server (applied by src/transport/http-limits.ts). */
export interface HttpServerLimits {
  /** Time a client has to send a request's headers; then 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request (headers and body); then 408 and closed. */
  requestTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** Open connections accepted; one more gets 503 and is closed. 0: no cap. */
  maxConnections: number;
}

/** The defaults of {@link HttpServerLimits}, stated once: the SETTINGS rows and the HTTP transport use these. */
export const DEFAULT_HTTP_SERVER_LIMITS: Readonly<HttpServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
});

/** Every global setting, in README order. `<BACKEND>` stands for the upper-cased backend name. */
export const SETTINGS: readonly SettingDoc[] = [
  { env: 'FINMCP_TRANSPORT', flag: '--transport', default: 'stdio', description: '`stdio` or `http`' },
  { env: 'FINMCP_HOST', flag: '--host', default: '127.0.0.1', description: 'HTTP bind address (loopback unless told otherwise)' },
  { env: 'FINMCP_PORT', flag: '--port', default: '3000', description: 'HTTP port' },
  { env: 'FINMCP_PUBLIC_URL', flag: '--public-url', default: 'http://<host>:<port>', description: 'External base URL (behind a proxy); OAuth resource URLs derive from it' },
  { env: 'FINMCP_SANDBOX', flag: '--sandbox', default: 'false', description: 'Start the Prism mock of each spec (and the sandbox OAuth server) instead of calling real backends' },
  { env: 'FINMCP_ALLOWED_ORIGINS', flag: '--allowed-origins', default: 'http://localhost:6274,http://127.0.0.1:6274', description: 'Comma-separated browser origins allowed to call the HTTP endpoint (others get 403)' },
  { env: 'FINMCP_ALLOWED_HOSTS', default: 'loopback names with the port, plus the public URL host', description: 'Comma-separated Host header values accepted (DNS-rebinding protection)' },
  { env: 'FINMCP_TOOLS', flag: '--tools', default: '(all)', description: 'Serve only tools whose name matches one of these comma-separated globs (`*`, `?`)' },
  { env: 'FINMCP_TAGS', flag: '--tags', default: '(all)', description: 'Serve only operations carrying one of these comma-separated OpenAPI tags' },
  { env: 'FINMCP_READ_ONLY', flag: '--read-only', default: 'false', description: 'Serve only operations that change nothing (GET, HEAD) and read-only hand-written tools' },
  { env: 'FINMCP_DYNAMIC', flag: '--dynamic', default: 'false', description: 'List three meta-tools (search_tools, describe_tool, call_tool) instead of every operation: for APIs too big to list' },
  { env: 'FINMCP_LOG_LEVEL', flag: '--log-level', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  { env: 'FINMCP_TIMEOUT_MS', default: '30000', description: 'Total time per backend attempt' },
  { env: 'FINMCP_CONNECT_TIMEOUT_MS', default: '5000', description: 'Backend connect timeout' },
  { env: 'FINMCP_MAX_ATTEMPTS', default: '3', description: 'Attempts for idempotent backend calls (429/502/503/504, connection errors)' },
  { env: 'FINMCP_MAX_RESPONSE_BYTES', default: '200000', description: 'Tool results larger than this are cut, with a note saying how to get the rest' },
  { env: 'FINMCP_HEADERS_TIMEOUT_MS', default: String(DEFAULT_HTTP_SERVER_LIMITS.headersTimeoutMs), description: 'Time an HTTP client has to send its request headers (408 and closed after: slow clients cannot hold connections)' },
  { env: 'FINMCP_REQUEST_TIMEOUT_MS', default: String(DEFAULT_HTTP_SERVER_LIMITS.requestTimeoutMs), description: 'Time an HTTP client has to send a whole request, body included (408 and closed after)' },
  { env: 'FINMCP_KEEP_ALIVE_TIMEOUT_MS', default: String(DEFAULT_HTTP_SERVER_LIMITS.keepAliveTimeoutMs), description: 'Idle time after which a keep-alive HTTP connection is closed (behind a proxy: more than its idle timeout)' },
  { env: 'FINMCP_MAX_CONNECTIONS', default: String(DEFAULT_HTTP_SERVER_LIMITS.maxConnections), description: 'Open HTTP connections accepted; one more is answered 503 with Retry-After and closed; 0 turns the cap off' },
  { env: 'FINMCP_MAX_BODY_BYTES', default: '8388608', description: 'Largest accepted HTTP request body (413 above)' },
  { env: 'FINMCP_RATE_LIMIT_PER_MINUTE', default: '600', description: 'Requests per principal (per address without a credential) per minute over HTTP (429 above); 0 turns the limit off' },
  { env: 'FINMCP_RATE_LIMIT_BURST', default: 'the per-minute limit', description: 'Requests a caller may make at once after being idle' },
  { env: 'FINMCP_SESSION_IDLE_TTL_MS', default: '1800000', description: 'Idle time after which a stateful session ends' },
  { env: 'FINMCP_MAX_SESSIONS', default: '10000', description: 'Open sessions kept; when full, the least recently used session holding no login is evicted, and a new session is refused (503) when every one holds a login' },
  { env: 'FINMCP_MAX_SESSIONS_PER_CALLER', default: '1000', description: 'Open sessions per principal (per client address for the anonymous principal); a new one beyond it ends that caller\'s own least recently used session' },
  { env: 'FINMCP_STATE_STORE', default: 'memory', description: 'Where sessions, sign-ins and rate-limit buckets live: `memory` (one instance) or a `redis://` / `rediss://` URL shared by several instances (see docs/deployment.md)' },
  { env: 'FINMCP_STATE_KEY', default: '(none; required with Redis)', description: 'Base64 secret of at least 32 bytes that encrypts state at rest in Redis (AES-256-GCM) and hashes its key names; make one with `openssl rand -base64 32`' },
  { env: 'FINMCP_STATE_TIMEOUT_MS', default: '1000', description: 'Longest one Redis command may take; past it the call gets a "state store unavailable" error (HTTP 503)' },
  { env: 'FINMCP_API_KEYS', default: '(none)', description: 'Inbound static API keys `id:key,id2:key2` for backends without OAuth (required to bind a stateful backend to a non-loopback address)' },
  { env: 'FINMCP_SANDBOX_AUTH_PORT', default: '4455', description: 'Port of the sandbox OAuth authorization server' },
  { env: 'FINMCP_SANDBOX_USER', default: 'alice', description: 'Sandbox user whose token a stdio server obtains when no access token is configured' },
  { env: '<BACKEND>_BACKEND_URL', flag: '--backend-url', default: '(sandbox when unset)', description: 'Base URL of the real backend' },
  { env: '<BACKEND>_OAUTH_ISSUER', default: '(sandbox issuer)', description: 'Authorization server trusted for inbound tokens' },
  { env: '<BACKEND>_OAUTH_JWKS_URI', default: '(discovered)', description: 'JWKS of that authorization server' },
  { env: '<BACKEND>_OAUTH_CLIENT_IDS', default: '(none)', description: 'Cognito-style tokens (no `aud`) accepted only from these client ids' },
  { env: '<BACKEND>_ORG_CLAIM', default: 'cognito:groups', description: 'Token claim holding the caller\'s organisations (tenant binding)' },
  { env: '<BACKEND>_ACCESS_TOKEN', default: '(none)', description: 'stdio only: the user access token, validated like an HTTP bearer token' },
  { env: '<BACKEND>_TOKEN_URL', default: '(sandbox)', description: 'Token endpoint for the server\'s own client-credentials token to the backend' },
  { env: '<BACKEND>_CLIENT_ID', default: '(sandbox)', description: 'Client id of the server\'s backend service credential' },
  { env: '<BACKEND>_CLIENT_SECRET', default: '(sandbox)', description: 'Client secret of that credential' },
  { env: '<BACKEND>_SCOPE', default: '(all scopes of the spec)', description: 'Scopes requested for the service token' },
  { env: '<BACKEND>_API_KEY', default: '(sandbox: a placeholder)', description: 'Backends without an override module: the key for the spec\'s `apiKey` schemes (header or cookie)' },
  { env: '<BACKEND>_BEARER_TOKEN', default: '(sandbox: a placeholder)', description: 'Backends without an override module: the token for `http` bearer, `oauth2` and `openIdConnect` schemes' },
  { env: '<BACKEND>_BASIC_AUTH', default: '(sandbox: a placeholder)', description: 'Backends without an override module: `user:password` for `http` basic schemes' },
  { env: '<BACKEND>_VERIFY_TOKEN', default: 'finmcp-verify', description: 'Bearer token `finmcp verify` sends to a real backend' },
  { env: 'B4B_MAX_XML_BYTES', default: '5242880', description: 'Largest XML document `import_invoice_xml` accepts' },
  { env: 'B4B_REQUIRE_CONFIRMATION', default: 'false', description: 'Refuse `create_entity`, `update_entity` and `import_invoice_xml` when the MCP client cannot ask the user to confirm them (no form-mode elicitation)' },
  { env: 'B4B_PHONE / B4B_PASSWORD', default: '(none)', description: 'stdio only: sign the session in with these instead of calling `login`' },
];

/** Reads settings from an environment map (process.env after `.env` was loaded). */
export class Settings {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** A global setting, or the fallback. */
  get(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  /** An optional global setting. */
  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A per-backend setting `<BACKEND>_<name>`. */
  backend(backend: string, name: string): string | undefined {
    return this.optional(`${envPrefix(backend)}_${name}`);
  }

  /** A positive integer setting; a malformed value is a start-up error naming the variable. */
  int(name: string, fallback: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new ConfigError(`${name} must be a non-negative integer (got "${raw}")`);
    }
    return value;
  }

  /** A comma-separated list setting. */
  list(name: string, fallback: string[]): string[] {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** A boolean setting (`1`, `true`, `yes`). */
  bool(name: string): boolean {
    return /^(1|true|yes)$/i.test(this.optional(name) ?? '');
  }
}

/** The HTTP server's connection limits from FINMCP_* settings over {@link DEFAULT_HTTP_SERVER_LIMITS}. */
export function readHttpServerLimits(settings: Settings): HttpServerLimits {
  const d = DEFAULT_HTTP_SERVER_LIMITS;
  const limits: HttpServerLimits = {
    headersTimeoutMs: settings.int('FINMCP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs),
    requestTimeoutMs: settings.int('FINMCP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs),
    keepAliveTimeoutMs: settings.int('FINMCP_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs),
    maxConnections: settings.int('FINMCP_MAX_CONNECTIONS', d.maxConnections),
  };
  for (const [name, value] of [['FINMCP_HEADERS_TIMEOUT_MS', limits.headersTimeoutMs], ['FINMCP_REQUEST_TIMEOUT_MS', limits.requestTimeoutMs]] as const) {
    if (value === 0) throw new ConfigError(`${name} must be at least 1 (a request without a time limit could hold its connection forever)`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('FINMCP_HEADERS_TIMEOUT_MS must not exceed FINMCP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }
  return limits;
}

/** Environment-variable prefix of a backend: `my-api` → `MY_API`. */
export function envPrefix(backend: string): string {
  return backend.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** A configuration mistake the user must fix; printed without a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
