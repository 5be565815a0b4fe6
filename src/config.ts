/**
 * Runtime configuration: command-line flags over environment variables over `.env` over defaults.
 * Every setting is a row of one typed table, {@link SETTINGS} (global) or {@link BACKEND_SETTINGS} (per backend,
 * read from `<BACKEND>_<NAME>`, e.g. `ACME_BACKEND_URL`, so a third backend needs no code): its variable, its
 * flag, the type its readers get, its default and the README's description. Settings are read only through these
 * rows ({@link Settings.read}, {@link Settings.readBackend}); code that needs a default reads it from its row
 * (e.g. `SETTINGS.maxSessions.default`), so each default is stated once. A backend's own settings (e.g. a limit of
 * one of its hand-written tools) are rows declared in its folder (`src/overrides/<backend>/settings.ts`) and merged
 * into the documented table by {@link documentedSettings}.
 */

interface SettingBase {
  /** Environment variable; for {@link BACKEND_SETTINGS} the part after `<BACKEND>_`. */
  env: string;
  flag?: string;
  description: string;
  /** The README's words for the default when it is computed or absent (else the value itself is shown). */
  shown?: string;
  /** A credential: never shown, marked sensitive where a host asks for it (an MCP Bundle's user configuration). */
  secret?: boolean;
}

/** A non-negative integer (`max` when the value has a ceiling, e.g. a port). */
export interface IntSetting<D extends number | undefined = number | undefined> extends SettingBase {
  type: 'int';
  default: D;
  min?: number;
  max?: number;
}

/** `1`, `true`, `yes` (any case) turn it on. */
export interface BoolSetting extends SettingBase {
  type: 'bool';
  default: boolean;
}

/** Free text, or one of `choices`. */
export interface TextSetting<D extends string | undefined = string | undefined> extends SettingBase {
  type: 'text';
  default: D;
  choices?: readonly string[];
}

/** A comma-separated list; blanks are dropped. */
export interface ListSetting<D extends readonly string[] | undefined = readonly string[] | undefined>
  extends SettingBase {
  type: 'list';
  default: D;
}

/** One row of the settings table. */
export type SettingDef = IntSetting | BoolSetting | TextSetting | ListSetting;

/** The type a reader of `S` gets: the default's type when there is one, else that type or undefined. */
export type SettingValue<S extends SettingDef> =
  S extends IntSetting<infer D>
    ? number | D
    : S extends BoolSetting
      ? boolean
      : S extends TextSetting<infer D>
        ? string | D
        : S extends ListSetting<infer D>
          ? string[] | D
          : never;

type More = Omit<SettingBase, 'env' | 'description'>;

/** An integer setting. */
export function intSetting<D extends number | undefined>(
  env: string,
  fallback: D,
  description: string,
  more: More & { min?: number; max?: number } = {},
): IntSetting<D> {
  return { type: 'int', env, default: fallback, description, ...more };
}
/** A boolean setting, off unless set. */
export function boolSetting(env: string, description: string, more: More = {}): BoolSetting {
  return { type: 'bool', env, default: false, description, ...more };
}
/** A text setting. */
export function textSetting<D extends string | undefined>(
  env: string,
  fallback: D,
  description: string,
  more: More & { choices?: readonly string[] } = {},
): TextSetting<D> {
  return { type: 'text', env, default: fallback, description, ...more };
}
export function listSetting<D extends readonly string[] | undefined>(
  env: string,
  fallback: D,
  description: string,
  more: More = {},
): ListSetting<D> {
  return { type: 'list', env, default: fallback, description, ...more };
}

