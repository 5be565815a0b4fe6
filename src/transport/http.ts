/**
 * The Streamable HTTP transport on `node:http` (MCP 2026-07-28 and 2025-11-25, Basic / Transports, "Streamable
 * HTTP"): listening, graceful shutdown, and adapting Node's request/response to the shared pipeline
 * (http/pipeline.ts: guards, sessions, routing; the dispatch core answers). The fetch handler
 * (http/fetch-handler.ts) adapts web-standard `Request`/`Response` to the same pipeline.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { SessionStore } from '../state/session.js';
import type { RequestStateSeal } from '../protocol/request-state.js';
import type { InteractionStore } from '../state/interaction-store.js';
import { ConfigError, DEFAULT_HTTP_SERVER_LIMITS, SETTINGS, type HttpServerLimits } from '../config.js';
import type { AuditLog } from '../audit/audit-record.js';
import type { Logger } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import { readBody } from './http-body.js';
import { createHostMatcher, defaultAllowedHosts, hostName, isLoopbackHost } from './http-guards.js';
import { createLimitedServer } from './http-limits.js';
import type { HttpAnswer, HttpRequestLike } from './http/exchange.js';
import { HttpPipeline, type HttpBackend } from './http/pipeline.js';
import type { MetricsRouteOptions } from './http/metrics-route.js';
import { json, rpcError } from './http/replies.js';
import type { RateLimiter, RateLimitOptions } from '../state/rate-limit.js';
import { MemorySessionStore } from '../state/session-store.js';

export type { HttpBackend };

/** Options for {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Timeouts and connection cap; each defaults to {@link DEFAULT_HTTP_SERVER_LIMITS}. */
  limits?: Partial<HttpServerLimits>;
  backends: HttpBackend[];
  /** Origins browsers may call from (`scheme://host[:port]`); requests with any other `Origin` get 403. */
  allowedOrigins: string[];
  /**
   * Accepted `Host` header values (DNS rebinding protection): `name:port` exactly, or `name` on any port.
   * Default: localhost, 127.0.0.1 and [::1] with the bound port, plus the host of `publicUrl`.
   */
  allowedHosts?: string[] | undefined;
  /** The URL clients use to reach this server (behind a proxy); its host is accepted by default. */
  publicUrl?: string;
  /** Largest accepted request body; 8 MiB by default. */
  maxBodyBytes?: number;
  /** Per-caller limit (600/min, burst 600 by default); `false` disables it (benchmarks). */
  rateLimit?: RateLimitOptions | false;
  /** A limiter shared between instances (owned by the caller); replaces `rateLimit`'s in-process buckets. */
  rateLimiter?: RateLimiter;
  /** Where legacy sessions and per-caller state live; an in-memory store (closed with the server) by default. */
  sessionStore?: SessionStore;
  /** Where confirmation nonces, one-time pages and pending questions live; this process's memory by default. */
  interactions?: InteractionStore;
  /** The `requestState` key (from FINMCP_STATE_KEY); a random one of this process by default. */
  seal?: RequestStateSeal;
  logger: Logger;
  /** Records refused credentials and 429s (FINMCP_AUDIT). */
  audit?: AuditLog;
  /** Serve `/metrics` (FINMCP_METRICS), with FINMCP_METRICS_TOKEN when set (required beyond loopback). */
  metrics?: MetricsRouteOptions;
}

