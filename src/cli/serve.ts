/**
 * `finmcp serve <backend…>`: assembles generated descriptors, overrides, backend HTTP, auth plugins and a
 * transport into running MCP servers. With no backend URL (or `--sandbox`) each backend is served against the
 * Prism mock of its own spec, and backends whose users sign in with OAuth get a local sandbox authorization server.
 */
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { createLogger } from '../log.js';
import { ConfigError, readHttpServerLimits, Settings } from '../config.js';
import { projectRoot } from '../paths.js';
import { exitWhenStopped } from './lifecycle.js';
import { operationScopes, specScopes } from '../auth/scopes.js';
import { serveBackendTools } from './served-backend.js';
import type { BackendOverrides, InboundAuth, Principal, ToolService } from '../contracts.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import type { BackendHttp } from '../backend/backend-http.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { clientCredentialsScheme, lazyServiceToken, serviceAudience, serviceTokenSource } from './service-tokens.js';
import { deferredBackendHttp, gateToolService } from './startup-gate.js';

/** Options of `finmcp serve`, as commander parsed them. */
export type ServeOptions = Record<string, string | boolean | undefined>;

/** A running set of servers and everything started for them. */
export interface RunningServers {
  /** Base URL of the HTTP server, when serving HTTP. */
  url?: string;
  /** Settles when the servers stopped by themselves (stdio: the client closed the input). */
  ended?: Promise<void>;
  /** MCP endpoint URL per backend (HTTP). */
  endpoints: Record<string, string>;
  /** Issuer of the sandbox authorization server, when one was started. */
  sandboxIssuer?: string;
  /** The web-standard handler serving every backend, when started with `fetchHandler` (serverless). */
  fetch?: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/** One backend being served. */
interface PreparedBackend {
  name: string;
  generated: GeneratedBackend;
  overrides: BackendOverrides;
  service: ToolService;
  /** Settles when the backend can be called (its sandbox parts are up). */
  ready: Promise<unknown>;
}

/** Longest an HTTP server may take to stop: more than the 10 s it gives requests in flight (`server.close` below). */
const HTTP_EXIT_DEADLINE_MS = 15_000;

const ANONYMOUS: Principal = { id: 'anonymous', scopes: [], claims: {} };

/** Entry point of the `serve` command: starts, prints how to connect, and exits when told to (see lifecycle.ts). */
export async function runServe(backends: string[], options: ServeOptions): Promise<void> {
  const settings = new Settings(process.env);
  const logger = createLogger({ level: str(options.logLevel) ?? settings.get('FINMCP_LOG_LEVEL', 'info') });
  const running = await startServers(backends, options, settings, logger);
  const stdio = running.ended !== undefined;
  // stdio has nobody left to answer: closing is quick.
  exitWhenStopped(() => running.close(), { logger, ended: running.ended, watchParent: stdio, deadlineMs: stdio ? 3_000 : HTTP_EXIT_DEADLINE_MS });
  if (running.url !== undefined) process.stderr.write(connectionHelp(running));
}

/** Starts the servers for `backends`; used by the CLI and by tests. */
export async function startServers(
  backendNames: string[],
  options: ServeOptions,
  settings: Settings,
  logger: Logger,
): Promise<RunningServers> {
  const transport = str(options.transport) ?? settings.get('FINMCP_TRANSPORT', 'stdio');
  if (transport !== 'stdio' && transport !== 'http') throw new ConfigError(`--transport must be stdio or http (got "${transport}")`);
  if (transport === 'stdio' && backendNames.length !== 1) {
    throw new ConfigError('stdio serves exactly one backend: run one process per backend');
  }
  if (str(options.backendUrl) !== undefined && backendNames.length !== 1) {
    throw new ConfigError('--backend-url needs exactly one backend; use <BACKEND>_BACKEND_URL for several');
  }
  const sandbox = options.sandbox === true || settings.bool('FINMCP_SANDBOX');
  const host = str(options.host) ?? settings.get('FINMCP_HOST', '127.0.0.1');
  let port = Number(str(options.port) ?? settings.get('FINMCP_PORT', '3000'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number (got "${String(options.port)}")`);
  if (port === 0 && transport === 'http') {
    // OAuth resource URLs are derived from the port, so a free one is chosen before anything is started.
    const { findFreePort } = await import('../free-port.js');
    port = await findFreePort(host);
  }
  if (transport === 'http') {
    // A Redis store without its key must fail before anything is started.
    const { checkStateSettings } = await import('../state/create-store.js');
    checkStateSettings(settings);
  }
  const publicUrl = (str(options.publicUrl) ?? settings.optional('FINMCP_PUBLIC_URL') ?? defaultPublicUrl(host, port)).replace(/\/+$/, '');

  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const { backendLoaders } = await (await import('./generated.js')).loadBackendRegistry();
    const { overrideFactories } = await import('../overrides/index.js');
    const { createBackendHttp } = await import('../backend/backend-http.js');

    const generatedList: GeneratedBackend[] = [];
    for (const name of backendNames) {
      const load = backendLoaders[name];
      if (load === undefined) {
        throw new ConfigError(`unknown backend "${name}": available are ${Object.keys(backendLoaders).join(', ')}`);
      }
      generatedList.push(await load());
    }

    // Overrides are created before the sandbox starts: whether a backend needs OAuth decides what the sandbox runs.
    const serviceTokens = new Map<string, ServiceTokenSource>();
    const overridesByName = new Map<string, BackendOverrides>();
    const probeOverrides = (generated: GeneratedBackend): BackendOverrides =>
      overrideFactories[generated.name]?.({ settings, logger, serviceToken: lazyServiceToken(serviceTokens, generated.name), transport }) ?? {};
    for (const generated of generatedList) overridesByName.set(generated.name, probeOverrides(generated));

    const oauthBackends = generatedList.filter((g) => overridesByName.get(g.name)?.inboundAuth === 'oauth');
    const clientCredentialBackends = generatedList.filter((g) => clientCredentialsScheme(g) !== undefined);
    const resourceUrl = (name: string): string => `${publicUrl}/${name}/mcp`;

    const configuredUrl = (g: GeneratedBackend): string | undefined => str(options.backendUrl) ?? settings.backend(g.name, 'BACKEND_URL');
    const mocked = generatedList.filter((g) => sandbox || configuredUrl(g) === undefined);
    const needsAuthServer = sandbox && (oauthBackends.length > 0 || clientCredentialBackends.length > 0);

    // The sandbox starts in the background: initialize and tools/list are answered meanwhile, tool calls wait.
    let sandboxParts: Sandbox | undefined;
    let beginSandbox = (): void => undefined;
    const serving = new Promise<void>((resolve) => (beginSandbox = resolve));
    if (mocked.length > 0 || needsAuthServer) {
      const { startSandbox } = await import('../sandbox/sandbox.js');
      const parts = startSandbox({
        mocks: mocked.map((g) => ({ name: g.name, specFile: join(projectRoot(), g.specFile) })),
        authorization: needsAuthServer
          ? {
              port: transport === 'http' ? settings.int('FINMCP_SANDBOX_AUTH_PORT', 4455) : 0,
              resources: [
                ...oauthBackends.map((g) => ({ url: resourceUrl(g.name), scopes: specScopes(g) })),
                ...clientCredentialBackends.map((g) => ({ url: serviceAudience(g), scopes: specScopes(g) })),
              ],
              keysFile: join(projectRoot(), '.finmcp', 'sandbox-keys.json'),
            }
          : undefined,
        begin: transport === 'stdio' ? serving : undefined,
        logger,
      });
      sandboxParts = parts;
      cleanups.push(() => parts.stop());
    }
    const issuerReady = sandboxParts?.authorization?.then((as) => as.issuer) ?? Promise.resolve(undefined);
    // HTTP publishes the issuer in its OAuth metadata from the first request, so it waits for the authorization
    // server (in-process, quick); stdio needs it only for its own token, and gets it in the background.
    const sandboxIssuer = transport === 'http' ? await issuerReady : undefined;

    const registerServiceTokens = (issuer: string | undefined): void => {
      for (const g of clientCredentialBackends) serviceTokens.set(g.name, serviceTokenSource(g, settings, sandbox ? issuer ?? null : undefined));
    };
    const tokensReady = transport === 'stdio' && needsAuthServer ? issuerReady.then(registerServiceTokens) : Promise.resolve(registerServiceTokens(sandboxIssuer));

    const { toolSelection } = await import('../core/tool-selection.js');
    const select = toolSelection({
      tools: str(options.tools) ?? settings.optional('FINMCP_TOOLS'),
      tags: str(options.tags) ?? settings.optional('FINMCP_TAGS'),
      readOnly: options.readOnly === true || settings.bool('FINMCP_READ_ONLY'),
    });
    const dynamic = options.dynamic === true || settings.bool('FINMCP_DYNAMIC');
    const prepared: PreparedBackend[] = [];
    const httpOptions = {
      connectTimeoutMs: settings.int('FINMCP_CONNECT_TIMEOUT_MS', 5000),
      timeoutMs: settings.int('FINMCP_TIMEOUT_MS', 30000),
      maxAttempts: settings.int('FINMCP_MAX_ATTEMPTS', 3),
      logger,
    };
    for (const generated of generatedList) {
      let http: BackendHttp;
      let ready: Promise<unknown> = tokensReady;
      if (sandboxParts !== undefined && mocked.includes(generated)) {
        const mock = sandboxParts.mock(generated.name);
        http = deferredBackendHttp(mock.then((m) => createBackendHttp({ baseUrl: m.url, ...httpOptions })));
        ready = Promise.all([tokensReady, mock]);
      } else {
        http = createBackendHttp({ baseUrl: configuredUrl(generated)!, ...httpOptions });
      }
      cleanups.push(() => http.close());
      const { overrides, service } = await serveBackendTools(
        generated,
        overridesByName.get(generated.name) ?? {},
        http,
        clientCredentialBackends.includes(generated),
        { settings, logger, sandbox, dynamic, ...(select !== undefined ? { select } : {}) },
      );
      prepared.push({ name: generated.name, generated, overrides, service, ready });
    }

    const inboundAuthFor = async (backend: PreparedBackend): Promise<InboundAuth | undefined> => {
      if (backend.overrides.inboundAuth === 'oauth') {
        const issuer = settings.backend(backend.name, 'OAUTH_ISSUER') ?? sandboxIssuer;
        if (issuer === undefined) {
          throw new ConfigError(`${backend.name} users sign in with OAuth: set ${backend.name.toUpperCase()}_OAUTH_ISSUER, or use --sandbox`);
        }
        const { createOAuthResourceServer } = await import('../auth/oauth-resource-server.js');
        const toolScopes = scopesByTool(backend);
        return createOAuthResourceServer({
          resource: resourceUrl(backend.name),
          authorizationServers: [issuer],
          jwksUri: settings.backend(backend.name, 'OAUTH_JWKS_URI'),
          scopesSupported: specScopes(backend.generated),
          toolScopes: (tool: string) => toolScopes.get(tool) ?? [],
          cognitoClientIds: settings.backend(backend.name, 'OAUTH_CLIENT_IDS')?.split(',').map((id) => id.trim()),
          logger,
        });
      }
      const keys = parseApiKeys(settings.optional('FINMCP_API_KEYS'));
      if (keys.length > 0) {
        const { createApiKeyAuth } = await import('../auth/api-keys.js');
        return createApiKeyAuth({ keys });
      }
      return undefined;
    };

    if (transport === 'stdio') {
      const backend = prepared[0]!;
      const resource = resourceUrl(backend.name);
      // With the sandbox, the local user's token comes from its authorization server: established in the background.
      const sandboxUser = needsAuthServer && backend.overrides.inboundAuth === 'oauth';
      // Validating the environment's token waits on the authorization server's JWKS: overlap it with loading the SDK.
      const [principal, { serveStdio }] = await Promise.all([
        sandboxUser ? ANONYMOUS : stdioPrincipal(backend, settings, resource, undefined),
        import('../transport/stdio.js'),
      ]);
      const userReady = sandboxUser ? issuerReady.then((issuer) => stdioPrincipal(backend, settings, resource, issuer)) : undefined;
      const ready = Promise.all([backend.ready, userReady]).then(([, user]) => user);
      const served = await serveStdio(gateToolService(backend.service, ready, logger), { principal, logger, info: serverInfo(backend.generated) });
      cleanups.push(() => served.close());
      // After input already waiting (initialize) is read: setImmediate runs after the poll phase that reads it.
      setImmediate(beginSandbox);
      return { endpoints: {}, ended: served.closed, close: closeAll };
    }

    const rateLimitPerMinute = settings.int('FINMCP_RATE_LIMIT_PER_MINUTE', 600);
    const rateLimit =
      rateLimitPerMinute === 0
        ? undefined
        : { perMinute: rateLimitPerMinute, burst: Math.max(1, settings.int('FINMCP_RATE_LIMIT_BURST', rateLimitPerMinute)) };
    const services = new Map(prepared.map((b) => [b.name, b.service]));
    const { createStateStore } = await import('../state/create-store.js');
    const state = await createStateStore(
      settings,
      {
        idleTtlMs: settings.int('FINMCP_SESSION_IDLE_TTL_MS', 30 * 60_000),
        maxSessions: settings.int('FINMCP_MAX_SESSIONS', 10_000),
        maxSessionsPerCaller: settings.int('FINMCP_MAX_SESSIONS_PER_CALLER', 1_000),
        // An ended session's backend login is revoked (B4B logout): eviction or expiry must not leave it live.
        onSessionEnd: (id, record, reason) => void services.get(record.backend)?.endSession?.(id, record, reason),
        rateLimit,
      },
      logger,
    );
    cleanups.push(() => state.close());
    const httpBackends = [];
    for (const backend of prepared) {
      const service = gateToolService(backend.service, backend.ready.then(() => undefined), logger);
      httpBackends.push({ service, inboundAuth: await inboundAuthFor(backend), info: serverInfo(backend.generated) });
    }
    const allowedOrigins = str(options.allowedOrigins)?.split(',').map((o) => o.trim()) ?? settings.list('FINMCP_ALLOWED_ORIGINS', ['http://localhost:6274', 'http://127.0.0.1:6274']);
    const endpoints: Record<string, string> = {};
    for (const backend of prepared) endpoints[backend.name] = resourceUrl(backend.name);
    if (options.fetchHandler === true) {
      // Serverless: no socket of our own; the gateway's host is the public URL's.
      const { createFetchHandler } = await import('../transport/http/fetch-handler.js');
      const handler = createFetchHandler({
        backends: httpBackends,
        allowedHosts: [...settings.list('FINMCP_ALLOWED_HOSTS', []), new URL(publicUrl).host],
        allowedOrigins,
        maxBodyBytes: settings.int('FINMCP_MAX_BODY_BYTES', 8 * 1024 * 1024),
        rateLimit: rateLimit ?? false,
        ...(state.rateLimiter === undefined ? {} : { rateLimiter: state.rateLimiter }),
        sessionStore: state.sessions,
        logger,
      });
      cleanups.push(() => handler.close());
      return { endpoints, sandboxIssuer, fetch: (request) => handler.fetch(request), close: closeAll };
    }
    const { createHttpServer } = await import('../transport/http.js');
    const server = createHttpServer({
      host,
      port,
      limits: readHttpServerLimits(settings),
      publicUrl,
      backends: httpBackends,
      allowedOrigins,
      allowedHosts: settings.optional('FINMCP_ALLOWED_HOSTS') === undefined ? undefined : [...settings.list('FINMCP_ALLOWED_HOSTS', []), new URL(publicUrl).host],
      maxBodyBytes: settings.int('FINMCP_MAX_BODY_BYTES', 8 * 1024 * 1024),
      rateLimit: rateLimit ?? false,
      ...(state.rateLimiter === undefined ? {} : { rateLimiter: state.rateLimiter }),
      sessionStore: state.sessions,
      logger,
    });
    const { url } = await server.listen();
    cleanups.push(() => server.close(10_000));
    // The URLs clients must use (OAuth resources are derived from the public URL); where it listens, apart.
    logger.info({ url: publicUrl, endpoints, listening: url }, 'serving');
    return { url, endpoints, sandboxIssuer, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function stdioPrincipal(
  backend: PreparedBackend,
  settings: Settings,
  resource: string,
  sandboxIssuer: string | undefined,
): Promise<Principal> {
  if (backend.overrides.inboundAuth !== 'oauth') return ANONYMOUS;
  const issuer = settings.backend(backend.name, 'OAUTH_ISSUER') ?? sandboxIssuer;
  let token = settings.backend(backend.name, 'ACCESS_TOKEN');
  if (issuer === undefined) {
    throw new ConfigError(`${backend.name} users sign in with OAuth: set ${backend.name.toUpperCase()}_OAUTH_ISSUER and ${backend.name.toUpperCase()}_ACCESS_TOKEN, or use --sandbox`);
  }
  if (token === undefined) {
    if (sandboxIssuer === undefined) {
      throw new ConfigError(`over stdio, ${backend.name} takes the user's access token from ${backend.name.toUpperCase()}_ACCESS_TOKEN`);
    }
    const { obtainSandboxToken } = await import('../sandbox/authorization-server.js');
    token = await obtainSandboxToken({
      issuer: sandboxIssuer,
      user: settings.get('FINMCP_SANDBOX_USER', 'alice'),
      resource,
      scopes: specScopes(backend.generated),
    });
  }
  const { verifyAccessToken } = await import('../auth/oauth-resource-server.js');
  return verifyAccessToken(token, {
    resource,
    authorizationServers: [issuer],
    jwksUri: settings.backend(backend.name, 'OAUTH_JWKS_URI'),
    scopesSupported: specScopes(backend.generated),
    toolScopes: () => [],
    cognitoClientIds: settings.backend(backend.name, 'OAUTH_CLIENT_IDS')?.split(',').map((id) => id.trim()),
  });
}

/** Scopes per served tool name: those its operation requires (hand-written tools need none). */
function scopesByTool(backend: PreparedBackend): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const tool of backend.generated.tools) {
    result.set(backend.overrides.tools?.[tool.name]?.name ?? tool.name, operationScopes(tool));
  }
  return result;
}