/** Every global setting, in README order. */
export const SETTINGS = {
  transport: textSetting('FINMCP_TRANSPORT', 'stdio', '`stdio` or `http`', {
    flag: '--transport',
    choices: ['stdio', 'http'],
  }),
  host: textSetting('FINMCP_HOST', '127.0.0.1', 'HTTP bind address (loopback unless told otherwise)', {
    flag: '--host',
  }),
  port: intSetting('FINMCP_PORT', 3000, 'HTTP port', { flag: '--port', max: 65_535 }),
  publicUrl: textSetting(
    'FINMCP_PUBLIC_URL',
    undefined,
    'External base URL (behind a proxy); OAuth resource URLs derive from it',
    { flag: '--public-url', shown: 'http://<host>:<port>' },
  ),
  sandbox: boolSetting(
    'FINMCP_SANDBOX',
    'Start the Prism mock of each spec (and the sandbox OAuth server) instead of calling real backends',
    { flag: '--sandbox' },
  ),
  allowedOrigins: listSetting(
    'FINMCP_ALLOWED_ORIGINS',
    ['http://localhost:6274', 'http://127.0.0.1:6274'],
    'Comma-separated browser origins allowed to call the HTTP endpoint (others get 403)',
    { flag: '--allowed-origins' },
  ),
  allowedHosts: listSetting(
    'FINMCP_ALLOWED_HOSTS',
    undefined,
    'Comma-separated Host header values accepted (DNS-rebinding protection)',
    { shown: 'loopback names with the port, plus the public URL host' },
  ),
  tools: textSetting(
    'FINMCP_TOOLS',
    undefined,
    'Serve only tools whose name matches one of these comma-separated globs (`*`, `?`)',
    { flag: '--tools', shown: '(all)' },
  ),
  tags: textSetting(
    'FINMCP_TAGS',
    undefined,
    'Serve only operations carrying one of these comma-separated OpenAPI tags',
    { flag: '--tags', shown: '(all)' },
  ),
  readOnly: boolSetting(
    'FINMCP_READ_ONLY',
    'Serve only operations that change nothing (GET, HEAD) and read-only hand-written tools',
    { flag: '--read-only' },
  ),
  dynamic: boolSetting(
    'FINMCP_DYNAMIC',
    'List three meta-tools (search_tools, describe_tool, call_tool) instead of every operation: for APIs too big to list',
    { flag: '--dynamic' },
  ),
  code: boolSetting(
    'FINMCP_CODE',
    'List two tools (search_api, run_code) instead of every operation: the model writes one short program against a typed `api` for questions that take many calls',
    { flag: '--code' },
  ),
  codeCpuMs: intSetting(
    'FINMCP_CODE_CPU_MS',
    1_000,
    'Code mode: CPU time one program may spend running (waiting for API calls not counted)',
    { min: 1 },
  ),
  codeWallMs: intSetting('FINMCP_CODE_WALL_MS', 30_000, 'Code mode: wall time of one program run, API calls included', {
    min: 1,
  }),
  codeMemoryMb: intSetting('FINMCP_CODE_MEMORY_MB', 64, 'Code mode: memory one program may allocate, in MiB', {
    min: 1,
  }),
  codeMaxCalls: intSetting('FINMCP_CODE_MAX_CALLS', 50, 'Code mode: API calls one program run may make', { min: 1 }),
  logLevel: textSetting('FINMCP_LOG_LEVEL', 'info', 'pino level: fatal, error, warn, info, debug, trace, silent', {
    flag: '--log-level',
  }),
  timeoutMs: intSetting('FINMCP_TIMEOUT_MS', 30_000, 'Total time per backend attempt'),
  connectTimeoutMs: intSetting('FINMCP_CONNECT_TIMEOUT_MS', 5_000, 'Backend connect timeout'),
  maxAttempts: intSetting(
    'FINMCP_MAX_ATTEMPTS',
    3,
    'Attempts for idempotent backend calls (429/502/503/504, connection errors)',
    { min: 1 },
  ),
  listPageSize: intSetting(
    'FINMCP_LIST_PAGE_SIZE',
    100,
    'Tools per `tools/list` page; clients follow `nextCursor` for the rest (order is stable)',
    { min: 1 },
  ),
  listTokenBudget: intSetting(
    'FINMCP_LIST_TOKEN_BUDGET',
    50_000,
    'Estimated model tokens of a full tool listing above which `serve` warns at start-up (pointing at --tools, --dynamic, --code)',
    { min: 1 },
  ),
  maxResponseBytes: intSetting(
    'FINMCP_MAX_RESPONSE_BYTES',
    200_000,
    'Tool results larger than this are cut, with a note saying how to get the rest',
  ),
  headersTimeoutMs: intSetting(
    'FINMCP_HEADERS_TIMEOUT_MS',
    10_000,
    'Time an HTTP client has to send its request headers (408 and closed after: slow clients cannot hold connections)',
    { min: 1 },
  ),
  requestTimeoutMs: intSetting(
    'FINMCP_REQUEST_TIMEOUT_MS',
    60_000,
    'Time an HTTP client has to send a whole request, body included (408 and closed after)',
    { min: 1 },
  ),
  keepAliveTimeoutMs: intSetting(
    'FINMCP_KEEP_ALIVE_TIMEOUT_MS',
    5_000,
    'Idle time after which a keep-alive HTTP connection is closed (behind a proxy: more than its idle timeout)',
  ),
  maxConnections: intSetting(
    'FINMCP_MAX_CONNECTIONS',
    4_096,
    'Open HTTP connections accepted; one more is answered 503 with Retry-After and closed; 0 turns the cap off',
  ),
  maxBodyBytes: intSetting('FINMCP_MAX_BODY_BYTES', 8 * 1024 * 1024, 'Largest accepted HTTP request body (413 above)'),
  rateLimitPerMinute: intSetting(
    'FINMCP_RATE_LIMIT_PER_MINUTE',
    600,
    'Requests per principal (per address without a credential) per minute over HTTP (429 above); 0 turns the limit off',
  ),
  rateLimitBurst: intSetting(
    'FINMCP_RATE_LIMIT_BURST',
    undefined,
    'Requests a caller may make at once after being idle',
    { min: 1, shown: 'the per-minute limit' },
  ),
  sessionIdleTtlMs: intSetting(
    'FINMCP_SESSION_IDLE_TTL_MS',
    30 * 60_000,
    'Idle time after which a stateful session ends',
  ),
  maxSessions: intSetting(
    'FINMCP_MAX_SESSIONS',
    10_000,
    'Open sessions kept; when full, the least recently used session holding no login is evicted, and a new session is refused (503) when every one holds a login',
  ),
  maxSessionsPerCaller: intSetting(
    'FINMCP_MAX_SESSIONS_PER_CALLER',
    1_000,
    "Open sessions per principal (per client address for the anonymous principal); a new one beyond it ends that caller's own least recently used session",
  ),
  stateStore: textSetting(
    'FINMCP_STATE_STORE',
    'memory',
    'Where sessions, sign-ins and rate-limit buckets live: `memory` (one instance) or a `redis://` / `rediss://` URL shared by several instances (see docs/deployment.md)',
  ),
  stateKey: textSetting(
    'FINMCP_STATE_KEY',
    undefined,
    "Base64 secret of at least 32 bytes that encrypts state at rest in Redis (AES-256-GCM), hashes its key names and keys the requestState of confirmations (every instance verifies every other's; unset: random per process); make one with `openssl rand -base64 32`",
    { shown: '(none; required with Redis)', secret: true },
  ),
  stateTimeoutMs: intSetting(
    'FINMCP_STATE_TIMEOUT_MS',
    1_000,
    'Longest one Redis command may take; past it the call gets a "state store unavailable" error (HTTP 503)',
  ),
  audit: textSetting(
    'FINMCP_AUDIT',
    'off',
    'Audit trail of tool calls (hash-chained JSON lines, see "Audit trail"): `off`, `stdout` (HTTP only) or `file:<path>`; with a Redis state store, also the stream `finmcp:audit`',
  ),
  apiKeys: textSetting(
    'FINMCP_API_KEYS',
    undefined,
    'Inbound static API keys `id:key,id2:key2` for backends without OAuth (required to bind a stateful backend to a non-loopback address)',
    { secret: true },
  ),
  sandboxAuthPort: intSetting('FINMCP_SANDBOX_AUTH_PORT', 4455, 'Port of the sandbox OAuth authorization server', {
    flag: '--sandbox-auth-port',
    max: 65_535,
  }),
  sandboxStartTimeoutMs: intSetting(
    'FINMCP_SANDBOX_START_TIMEOUT_MS',
    30_000,
    'How long each Prism mock of the sandbox may take to start answering (a spec of hundreds of operations needs more); tool calls fail saying so after it',
    { min: 1 },
  ),
  sandboxUser: textSetting(
    'FINMCP_SANDBOX_USER',
    'alice',
    'Sandbox user whose token a stdio server obtains when no access token is configured',
  ),
} as const;

