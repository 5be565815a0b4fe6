/**
 * Step 5 of `finmcp serve`: the transport in front of the assembled backends — stdio (one backend, one user: MCP
 * 2025-11-25, Basic / Transports "stdio"), or Streamable HTTP with its state store, rate limit and inbound auth,
 * as a listening server or (serverless) a fetch handler.
 */
import { readHttpServerLimits, SETTINGS, type Settings } from '../../config.js';
import type { GeneratedBackend } from '../../../contract/descriptor.js';
import type { Principal } from '../../auth/inbound-auth.js';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { Logger } from '../../log.js';
import type { StateProbe } from '../../observability/call-observer.js';
import { ANONYMOUS_PRINCIPAL } from '../../protocol/caller.js';
import type { RequestStateSeal } from '../../protocol/request-state.js';
import type { StateStore } from '../../state/create-store.js';
import type { MemorySessionStore } from '../../state/session-store.js';
import { gateToolService } from '../startup-gate.js';
import type { AssembledBackend } from './assemble-backends.js';
import { inboundAuthFor, stdioPrincipal } from './inbound-auth.js';
import type { Observers } from './observers.js';
import type { ServeConfig } from './serve-config.js';
import { resourceUrl, type ServeSandbox } from './serve-sandbox.js';

/** What a started transport hands back to `startServers`. */
interface StartedTransport {
  url?: string;
  ended?: Promise<void>;
  oauthBackends?: string[];
  endpoints: Record<string, string>;
  fetch?: (request: Request) => Promise<Response>;
}

/** Everything a transport needs besides the backends. */
interface TransportDeps {
  config: ServeConfig;
  sandbox: ServeSandbox;
  /** The sandbox issuer, already known over HTTP (its OAuth metadata names it from the first request). */
  sandboxIssuer: string | undefined;
  settings: Settings;
  logger: Logger;
  onClose: (close: () => Promise<void>) => void;
  /** The audit trail (FINMCP_AUDIT), when on. */
  audit: AuditTrail | undefined;
  /** Metrics (served at /metrics over HTTP) and the tracer, when on. */
  observers?: Observers;
}

/** Serves the one backend over stdio. */
export async function startStdio(backend: AssembledBackend, deps: TransportDeps): Promise<StartedTransport> {
  const { config, sandbox, settings, logger } = deps;
  const resource = resourceUrl(config, backend.name);
  // The local user's token is verified (with the sandbox, first obtained) once the client has its first answers:
  // tool calls wait for it, `initialize` and `tools/list` need no user.
  const verifyUser = stdioPrincipal(
    backend,
    resource,
    settings,
    sandbox.authorizationServer ? sandbox.issuer : undefined,
  );
  const ready = async (): Promise<Principal | undefined> => {
    const [, user] = await Promise.all([backend.ready, verifyUser?.()]);
    return user;
  };
  const service = gateToolService(backend.service, ready, logger);
  const { serveStdio } = await import('../../transport/stdio.js');
  const served = await serveStdio(service, {
    principal: ANONYMOUS_PRINCIPAL,
    logger,
    info: serverInfo(backend.generated),
    listPageSize: settings.read(SETTINGS.listPageSize),
    seal: await requestStateSeal(settings),
  });
  deps.onClose(() => served.close());
  // After input already waiting (initialize) is read: setImmediate runs after the poll phase that reads it.
  setImmediate(() => sandbox.begin());
  return { endpoints: {}, ended: served.closed };
}