/** A created HTTP server: start it with `listen`, stop it with `close`. */
export interface HttpServerHandle {
  /** Binds and starts serving; resolves with the base URL (`http://host:port`). */
  listen(): Promise<{ url: string }>;
  /**
   * Drains, then closes: stops accepting connections, serves what arrives on the open ones (each answer with
   * `Connection: close`), waits for the requests in flight and for the clients to close their idle connections
   * for up to `graceMs` (5 s by default), then cancels what still runs and closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** Default graceful shutdown period. */
const DEFAULT_GRACE_MS = 5_000;
/** How long aborted calls get to send their "Request cancelled" answer at shutdown. */
const ANSWER_CANCELLED_MS = 500;

/**
 * Refuses to serve stateful backends without inbound authentication beyond this machine: a session id (or, in
 * 2026-07-28, the anonymous caller's state) only says "same conversation", not "same person", so anyone who can
 * reach the server could use the backend. "Beyond this machine" is a non-loopback interface, a non-loopback
 * public URL (a reverse proxy in front of a loopback port forwards every client, and all of them would be the one
 * anonymous principal), or a non-loopback name among the accepted `Host` values (the same proxy, named otherwise).
 */
export function assertSafeBinding(
  host: string,
  backends: ReadonlyArray<Pick<HttpBackend, 'service' | 'inboundAuth'>>,
  publicUrl?: string,
  allowedHosts?: readonly string[],
): void {
  const exposure = exposureOf(host, publicUrl, allowedHosts);
  if (exposure === undefined) return;
  const unsafe = backends.find((b) => b.service.stateful && b.inboundAuth === undefined);
  if (unsafe !== undefined) {
    throw new Error(
      `sessions are not authentication: configure an inbound credential to ${exposure} (backend ${unsafe.service.backend}; ` +
        'e.g. FINMCP_API_KEYS), or keep it on loopback',
    );
  }
}

/**
 * Refuses to serve `/metrics` beyond this machine (as {@link assertSafeBinding} judges it) without a token: call
 * counts per tool are the operator's business, not every visitor's.
 */
function assertSafeMetrics(
  host: string,
  metrics: HttpServerOptions['metrics'],
  publicUrl?: string,
  allowedHosts?: readonly string[],
): void {
  if (metrics === undefined || metrics.token !== undefined) return;
  const exposure = exposureOf(host, publicUrl, allowedHosts);
  if (exposure !== undefined)
    throw new ConfigError(
      `FINMCP_METRICS: set FINMCP_METRICS_TOKEN to ${exposure} with /metrics, or keep the server on loopback`,
    );
}

/** How the server would be reached from beyond this machine, in words; undefined when it stays on loopback. */
function exposureOf(host: string, publicUrl?: string, allowedHosts?: readonly string[]): string | undefined {
  const publicHost =
    publicUrl === undefined ? undefined : URL.canParse(publicUrl) ? new URL(publicUrl).hostname : publicUrl;
  const foreignHost = allowedHosts?.map(hostName).find((name) => name !== '' && !isLoopbackHost(name));
  return !isLoopbackHost(host)
    ? `listen on ${host}`
    : publicHost !== undefined && !isLoopbackHost(publicHost)
      ? `be served at ${publicUrl}`
      : foreignHost !== undefined
        ? `accept Host ${foreignHost} (FINMCP_ALLOWED_HOSTS)`
        : undefined;
}

/** A Node request as the pipeline sees it. */
export class NodeRequest implements HttpRequestLike {
  readonly method: string;
  readonly path: string;
  readonly #req: IncomingMessage;
  /** `req.headers` read once: it is a getter, and a request reads ten or more headers. */
  readonly #headers: IncomingMessage['headers'];
  #controller: { abort(): void } | undefined;

  constructor(req: IncomingMessage) {
    this.#req = req;
    this.#headers = req.headers;
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
  }