/** Settings every backend has, read from `<BACKEND>_<env>`. */
export const BACKEND_SETTINGS = {
  backendUrl: textSetting('BACKEND_URL', undefined, 'Base URL of the real backend', {
    flag: '--backend-url',
    shown: '(sandbox when unset)',
  }),
  oauthIssuer: textSetting('OAUTH_ISSUER', undefined, 'Authorization server trusted for inbound tokens', {
    shown: '(sandbox issuer)',
  }),
  oauthJwksUri: textSetting('OAUTH_JWKS_URI', undefined, 'JWKS of that authorization server', {
    shown: '(discovered)',
  }),
  oauthClientIds: listSetting(
    'OAUTH_CLIENT_IDS',
    undefined,
    'Access tokens that name a `client_id` instead of an audience are accepted only from these client ids',
  ),
  accessToken: textSetting(
    'ACCESS_TOKEN',
    undefined,
    'stdio only: the user access token, validated like an HTTP bearer token',
    { secret: true },
  ),
  tokenUrl: textSetting(
    'TOKEN_URL',
    undefined,
    "Token endpoint for the server's own client-credentials token to the backend",
    { shown: '(sandbox)' },
  ),
  clientId: textSetting('CLIENT_ID', undefined, "Client id of the server's backend service credential", {
    shown: '(sandbox)',
  }),
  clientSecret: textSetting('CLIENT_SECRET', undefined, 'Client secret of that credential', {
    shown: '(sandbox)',
    secret: true,
  }),
  scope: textSetting('SCOPE', undefined, 'Scopes requested for the service token', {
    shown: '(all scopes of the spec)',
  }),
  apiKey: textSetting(
    'API_KEY',
    undefined,
    "Backends without an override module: the key for the spec's `apiKey` schemes (header or cookie)",
    { shown: '(sandbox: a placeholder)', secret: true },
  ),
  bearerToken: textSetting(
    'BEARER_TOKEN',
    undefined,
    'Backends without an override module: the token for `http` bearer, `oauth2` and `openIdConnect` schemes',
    { shown: '(sandbox: a placeholder)', secret: true },
  ),
  basicAuth: textSetting(
    'BASIC_AUTH',
    undefined,
    'Backends without an override module: `user:password` for `http` basic schemes',
    { shown: '(sandbox: a placeholder)', secret: true },
  ),
  verifyToken: textSetting('VERIFY_TOKEN', 'finmcp-verify', 'Bearer token `finmcp verify` sends to a real backend'),
} as const;