/** Serves every backend over Streamable HTTP: a listening server, or a fetch handler when asked for one. */
export async function startHttp(backends: AssembledBackend[], deps: TransportDeps): Promise<StartedTransport> {
  const { config, settings, logger } = deps;
  const perMinute = settings.read(SETTINGS.rateLimitPerMinute);
  const rateLimit =
    perMinute === 0 ? undefined : { perMinute, burst: settings.read(SETTINGS.rateLimitBurst) ?? perMinute };
  const state = await openSharedState(backends, deps, rateLimit);
  const httpBackends = [];
  const endpoints: Record<string, string> = {};
  for (const backend of backends) {
    const resource = resourceUrl(config, backend.name);
    endpoints[backend.name] = resource;
    const service = gateToolService(
      backend.service,
      backend.ready.then(() => undefined),
      logger,
    );
    httpBackends.push({
      service,
      inboundAuth: await inboundAuthFor(backend, resource, config.resourceHosts, settings, deps.sandboxIssuer, logger),
      info: serverInfo(backend.generated),
    });
  }
  const configuredHosts = settings.read(SETTINGS.allowedHosts);
  const common = {
    backends: httpBackends,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: settings.read(SETTINGS.maxBodyBytes),
    listPageSize: settings.read(SETTINGS.listPageSize),
    rateLimit: rateLimit ?? (false as const),
    ...(state.rateLimiter === undefined ? {} : { rateLimiter: state.rateLimiter }),
    sessionStore: state.sessions,
    interactions: state.interactions,
    seal: await requestStateSeal(settings),
    logger,
    ...(deps.audit === undefined ? {} : { audit: deps.audit }),
  };
  const publicHost = new URL(config.publicUrl).host;
  if (config.fetchHandler) {
    // Serverless: no socket of our own; the gateway's host is the public URL's.
    const { createFetchHandler } = await import('../../transport/http/fetch-handler.js');
    const handler = createFetchHandler({ ...common, allowedHosts: [...(configuredHosts ?? []), publicHost] });
    deps.onClose(() => handler.close());
    return { endpoints, fetch: (request) => handler.fetch(request) };
  }
  const { createHttpServer } = await import('../../transport/http.js');
  const server = createHttpServer({
    ...common,
    host: config.host,
    port: config.port,
    limits: readHttpServerLimits(settings),
    publicUrl: config.publicUrl,
    allowedHosts: configuredHosts === undefined ? undefined : [...configuredHosts, publicHost],
    ...metricsRoute(deps.observers),
  });
  const { url } = await server.listen();
  deps.onClose(() => server.close(10_000));
  // The URLs clients must use (OAuth resources are derived from the public URL); where it listens, apart.
  logger.info({ url: config.publicUrl, endpoints, listening: url }, 'serving');
  return {
    url,
    endpoints,
    oauthBackends: backends.filter((b) => b.overrides.inboundAuth === 'oauth').map((b) => b.name),
  };
}

/** The `/metrics` route's options, when metrics are on. */
function metricsRoute(observers: Observers | undefined) {
  const exposition = observers?.metrics;
  if (exposition === undefined) return {};
  return {
    metrics: { exposition, ...(observers?.metricsToken === undefined ? {} : { token: observers.metricsToken }) },
  };
}

/**
 * The state store every HTTP instance shares (sessions, rate limits, interactions), closed with the server; when
 * the store is Redis, audit records also go to its stream.
 */
async function openSharedState(
  backends: AssembledBackend[],
  deps: TransportDeps,
  rateLimit: { perMinute: number; burst: number } | undefined,
) {
  const { settings, logger } = deps;
  const services = new Map(backends.map((b) => [b.name, b.service]));
  const { createStateStore } = await import('../../state/create-store.js');
  const state = await createStateStore(
    settings,
    {
      idleTtlMs: settings.read(SETTINGS.sessionIdleTtlMs),
      maxSessions: settings.read(SETTINGS.maxSessions),
      maxSessionsPerCaller: settings.read(SETTINGS.maxSessionsPerCaller),
      // An ended session's backend login is revoked (the backend's onSessionEnd): eviction or expiry must not leave it live.
      onSessionEnd: (id, record, reason) => void services.get(record.backend)?.endSession?.(id, record, reason),
      rateLimit,
    },
    logger,
  );
  deps.onClose(() => state.close());
  deps.observers?.metrics?.watchState(stateProbe(state));
  const { audit } = deps;
  if (audit !== undefined && state.redis !== undefined) {
    const { RedisStreamSink } = await import('../../audit/sinks.js');
    audit.addSink(new RedisStreamSink(state.redis));
    // Registered after the store's close, so run before it: the last records reach Redis while it is connected.
    deps.onClose(() => audit.flush());
  }
  return state;
}

/** What `/metrics` reads of the state store when scraped: whether Redis is connected, the memory store's size. */
function stateProbe(state: StateStore): StateProbe {
  const { redis, sessions } = state;
  if (redis !== undefined)
    return { store: 'redis', sessions: () => undefined, up: () => redis.client.status === 'ready' };
  // The memory store counts its sessions (a getter); another store without a count leaves the gauge out.
  const countable = sessions as Partial<Pick<MemorySessionStore, 'size'>>;
  return { store: 'memory', sessions: () => countable.size, up: () => true };
}

/** The `requestState` key: derived from FINMCP_STATE_KEY when set (every instance verifies every other's state). */
async function requestStateSeal(settings: Settings): Promise<RequestStateSeal> {
  const [{ RequestStateSeal }, { configuredStateSecret }] = await Promise.all([
    import('../../protocol/request-state.js'),
    import('../../state/secret-box.js'),
  ]);
  return new RequestStateSeal(configuredStateSecret(settings.read(SETTINGS.stateKey)));
}

function serverInfo(generated: GeneratedBackend): { name: string; version: string } {
  return { name: serverName(generated.name), version: generated.version };
}

/** The name a backend's server announces (`serverInfo.name`); also its MCP Bundle's name. */
export function serverName(backend: string): string {
  return `finmcp-${backend}`;
}