  header(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  get remoteAddress(): string {
    return this.#req.socket.remoteAddress ?? 'unknown';
  }

  readBody(limit: number): string | Promise<string> {
    const body = readBody(this.#req, limit);
    return body instanceof Promise ? body.then((bytes) => bytes.toString('utf8')) : body.toString('utf8');
  }

  attach(controller: { abort(): void }): void {
    this.#controller = controller;
  }

  /** The client went away before the answer: abort the work behind it. */
  abandon(): void {
    this.#controller?.abort();
  }
}

/** Creates the HTTP server for the given backends (not yet listening). */
export function createHttpServer(options: HttpServerOptions): HttpServerHandle {
  const host = options.host ?? SETTINGS.host.default;
  const logger = options.logger;
  assertSafeBinding(host, options.backends, options.publicUrl, options.allowedHosts);
  assertSafeMetrics(host, options.metrics, options.publicUrl, options.allowedHosts);
  const ownStore = options.sessionStore === undefined;
  const store: SessionStore = options.sessionStore ?? new MemorySessionStore();
  const pipeline = new HttpPipeline({ ...options, store });
  // Set by close(): drain (serve, answer with `Connection: close`); then out of time (refuse what still arrives).
  let closing = false;
  let outOfTime = false;
  const live = new LiveRequests(() => closing);

  const send = (res: ServerResponse, answer: HttpAnswer): void => {
    if (res.headersSent || res.destroyed) return;
    if (closing || answer.closeConnection === true) res.shouldKeepAlive = false;
    res.writeHead(answer.status, answer.headers);
    if (answer.stream === undefined) res.end(answer.body);
    else void writeStream(res, answer.stream);
  };

  const httpServer = createLimitedServer({ ...DEFAULT_HTTP_SERVER_LIMITS, ...options.limits }, logger, (req, res) => {
    const request = new NodeRequest(req);
    live.add(request, res);
    if (outOfTime) {
      send(res, rpcError(503, null, ErrorCode.ServerError, 'Server is shutting down', { 'retry-after': '1' }));
      return;
    }
    // A draining instance still serves, but tells health checks to send nothing new.
    if (closing && request.path === '/healthz') {
      send(res, json(503, JSON.stringify({ status: 'draining' }), { 'cache-control': 'no-store', 'retry-after': '1' }));
      return;
    }
    void pipeline.handle(request).then((answer) => send(res, answer));
  });

  let listening = false;
  return {
    async listen(): Promise<{ url: string }> {
      if (listening) throw new Error('already listening');
      listening = true;
      return listen(httpServer, pipeline, host, options);
    },

    async close(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
      if (closing) return;
      closing = true;
      // Stop accepting only: new connections are refused, and a proxy resends a refused request to another instance.
      // http.Server#close would also close the idle keep-alive connections at once; a request a client (a proxy) is
      // sending on one at that very moment would be lost, and a proxy must not resend a POST that reached an
      // instance. Idle connections are left to their client, or to the keep-alive timeout, as at any other time.
      // Settles once every connection is closed.
      const stopped = listening
        ? new Promise<void>((resolve) => NetServer.prototype.close.call(httpServer, () => resolve()))
        : Promise.resolve();
      await Promise.race([stopped, delay(graceMs)]);
      // Out of time: abort the work still running, let the aborted calls answer ("Request cancelled"), then drop
      // the connections.
      outOfTime = true;
      live.abandonAll();
      pipeline.close();
      await live.drained(ANSWER_CANCELLED_MS);
      httpServer.closeAllConnections();
      await stopped;
      // Now only to stop http.Server's timer that enforces the header and request timeouts.
      httpServer.close();
      if (ownStore) await (store as MemorySessionStore).close();
      logger.debug('http server closed');
    },
  };
}

/** Resolves after `ms` without holding the process open. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Listens on the configured port; the Host matcher is set from the bound port before any request is read. */
async function listen(
  httpServer: Server,
  pipeline: HttpPipeline,
  host: string,
  options: HttpServerOptions,
): Promise<{ url: string }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, host, () => {
      httpServer.off('error', reject);
      // The bound port is known only now; set before any request is read.
      const bound = (httpServer.address() as AddressInfo).port;
      pipeline.hostAllowed = createHostMatcher(
        options.allowedHosts ?? defaultAllowedHosts(bound, host, options.publicUrl),
      );
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}` };
}

/** Requests being served: counted for graceful shutdown, and cancelled when the grace period runs out. */
class LiveRequests {
  readonly #live = new Set<NodeRequest>();
  readonly #closing: () => boolean;
  #onDrained: (() => void) | undefined;

  constructor(closing: () => boolean) {
    this.#closing = closing;
  }

  /**
   * Tracks `request` until its response closes; an unfinished one is abandoned (its call cancelled). `on`, not
   * `once`: a response closes once, and `once` would bind a wrapper per request.
   */
  add(request: NodeRequest, res: ServerResponse): void {
    this.#live.add(request);
    res.on('close', () => this.#closed(request, res));
  }

  #closed(request: NodeRequest, res: ServerResponse): void {
    this.#live.delete(request);
    if (!res.writableFinished) request.abandon();
    if (this.#closing() && this.#live.size === 0) this.#onDrained?.();
  }

  /** Resolves when no request is in flight, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#onDrained = (): void => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Aborts the work of every request still in flight. */
  abandonAll(): void {
    for (const request of this.#live) request.abandon();
  }
}

/** Writes an SSE answer's events as they come, then ends it (the client going away ends the call: see NodeRequest). */
async function writeStream(res: ServerResponse, events: AsyncIterable<string>): Promise<void> {
  for await (const event of events) {
    if (res.destroyed) return;
    res.write(event);
  }
  res.end();
}