/** The README rows: global settings, `<BACKEND>_*` settings, then each backend's own (from its override module). */
export function documentedSettings(backendOwn: Iterable<readonly SettingDef[]> = []): SettingDef[] {
  const perBackend = Object.values(BACKEND_SETTINGS).map((def) => ({ ...def, env: `<BACKEND>_${def.env}` }));
  return [...Object.values(SETTINGS), ...perBackend, ...[...backendOwn].flat()];
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

/** The defaults of {@link HttpServerLimits}: those of their {@link SETTINGS} rows. */
export const DEFAULT_HTTP_SERVER_LIMITS: Readonly<HttpServerLimits> = Object.freeze({
  headersTimeoutMs: SETTINGS.headersTimeoutMs.default,
  requestTimeoutMs: SETTINGS.requestTimeoutMs.default,
  keepAliveTimeoutMs: SETTINGS.keepAliveTimeoutMs.default,
  maxConnections: SETTINGS.maxConnections.default,
});

/** A flag's value as commander parsed it: a string, `true` for a bare switch, or absent. */
export type FlagValue = string | boolean | undefined;

/** Reads settings from an environment map (process.env after `.env` was loaded), typed by their table row. */
export class Settings {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The value of a global setting: the flag's when given, else the environment's, else the row's default. */
  read<S extends SettingDef>(def: S, flag?: FlagValue): SettingValue<S> {
    return this.parse(def, def.env, flag);
  }

  /** The value of a per-backend setting `<BACKEND>_<def.env>` (`flag` as for {@link read}). */
  readBackend<S extends SettingDef>(backend: string, def: S, flag?: FlagValue): SettingValue<S> {
    return this.parse(def, `${envPrefix(backend)}_${def.env}`, flag);
  }

  /**
   * The value of a global setting the user gave (flag or environment), or undefined when they gave none: for a
   * command that falls back to something other than the row's default (e.g. a quieter log for a one-shot command).
   */
  readGiven<S extends SettingDef>(def: S, flag?: FlagValue): SettingValue<S> | undefined {
    return this.parse({ ...def, default: undefined } as S, def.env, flag);
  }

  #raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  private parse<S extends SettingDef>(def: S, name: string, flag: FlagValue): SettingValue<S> {
    if (def.type === 'bool' && flag === true) return true as SettingValue<S>;
    const fromFlag = typeof flag === 'string' && flag.length > 0 ? flag : undefined;
    const raw = fromFlag ?? this.#raw(name);
    const label = fromFlag !== undefined && def.flag !== undefined ? def.flag : name;
    if (raw === undefined) return def.default as SettingValue<S>;
    switch (def.type) {
      case 'bool':
        return /^(1|true|yes)$/i.test(raw) as SettingValue<S>;
      case 'list':
        return splitList(raw) as SettingValue<S>;
      case 'text':
        if (def.choices !== undefined && !def.choices.includes(raw)) {
          throw new ConfigError(`${label} must be ${def.choices.join(' or ')} (got "${raw}")`);
        }
        return raw as SettingValue<S>;
      case 'int':
        return parseInteger(def, label, raw) as SettingValue<S>;
    }
  }
}

function parseInteger(def: IntSetting, label: string, raw: string): number {
  const value = Number(raw);
  const min = def.min ?? 0;
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${label} must be a non-negative integer (got "${raw}")`);
  if (value < min) throw new ConfigError(`${label} must be at least ${min} (got "${raw}")`);
  if (def.max !== undefined && value > def.max)
    throw new ConfigError(`${label} must be at most ${def.max} (got "${raw}")`);
  return value;
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The HTTP server's connection limits from their FINMCP_* settings. */
export function readHttpServerLimits(settings: Settings): HttpServerLimits {
  const limits: HttpServerLimits = {
    headersTimeoutMs: settings.read(SETTINGS.headersTimeoutMs),
    requestTimeoutMs: settings.read(SETTINGS.requestTimeoutMs),
    keepAliveTimeoutMs: settings.read(SETTINGS.keepAliveTimeoutMs),
    maxConnections: settings.read(SETTINGS.maxConnections),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      'FINMCP_HEADERS_TIMEOUT_MS must not exceed FINMCP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
    );
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
