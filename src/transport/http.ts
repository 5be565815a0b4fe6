/**
 * Streamable HTTP transport (MCP 2025-11-25, Basic / Transports, "Streamable HTTP") on `node:http`, one
 * endpoint per backend: `POST /<backend>/mcp`.
 *
 * - Single JSON responses (`application/json`), which the spec allows in place of an SSE stream; no
 *   server-initiated stream, so GET is 405. Notifications and responses are answered 202; batches are refused.
 * - Stateless backends answer every request on its own. Stateful ones create a session on `initialize`
 *   ("Session Management"): a 256-bit random id in `Mcp-Session-Id`, bound to the principal that created it;
 *   its state lives in the {@link SessionStore} only. DELETE ends it.
 * - Guards: `Host` (DNS rebinding) and `Origin` (configured origins, or same-origin) on every request, body
 *   size (413), per-caller token bucket (429, RFC 6585), inbound auth (MCP Basic / Authorization; RFC 6750
 *   §3 errors, RFC 9728 metadata routes), `MCP-Protocol-Version` ("Protocol Version Header").
 * - One SDK `Server` per backend, shared by all requests through a {@link MultiplexTransport}; `tools/list` and
 *   `tools/call` take a fast path straight to the same handlers the `Server` uses (measured: the SDK's
 *   per-message zod parsing costs more than the rest of the request).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  McpError,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  InboundAuth,
  Principal,
  SessionRecord,
  SessionStore,
  ToolResult,
  ToolService,
} from '../contracts.js';
import { DEFAULT_HTTP_SERVER_LIMITS, type HttpServerLimits } from '../config.js';
import type { Logger } from '../log.js';
import { ANONYMOUS_PRINCIPAL, toAuthInfo, type TransportCallInfo } from './call-info.js';
import { BodyTooLargeError, readBody } from './http-body.js';
import {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  createHostMatcher,
  createOriginMatcher,
  defaultAllowedHosts,
  isLoopbackHost,
} from './http-guards.js';
import { createLimitedServer } from './http-limits.js';
import { createMcpServer, type McpServerInfo } from './mcp-server.js';
import { MultiplexTransport, type ReplyMessage } from './multiplex-transport.js';
import { RefusalLog, TokenBucketLimiter, type RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { createSessionHandle, MemorySessionStore, SessionCapacityError } from './session-store.js';
import { createToolHandlers, type ToolHandlers } from './tool-handlers.js';
import { isStateUnavailable, STATE_RETRY_AFTER_SECONDS } from '../state/state-unavailable.js';

/** One backend served over HTTP. */
export interface HttpBackend {
  service: ToolService;
  /** Inbound credential check; none means every caller is the anonymous principal. */
  inboundAuth?: InboundAuth;
  info: McpServerInfo;
}

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
  /** Where sessions of stateful backends live; an in-memory store (closed with the server) by default. */
  sessionStore?: SessionStore;
  logger: Logger;
  /**
   * Serve `tools/list` and `tools/call` without the SDK's per-message parsing (same handlers, same answers).
   * On by default; off only to compare both paths.
   */
  fastPath?: boolean;
}