function serverInfo(generated: GeneratedBackend): { name: string; version: string } {
  return { name: `finmcp-${generated.name}`, version: generated.version };
}

function parseApiKeys(raw: string | undefined): Array<{ id: string; key: string }> {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const colon = pair.indexOf(':');
      if (colon <= 0 || colon === pair.length - 1) throw new ConfigError('FINMCP_API_KEYS must be a comma-separated list of id:key');
      return { id: pair.slice(0, colon), key: pair.slice(colon + 1) };
    });
}

function defaultPublicUrl(host: string, port: number): string {
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return `http://${loopback ? 'localhost' : host}:${port}`;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** How to connect, printed to stderr once the HTTP server listens. */
export function connectionHelp(running: RunningServers): string {
  const lines = ['', 'finmcp is serving:'];
  for (const [name, url] of Object.entries(running.endpoints)) lines.push(`  ${name.padEnd(10)} ${url}`);
  const first = Object.entries(running.endpoints)[0];
  if (first !== undefined) {
    const [name, url] = first;
    lines.push(
      '',
      'Connect with:',
      `  MCP Inspector   npx @modelcontextprotocol/inspector   (Transport: Streamable HTTP, URL: ${url})`,
      `  Inspector CLI   npx @modelcontextprotocol/inspector --cli ${url} --transport http --method tools/list`,
      `  stdio bridge    npx mcp-remote ${url}`,
      '  Claude Desktop  claude_desktop_config.json:',
      `    { "mcpServers": { "${name}": { "command": "npx", "args": ["mcp-remote", "${url}"] } } }`,
    );
  }
  if (running.sandboxIssuer !== undefined) {
    lines.push(
      '',
      `Sandbox OAuth server: ${running.sandboxIssuer} (users alice, bob, carol)`,
      '  a token for curl:  npx finmcp token --sandbox --user alice',
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