/** A created HTTP server: start it with `listen`, stop it with `close`. */
export interface HttpServerHandle {
  /** Binds and starts serving; resolves with the base URL (`http://host:port`). */
  listen(): Promise<{ url: string }>;
  /** Stops accepting requests, lets in-flight ones finish for up to `graceMs` (5 s by default), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Default body limit: 8 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Default graceful shutdown period. */
const DEFAULT_GRACE_MS = 5_000;
/** JSON-RPC implementation-defined server error (JSON-RPC 2.0 §5.1) used for HTTP-level refusals. */
const SERVER_ERROR = -32000;
/** Session ids are 32 random bytes, base64url: 43 characters. */
const SESSION_ID_LENGTH = 43;

/**
 * Refuses to serve stateful backends without inbound authentication beyond this machine: a session id only says
 * "same conversation", not "same person", so anyone who can reach the server could use the backend. "Beyond this
 * machine" is a non-loopback interface, or a non-loopback public URL: a reverse proxy in front of a loopback port
 * forwards every client, and all of them would be the one anonymous principal.
 */
export function assertSafeBinding(
  host: string,
  backends: ReadonlyArray<Pick<HttpBackend, 'service' | 'inboundAuth'>>,
  publicUrl?: string,
): void {
  const publicHost = publicUrl === undefined ? undefined : URL.canParse(publicUrl) ? new URL(publicUrl).hostname : publicUrl;
  const exposure = !isLoopbackHost(host)
    ? `listen on ${host}`
    : publicHost !== undefined && !isLoopbackHost(publicHost) ? `be served at ${publicUrl}` : undefined;
  if (exposure === undefined) return;
  const unsafe = backends.find((b) => b.service.stateful && b.inboundAuth === undefined);
  if (unsafe !== undefined) {
    throw new Error(
      `sessions are not authentication: configure an inbound credential to ${exposure} (backend ${unsafe.service.backend}; ` +
        'e.g. FINMCP_API_KEYS), or keep it on loopback',
    );
  }
}

/** Everything the request path needs about one backend, built once. */
interface Route {
  name: string;
  inboundAuth: InboundAuth | undefined;
  stateful: boolean;
  allow: string;
  handlers: ToolHandlers;
  server: Server;
  transport: MultiplexTransport;
  /** Serialized `tools/list` result, rebuilt if the service ever returns a different array. */
  toolsJson: { tools: unknown; json: string } | undefined;
}

/** State of one HTTP request while it is being served. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** CORS headers for an allowed `Origin`; undefined without one. */
  cors: OutgoingHttpHeaders | undefined;
  /** Aborts the work behind this request when the client goes away first. */
  cancel: (() => void) | undefined;
}

/** A well-known URI of the origin itself (RFC 8615), e.g. `/.well-known/oauth-protected-resource`. */
const ORIGIN_WIDE_WELL_KNOWN = /^\/\.well-known\/[^/]+$/;
/** Protocol versions accepted in `MCP-Protocol-Version`. */
const SUPPORTED_VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);
/** Well-formed inbound `X-Request-Id` values, kept for correlation; anything else is replaced. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Header names as sent by browsers in `Access-Control-Request-Headers`. */
const HEADER_LIST_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Creates the HTTP server for the given backends (not yet listening). */
export function createHttpServer(options: HttpServerOptions): HttpServerHandle {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const fastPath = options.fastPath !== false;
  assertSafeBinding(host, options.backends, options.publicUrl);

  const ownStore = options.sessionStore === undefined;
  const store: SessionStore = options.sessionStore ?? new MemorySessionStore();
  const ownLimiter = options.rateLimiter === undefined;
  const limiter: RateLimiter | undefined =
    options.rateLimiter ?? (options.rateLimit === false ? undefined : new TokenBucketLimiter(options.rateLimit ?? {}));
  const refusals = new RefusalLog(logger);
  const originAllowed = createOriginMatcher(options.allowedOrigins);
  let hostAllowed: (host: string | undefined) => boolean = () => false;

  const routes = new Map<string, Route>();
  for (const backend of options.backends) {
    const { service } = backend;
    const path = `/${service.backend}/mcp`;
    if (routes.has(path)) throw new Error(`backend ${service.backend} is configured twice`);
    const handlers = createToolHandlers(service, logger);
    const server = createMcpServer(service, backend.info, { logger, handlers });
    const transport = new MultiplexTransport();
    server.onerror = (error: Error): void => {
      logger.warn({ backend: service.backend, err: { message: error.message } }, 'mcp server error');
    };
    routes.set(path, {
      name: service.backend,
      inboundAuth: backend.inboundAuth,
      stateful: service.stateful,
      allow: service.stateful ? 'POST, DELETE' : 'POST',
      handlers,
      server,
      transport,
      toolsJson: undefined,
    });
  }

  // Public metadata routes of the auth plugins (e.g. RFC 9728 protected resource metadata), pre-serialized.
  const wellKnown = new Map<string, string>();
  for (const backend of options.backends) {
    for (const [path, body] of Object.entries(backend.inboundAuth?.wellKnown() ?? {})) {
      // Path forms (RFC 9728 §3.1: `/.well-known/<name>/<backend>/mcp`) are per backend. A root form describes the
      // whole origin, which is true only when this backend is the only one served: otherwise clients of one
      // backend would discover another's authorization server.
      if (ORIGIN_WIDE_WELL_KNOWN.test(path) && options.backends.length > 1) continue;
      if (!wellKnown.has(path)) wellKnown.set(path, JSON.stringify(body));
    }
  }
  const healthJson = JSON.stringify({ status: 'ok', backends: options.backends.map((b) => b.service.backend) });

  // Requests whose work can be cancelled by a later `notifications/cancelled` in the same session.
  const cancellable = new Map<string, () => void>();

  // Requests being served: counted for graceful shutdown, and cancelled when the grace period runs out.
  const live = new Set<Exchange>();
  let closing = false;
  let onDrained: (() => void) | undefined;

  const httpServer = createLimitedServer({ ...DEFAULT_HTTP_SERVER_LIMITS, ...options.limits }, logger, (req, res) => {
    const exchange: Exchange = { req, res, cors: undefined, cancel: undefined };
    live.add(exchange);
    res.once('close', () => {
      live.delete(exchange);
      if (!res.writableFinished && exchange.cancel !== undefined) exchange.cancel();
      if (closing && live.size === 0) onDrained?.();
    });
    handle(exchange).catch((error: unknown) => {
      if (isStateUnavailable(error)) {
        stateUnavailable(exchange, null, error);
        return;
      }
      logger.error({ err: errorSummary(error), method: req.method, path: pathOf(req) }, 'request failed');
      if (!res.headersSent) sendError(exchange, 500, null, ErrorCode.InternalError, 'Internal error');
    });
  });

  /** Writes a complete JSON response. */
  function sendJson(ex: Exchange, status: number, body: string, headers?: OutgoingHttpHeaders): void {
    const { res } = ex;
    if (res.headersSent || res.destroyed) return;
    if (closing) res.shouldKeepAlive = false;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...ex.cors,
      ...headers,
    });
    res.end(body);
  }

  /** Writes a response without a body (202, 204, 405…). */
  function sendEmpty(ex: Exchange, status: number, headers?: OutgoingHttpHeaders): void {
    const { res } = ex;
    if (res.headersSent || res.destroyed) return;
    if (closing) res.shouldKeepAlive = false;
    res.writeHead(status, { ...ex.cors, ...headers });
    res.end();
  }

  /** Writes a JSON-RPC answer; one that cannot be serialized becomes an internal error (never a hung request). */
  function sendAnswer(ex: Exchange, answer: unknown, id: RequestId, headers?: OutgoingHttpHeaders): void {
    let body: string;
    try {
      body = JSON.stringify(answer);
    } catch (error) {
      logger.error({ err: errorSummary(error) }, 'answer is not serializable');
      body = JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: 'Internal error' } });
    }
    sendJson(ex, 200, body, headers);
  }

  /** Writes a JSON-RPC error object as the body of an HTTP error (no stack, no internals). */
  function sendError(
    ex: Exchange,
    status: number,
    id: RequestId | null,
    code: number,
    message: string,
    headers?: OutgoingHttpHeaders,
  ): void {
    sendJson(ex, status, JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }), headers);
  }

  /** 503 with `Retry-After` when the shared state store cannot answer (the message names the cause). */
  function stateUnavailable(ex: Exchange, id: RequestId | null, error: Error): void {
    logger.warn({ err: errorSummary(error), method: ex.req.method, path: pathOf(ex.req) }, 'state store unavailable');
    sendError(ex, 503, id, SERVER_ERROR, `Service Unavailable: ${error.message}`, { 'retry-after': String(STATE_RETRY_AFTER_SECONDS) });
  }

  async function handle(ex: Exchange): Promise<void> {
    const { req } = ex;
    const headers = req.headers;
    if (closing) {
      sendError(ex, 503, null, SERVER_ERROR, 'Server is shutting down', { 'retry-after': '1' });
      return;
    }
    if (!hostAllowed(headers.host)) {
      sendError(ex, 403, null, SERVER_ERROR, 'Forbidden: Host header not allowed');
      return;
    }
    const path = pathOf(req);
    const method = req.method ?? 'GET';

    const metadata = wellKnown.get(path);
    if (metadata !== undefined) {
      // Public, read-only discovery documents: readable from any origin, no auth.
      ex.cors = { 'access-control-allow-origin': '*' };
      if (method === 'GET' || method === 'HEAD') sendJson(ex, 200, metadata, { 'cache-control': 'max-age=300' });
      else if (method === 'OPTIONS') sendEmpty(ex, 204, { 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '600' });
      else sendEmpty(ex, 405, { allow: 'GET, HEAD, OPTIONS' });
      return;
    }

    const origin = headers.origin;
    if (origin !== undefined) {
      // Same-origin requests (the Origin names the already validated Host) are allowed: no cross-site caller.
      if (!originAllowed(origin) && !isSameOrigin(origin, headers.host)) {
        sendError(ex, 403, null, SERVER_ERROR, 'Forbidden: Origin not allowed');
        return;
      }
      ex.cors = {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': CORS_EXPOSE_HEADERS,
        vary: 'Origin',
      };
    }
    if (method === 'OPTIONS') {
      const requested = headers['access-control-request-headers'];
      sendEmpty(ex, 204, {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers':
          requested !== undefined && HEADER_LIST_PATTERN.test(requested) ? requested : CORS_ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
      return;
    }
    if (path === '/healthz') {
      if (method === 'GET' || method === 'HEAD') sendJson(ex, 200, healthJson, { 'cache-control': 'no-store' });
      else sendEmpty(ex, 405, { allow: 'GET' });
      return;
    }
    const route = routes.get(path);
    if (route === undefined) {
      sendError(ex, 404, null, SERVER_ERROR, 'Not found');
      return;
    }
    if (method === 'POST') return handlePost(ex, route);
    if (method === 'DELETE' && route.stateful) return handleDelete(ex, route);
    sendError(ex, 405, null, SERVER_ERROR, 'Method not allowed', { allow: route.allow });
  }

  /**
   * Authenticates and rate-limits; returns the principal, or undefined when a refusal was sent. `authenticated`
   * runs between the two, so work that needs only the principal (a shared store's session read) can overlap
   * the limiter's round trip.
   */
  async function admit(ex: Exchange, route: Route, authenticated?: (principal: Principal) => void): Promise<Principal | undefined> {
    const address = ex.req.socket.remoteAddress ?? 'unknown';
    let principal: Principal = ANONYMOUS_PRINCIPAL;
    let key: string;
    if (route.inboundAuth !== undefined) {
      const result = await route.inboundAuth.authenticate(ex.req.headers.authorization);
      if (!result.ok) {
        refusals.rejected(route.name, address, result);
        // Failed attempts count against the caller's address so that guessing credentials is slowed down.
        if (!(await rateLimited(ex, `a:${address}`))) sendJson(ex, result.status, JSON.stringify(result.body), result.headers);
        return undefined;
      }
      principal = result.principal;
      key = `p:${principal.id}`;
    } else {
      key = `a:${address}`;
    }
    authenticated?.(principal);
    const limited = rateLimited(ex, key);
    if (typeof limited === 'boolean') return limited ? undefined : principal;
    return limited.then((refused) => (refused ? undefined : principal));
  }

  /** Takes a token for `key`; answers 429 and returns true when there is none. */
  function rateLimited(ex: Exchange, key: string): boolean | Promise<boolean> {
    if (limiter === undefined) return false;
    const retryAfter = limiter.take(key);
    // In-process buckets answer synchronously: no extra promise on the hot path.
    if (typeof retryAfter === 'number') return refuseIfLimited(ex, key, retryAfter);
    return retryAfter.then((wait) => refuseIfLimited(ex, key, wait));
  }

  /** Answers 429 with `Retry-After` (and logs it) when `retryAfter` is not 0. */
  function refuseIfLimited(ex: Exchange, key: string, retryAfter: number): boolean {
    if (retryAfter === 0) return false;
    refusals.limited(key, ex.req.socket.remoteAddress ?? 'unknown', retryAfter);
    sendError(ex, 429, null, SERVER_ERROR, 'Too many requests', { 'retry-after': String(retryAfter) });
    return true;
  }

  async function handlePost(ex: Exchange, route: Route): Promise<void> {
    const headers = ex.req.headers;
    const accept = headers.accept;
    if (accept === undefined || !accept.includes('application/json') || !accept.includes('text/event-stream')) {
      sendError(ex, 406, null, SERVER_ERROR, 'Not Acceptable: Accept must include application/json and text/event-stream');
      return;
    }
    const contentType = headers['content-type'];
    if (contentType === undefined || !contentType.includes('application/json')) {
      sendError(ex, 415, null, SERVER_ERROR, 'Unsupported Media Type: Content-Type must be application/json');
      return;
    }
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      tooLarge(ex);
      return;
    }
    // A presented session is looked up while the limiter decides (one store round trip instead of two in a row).
    const presentedSession = route.stateful ? single(headers['mcp-session-id']) : undefined;
    let sessionLookup: Promise<SessionRecord | undefined> | undefined;
    const principal = await admit(
      ex,
      route,
      presentedSession === undefined
        ? undefined
        : (caller) => {
            sessionLookup = findSession(presentedSession, caller, route);
            // Awaited below when still needed; a refusal before that must not leave an unhandled rejection.
            sessionLookup.catch(() => undefined);
          },
    );
    if (principal === undefined) return;
    // After authentication: an unauthenticated caller learns only that it must authenticate (401).
    const version = single(headers['mcp-protocol-version']);
    if (version !== undefined && !SUPPORTED_VERSIONS.has(version)) {
      sendError(ex, 400, null, SERVER_ERROR, `Bad Request: unsupported MCP-Protocol-Version ${truncate(version)}`);
      return;
    }

    let raw: Buffer;
    try {
      raw = await readBody(ex.req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) tooLarge(ex);
      // Otherwise the client went away mid-body: nobody to answer.
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(ex, 400, null, ErrorCode.ParseError, 'Parse error: body is not valid JSON');
      return;
    }
    if (Array.isArray(message)) {
      sendError(ex, 400, null, ErrorCode.InvalidRequest, 'Invalid Request: JSON-RPC batches are not supported');
      return;
    }
    if (!isObject(message) || message.jsonrpc !== '2.0') {
      sendError(ex, 400, null, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message');
      return;
    }
    const id = message.id;
    const hasId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
    const methodName = message.method;
    const params = message.params;
    if (
      (id !== undefined && !hasId) ||
      (methodName !== undefined && typeof methodName !== 'string') ||
      (params !== undefined && !isObject(params))
    ) {
      sendError(ex, 400, hasId ? (id as RequestId) : null, ErrorCode.InvalidRequest, 'Invalid Request');
      return;
    }
    const isInitialize = methodName === 'initialize';

    // Session: created by `initialize`, required afterwards, bound to its principal.
    let sessionId: string | undefined;
    let record: SessionRecord | undefined;
    let newSession = false;
    if (route.stateful) {
      const presented = presentedSession;
      if (presented === undefined) {
        if (!isInitialize) {
          sendError(ex, 400, hasId ? (id as RequestId) : null, SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
          return;
        }
        sessionId = randomBytes(32).toString('base64url');
        record = { principalId: principal.id, owner: sessionOwner(principal, ex), backend: route.name, createdAt: Date.now(), state: {} };
        newSession = true;
      } else {
        record = await (sessionLookup ?? findSession(presented, principal, route));
        if (record === undefined) {
          sendError(ex, 404, hasId ? (id as RequestId) : null, SERVER_ERROR, 'Session not found');
          return;
        }
        sessionId = presented;
      }
    }

    if (methodName === undefined || !hasId) {
      // A notification, or a response to a server request (we send none): accepted, nothing to return.
      if (methodName !== undefined) forwardNotification(message as unknown as JSONRPCNotification, route, sessionId, principal);
      sendEmpty(ex, 202);
      return;
    }

    const requestId = id as RequestId;
    if (methodName === 'tools/call' && route.inboundAuth !== undefined && isObject(params) && typeof params.name === 'string') {
      const required = route.inboundAuth.requiredScopes(params.name);
      if (required.length > 0 && !required.every((s) => principal.scopes.includes(s))) {
        // The plugin's own challenge carries resource_metadata too (MCP 2025-11-25, runtime insufficient scope).
        const challenge =
          route.inboundAuth.insufficientScope?.(required).headers['www-authenticate'] ??
          `Bearer error="insufficient_scope", scope="${required.join(' ')}"`;
        sendError(ex, 403, requestId, SERVER_ERROR, 'Forbidden: insufficient scope', { 'www-authenticate': challenge });
        return;
      }
    }

    const info: TransportCallInfo = { principal };
    const inboundRequestId = headers['x-request-id'];
    if (typeof inboundRequestId === 'string' && REQUEST_ID_PATTERN.test(inboundRequestId)) info.requestId = inboundRequestId;
    if (sessionId !== undefined && record !== undefined) {
      info.sessionId = sessionId;
      info.session = createSessionHandle(store, sessionId, record);
    }

    // One of the answer and the cancellation wins; `settle` says which (and forgets the cancel hook).
    const cancelKey = sessionId === undefined ? undefined : `${sessionId}\u0000${typeof requestId}:${requestId}`;
    let cancel: (() => void) | undefined;
    const settle = (): boolean => {
      if (cancel === undefined) return false;
      if (cancelKey !== undefined && cancellable.get(cancelKey) === cancel) cancellable.delete(cancelKey);
      cancel = undefined;
      ex.cancel = undefined;
      return true;
    };
    const track = (onCancel: () => void): void => {
      cancel = (): void => {
        if (!settle()) return;
        onCancel();
        sendError(ex, 200, requestId, ErrorCode.ConnectionClosed, 'Request cancelled');
      };
      ex.cancel = cancel;
      if (cancelKey !== undefined) cancellable.set(cancelKey, cancel);
    };

    if (fastPath && methodName === 'tools/list' && (params === undefined || params.cursor === undefined || typeof params.cursor === 'string')) {
      sendJson(ex, 200, `{"jsonrpc":"2.0","id":${JSON.stringify(requestId)},"result":${toolsJson(route)}}`);
      return;
    }
    if (
      fastPath &&
      methodName === 'tools/call' &&
      isObject(params) &&
      typeof params.name === 'string' &&
      (params.arguments === undefined || isObject(params.arguments)) &&
      params.task === undefined &&
      (params._meta === undefined || isObject(params._meta))
    ) {
      const controller = new AbortController();
      track(() => controller.abort());
      route.handlers
        .callTool(params.name, params.arguments as Record<string, unknown> | undefined, info, controller.signal)
        .then(
          (result: ToolResult) => {
            if (!settle()) return;
            sendAnswer(ex, { jsonrpc: '2.0', id: requestId, result }, requestId);
          },
          (error: unknown) => {
            if (!settle()) return;
            sendAnswer(ex, { jsonrpc: '2.0', id: requestId, error: toJsonRpcError(error) }, requestId);
          },
        );
      return;
    }

    const extra: MessageExtraInfo = { authInfo: toAuthInfo(info), requestInfo: { headers } };
    let internalId = 0;
    track(() => route.transport.cancel(internalId, 'client cancelled'));
    if (newSession && sessionId !== undefined && record !== undefined) {
      const sid = sessionId;
      const created = record;
      internalId = route.transport.dispatch(message as unknown as JSONRPCRequest, extra, (answer) => {
        if (!settle()) return;
        if (!('result' in answer)) {
          // Only a successful initialize makes the session exist.
          sendAnswer(ex, answer, requestId);
          return;
        }
        store.set(sid, created).then(
          () => {
            logger.info({ backend: route.name, session: sessionTag(sid), principal: principal.id }, 'session created');
            sendAnswer(ex, answer, requestId, { 'mcp-session-id': sid });
          },
          (error: unknown) => {
            if (error instanceof SessionCapacityError) {
              logger.warn({ backend: route.name, principal: principal.id }, 'session refused: store full of signed-in sessions');
              sendError(ex, 503, requestId, SERVER_ERROR, error.message, { 'retry-after': '60' });
              return;
            }
            if (isStateUnavailable(error)) {
              stateUnavailable(ex, requestId, error);
              return;
            }
            logger.error({ backend: route.name, err: errorSummary(error) }, 'session store failed');
            sendError(ex, 500, requestId, ErrorCode.InternalError, 'Internal error');
          },
        );
      });
      return;
    }
    internalId = route.transport.dispatch(message as unknown as JSONRPCRequest, extra, (answer) => {
      if (!settle()) return;
      sendAnswer(ex, answer, requestId);
    });
  }

  /** Forwards a client notification; `notifications/cancelled` is mapped to the request it names, in its session. */
  function forwardNotification(
    notification: JSONRPCNotification,
    route: Route,
    sessionId: string | undefined,
    principal: Principal,
  ): void {
    if (notification.method === 'notifications/cancelled') {
      // Stateless requests have no scope in which a client's request id is unique: the HTTP disconnect cancels them.
      const target = notification.params?.requestId;
      if (sessionId !== undefined && (typeof target === 'string' || typeof target === 'number')) {
        cancellable.get(`${sessionId}\u0000${typeof target}:${target}`)?.();
      }
      return;
    }
    const info: TransportCallInfo = sessionId === undefined ? { principal } : { principal, sessionId };
    route.transport.notify(notification, { authInfo: toAuthInfo(info) });
  }

  async function handleDelete(ex: Exchange, route: Route): Promise<void> {
    const principal = await admit(ex, route);
    if (principal === undefined) return;
    const presented = single(ex.req.headers['mcp-session-id']);
    if (presented === undefined) {
      sendError(ex, 400, null, SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const record = await findSession(presented, principal, route);
    if (record === undefined) {
      sendError(ex, 404, null, SERVER_ERROR, 'Session not found');
      return;
    }
    await store.delete(presented);
    logger.info({ backend: route.name, session: sessionTag(presented), principal: principal.id }, 'session ended');
    sendEmpty(ex, 204);
  }

  /** The session's record if it exists, is live, belongs to this backend and to this principal; else undefined. */
  async function findSession(sessionId: string, principal: Principal, route: Route): Promise<SessionRecord | undefined> {
    if (sessionId.length !== SESSION_ID_LENGTH) return undefined;
    const record = await store.get(sessionId);
    // Another principal's session answers exactly like an unknown one: its existence is not revealed.
    if (record === undefined || record.backend !== route.name || record.principalId !== principal.id) return undefined;
    return record;
  }

  /** The serialized `tools/list` result of a route. */
  function toolsJson(route: Route): string {
    const result = route.handlers.listTools();
    if (route.toolsJson === undefined || route.toolsJson.tools !== result.tools) {
      route.toolsJson = { tools: result.tools, json: JSON.stringify(result) };
    }
    return route.toolsJson.json;
  }

  /** 413, closing the connection (the rest of the body is not read). */
  function tooLarge(ex: Exchange): void {
    ex.res.shouldKeepAlive = false;
    sendError(ex, 413, null, SERVER_ERROR, `Content Too Large: the limit is ${maxBodyBytes} bytes`, { connection: 'close' });
  }

  let listening = false;
  return {
    async listen(): Promise<{ url: string }> {
      if (listening) throw new Error('already listening');
      listening = true;
      // Servers are connected before the first request can arrive.
      for (const route of routes.values()) await route.server.connect(route.transport);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port, host, () => {
          httpServer.off('error', reject);
          // The bound port is known only now; set before any request is read.
          const bound = (httpServer.address() as AddressInfo).port;
          hostAllowed = createHostMatcher(options.allowedHosts ?? defaultAllowedHosts(bound, host, options.publicUrl));
          resolve();
        });
      });
      const port = (httpServer.address() as AddressInfo).port;
      const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${port}` };
    },

    async close(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
      if (closing) return;
      closing = true;
      const stopped = listening
        ? new Promise<void>((resolve) => httpServer.close(() => resolve()))
        : Promise.resolve();
      httpServer.closeIdleConnections();
      if (live.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          timer.unref();
          onDrained = (): void => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      // Out of time: abort the work still running, then drop the connections.
      for (const ex of live) ex.cancel?.();
      httpServer.closeAllConnections();
      await stopped;
      for (const route of routes.values()) await route.server.close();
      cancellable.clear();
      if (ownLimiter) limiter?.close();
      if (ownStore) await (store as MemorySessionStore).close();
    },
  };
}

/** The path part of a request URL. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Whether `origin` is `http(s)://<host>` for the request's own `Host`. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const o = origin.toLowerCase();
  const h = host.toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}

/** A non-array object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON-RPC error for a thrown value, as the SDK's `Protocol` would build it. */
function toJsonRpcError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof McpError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  return { code: ErrorCode.InternalError, message: 'Internal error' };
}

/**
 * Whose session quota a new session counts against: the principal, or for the anonymous principal (no inbound
 * credential: every caller is `anonymous`) the client address, so that one client cannot use up everyone's.
 */
function sessionOwner(principal: Principal, ex: Exchange): string {
  return principal === ANONYMOUS_PRINCIPAL ? `${principal.id}@${ex.req.socket.remoteAddress ?? 'unknown'}` : principal.id;
}

/** Short, non-reversible tag for a session id, for log correlation (ids themselves are never logged). */
function sessionTag(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 12);
}

/** Error fields safe to log. */
function errorSummary(error: unknown): { message: string; name?: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
}

/** A header's value; repeated headers are joined (and then fail the checks a single value passes). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Caps echoed header values. */
function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
