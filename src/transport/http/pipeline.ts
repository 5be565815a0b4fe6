/**
 * The Streamable HTTP pipeline (MCP 2026-07-28 and 2025-11-25, Basic / Transports, "Streamable HTTP"), one
 * endpoint per backend: `POST /<backend>/mcp`, shared by the node:http server and the fetch handler.
 *
 * - Single JSON responses (`application/json`), except a legacy call that asks the client something (an SSE
 *   stream: call-streams.ts); no server-initiated stream, so GET is 405. Notifications and
 *   responses are answered 202; batches are refused.
 * - Guards: `Host` (DNS rebinding) and `Origin` on every request, body size (413), per-caller token bucket (429,
 *   RFC 6585), inbound auth (RFC 6750 §3 errors, RFC 9728 metadata routes), `MCP-Protocol-Version`.
 * - 2026-07-28 requests (a `_meta` envelope) are served per request with their metadata headers checked
 *   (modern-headers.ts); 2025-11-25 requests to stateful backends live in sessions (sessions.ts).
 * - The dispatch core answers; this module only decides who the caller is and what state they reach.
 */
import type { InboundAuth, Principal } from '../../auth/inbound-auth.js';
import type { SessionRecord, SessionStore } from '../../state/session.js';
import type { ToolService } from '../../core/tool-service-api.js';
import { SETTINGS } from '../../config.js';
import type { AuditLog } from '../../audit/audit-record.js';
import type { Logger } from '../../log.js';
import type { Caller } from '../../protocol/caller.js';
import { Dispatcher, type Reply, type ServerInfo } from '../../protocol/dispatcher.js';
import { ErrorCode } from '../../protocol/errors.js';
import {
  inspectMessage,
  type InboundNotification,
  type InboundRequest,
  type InboundResponse,
  type RequestId,
} from '../../protocol/messages.js';
import { readEnvelope } from '../../protocol/envelope.js';
import { ALL_VERSIONS, isModernVersion } from '../../protocol/versions.js';
import { createOriginMatcher } from '../http-guards.js';
import { isStateUnavailable, STATE_RETRY_AFTER_SECONDS } from '../../state/state-unavailable.js';
import type { RateLimiter, RateLimitOptions } from '../../state/rate-limit.js';
import { SessionCapacityError } from '../../state/session-store.js';
import { corsFor, preflight } from './cors.js';
import { Admission } from './admission.js';
import { BodyTooLargeError, type HttpAnswer, type HttpRequestLike } from './exchange.js';
import { checkPostHeaders, tooLarge } from './post-headers.js';
import { checkModernHeaders, checkVersionHeader, unsupportedHeaderVersion } from './modern-headers.js';
import { CallStreams } from './call-streams.js';
import { insufficientScope } from './insufficient-scope.js';
import { PageRoutes } from './pages.js';
import { RequestStateSeal } from '../../protocol/request-state.js';
import { MemoryInteractionStore, type InteractionStore } from '../../state/interaction-store.js';
import { empty, json, publicDocument, rpcError } from './replies.js';
import { LegacySessions, type NewSession } from './sessions.js';
import { METRICS_PATH, MetricsRoute, type MetricsRouteOptions } from './metrics-route.js';

/** One backend served over HTTP. */
export interface HttpBackend {
  service: ToolService;
  /** Inbound credential check; none means every caller is the anonymous principal. */
  inboundAuth?: InboundAuth;
  info: ServerInfo;
}

/** Options of {@link HttpPipeline}. */
export interface PipelineOptions {
  backends: HttpBackend[];
  /** Origins browsers may call from (`scheme://host[:port]`); requests with any other `Origin` get 403. */
  allowedOrigins: string[];
  /** Largest accepted request body; FINMCP_MAX_BODY_BYTES's default when unset. */
  maxBodyBytes?: number;
  /** Tools per `tools/list` page (the settings table's default). */
  listPageSize?: number;
  /** Per-caller limit (600/min, burst 600 by default); `false` disables it (benchmarks). */
  rateLimit?: RateLimitOptions | false;
  /** A limiter shared between instances (owned by the caller); replaces `rateLimit`'s in-process buckets. */
  rateLimiter?: RateLimiter;
  /** Where legacy sessions and per-caller state live. */
  store: SessionStore;
  /** Where confirmation nonces, one-time pages and pending questions live; this process's memory by default. */
  interactions?: InteractionStore;
  /** The `requestState` key (from FINMCP_STATE_KEY); a random one of this process by default. */
  seal?: RequestStateSeal;
  logger: Logger;
  /** The URL clients reach this server at (behind a proxy); one-time pages are linked under it. */
  publicUrl?: string;
  /** Records refused credentials and 429s (FINMCP_AUDIT); tool calls are recorded by the tool services. */
  audit?: AuditLog;
  /** Serve `/metrics` (FINMCP_METRICS). */
  metrics?: MetricsRouteOptions;
}

/** A well-known URI of the origin itself (RFC 8615), e.g. `/.well-known/oauth-protected-resource`. */
const ORIGIN_WIDE_WELL_KNOWN = /^\/\.well-known\/[^/]+$/;
/** Well-formed inbound `X-Request-Id` values, kept for correlation; anything else is replaced. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Everything the request path needs about one backend, built once. */
interface Route {
  name: string;
  inboundAuth: InboundAuth | undefined;
  stateful: boolean;
  allow: string;
  core: Dispatcher;
}

/** What the steps of one admitted POST share: the request, its route and caller, and its legacy session lookup. */
interface Posted {
  readonly req: HttpRequestLike;
  readonly route: Route;
  readonly principal: Principal;
  /** The presented session's record (the lookup started during admission, else a new one); undefined: unknown. */
  readonly session: (presented: string) => SessionRecord | undefined | Promise<SessionRecord | undefined>;
}

/** Routes, guards, sessions and dispatch of one HTTP server; transports feed it {@link HttpRequestLike}s. */
export class HttpPipeline {
  readonly #routes = new Map<string, Route>();
  /**
   * Public metadata routes of the auth plugins (e.g. RFC 9728 protected resource metadata), each with its plugin:
   * the document may name the resource by the `Host` the client used, so it is built per request (rarely asked).
   */
  readonly #wellKnown = new Map<string, InboundAuth>();
  readonly #healthJson: string;
  readonly #originAllowed: (origin: string) => boolean;
  readonly #admission: Admission;
  readonly #sessions: LegacySessions;
  readonly #maxBodyBytes: number;
  readonly #logger: Logger;
  readonly #audit: AuditLog | undefined;
  readonly #pages: PageRoutes;
  readonly #streams: CallStreams;
  readonly #metrics: MetricsRoute | undefined;
  /** Accepts `Host` values; set by the transport once it knows its address. */
  hostAllowed: (host: string | undefined) => boolean = () => false;

  constructor(options: PipelineOptions) {
    this.#logger = options.logger;
    this.#audit = options.audit;
    this.#maxBodyBytes = options.maxBodyBytes ?? SETTINGS.maxBodyBytes.default;
    this.#originAllowed = createOriginMatcher(options.allowedOrigins);
    this.#admission = new Admission(options);
    this.#sessions = new LegacySessions(options.store, options.logger);
    const interactions = options.interactions ?? new MemoryInteractionStore();
    const seal = options.seal ?? new RequestStateSeal();
    this.#streams = new CallStreams(interactions);
    for (const backend of options.backends) {
      const { service } = backend;
      const path = `/${service.backend}/mcp`;
      if (this.#routes.has(path)) throw new Error(`backend ${service.backend} is configured twice`);
      const core = new Dispatcher({
        service,
        info: backend.info,
        logger: options.logger,
        store: options.store,
        interactions,
        seal,
        ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
      });
      this.#routes.set(path, {
        name: service.backend,
        inboundAuth: backend.inboundAuth,
        stateful: service.stateful,
        allow: service.stateful ? 'POST, DELETE' : 'POST',
        core,
      });
      for (const route of Object.keys(backend.inboundAuth?.wellKnown() ?? {})) {
        // Path forms (RFC 9728 §3.1: `/.well-known/<name>/<backend>/mcp`) are per backend. A root form describes the
        // whole origin, which is true only when this backend is the only one served: otherwise clients of one
        // backend would discover another's authorization server.
        if (ORIGIN_WIDE_WELL_KNOWN.test(route) && options.backends.length > 1) continue;
        if (!this.#wellKnown.has(route)) this.#wellKnown.set(route, backend.inboundAuth!);
      }
    }
    this.#pages = new PageRoutes(
      options.backends.map((b) => b.service),
      options.publicUrl,
      { interactions, sessions: options.store },
    );
    this.#metrics = options.metrics === undefined ? undefined : new MetricsRoute(options.metrics);
    this.#healthJson = JSON.stringify({ status: 'ok', backends: options.backends.map((b) => b.service.backend) });
  }

  /** Answers one request; never rejects (a failure is logged and answered 500). */
  async handle(req: HttpRequestLike): Promise<HttpAnswer> {
    let cors: Record<string, string> | undefined;
    try {
      if (!this.hostAllowed(req.header('host')))
        return rpcError(403, null, ErrorCode.ServerError, 'Forbidden: Host header not allowed');
      const metadataOf = this.#wellKnown.get(req.path);
      if (metadataOf !== undefined)
        return publicDocument(req.method, JSON.stringify(metadataOf.wellKnown(req.header('host'))[req.path]));
      // A browser's page (URL-mode elicitation), same-origin by construction: before the CORS rules of API callers.
      const page = this.#routes.has(req.path) ? undefined : this.#pages.serve(req);
      if (page !== undefined) return await page;
      const verdict = corsFor(req, this.#originAllowed);
      if ('refusal' in verdict) return verdict.refusal;
      cors = verdict.headers;
      const answer = this.#route(req);
      return withHeaders(answer instanceof Promise ? await answer : answer, cors);
    } catch (error) {
      return withHeaders(this.#failed(req, null, error), cors);
    }
  }

  /** Aborts every running call (shutdown). */
  close(): void {
    for (const route of this.#routes.values()) route.core.cancelAll();
    this.#admission.close();
  }

  /** A request that threw: 503 when the shared state store cannot answer (the message names the cause), else 500. */
  #failed(req: HttpRequestLike, id: RequestId | null, error: unknown): HttpAnswer {
    const err = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
    if (isStateUnavailable(error)) {
      this.#logger.warn({ err, method: req.method, path: req.path }, 'state store unavailable');
      return rpcError(503, id, ErrorCode.ServerError, `Service Unavailable: ${error.message}`, {
        'retry-after': String(STATE_RETRY_AFTER_SECONDS),
      });
    }
    this.#logger.error({ err, method: req.method, path: req.path }, 'request failed');
    return rpcError(500, id, ErrorCode.InternalError, 'Internal error');
  }

  #route(req: HttpRequestLike): HttpAnswer | Promise<HttpAnswer> {
    const { method, path } = req;
    if (method === 'OPTIONS') return preflight(req);
    if (path === '/healthz') {
      if (method === 'GET' || method === 'HEAD') return json(200, this.#healthJson, { 'cache-control': 'no-store' });
      return empty(405, { allow: 'GET' });
    }
    if (path === METRICS_PATH && this.#metrics !== undefined) return this.#metrics.serve(req);
    const route = this.#routes.get(path);
    if (route === undefined) return rpcError(404, null, ErrorCode.ServerError, 'Not found');
    if (method === 'POST') return this.#post(req, route);
    if (method === 'DELETE' && route.stateful) return this.#delete(req, route);
    return rpcError(405, null, ErrorCode.ServerError, 'Method not allowed', { allow: route.allow });
  }

  async #post(req: HttpRequestLike, route: Route): Promise<HttpAnswer> {
    const refused = checkPostHeaders(req, this.#maxBodyBytes);
    if (refused !== undefined) return refused;
    // A presented session is looked up while the limiter decides (one store round trip instead of two in a row).
    const presented = route.stateful ? req.header('mcp-session-id') : undefined;
    let lookup: SessionRecord | undefined | Promise<SessionRecord | undefined>;
    let looked = false;
    const principal = await this.#admission.admit(
      req,
      route,
      presented === undefined
        ? undefined
        : (caller) => {
            lookup = this.#sessions.find(presented, caller, route.name);
            looked = true;
            // Awaited below when still needed; a refusal before that must not leave an unhandled rejection.
            if (lookup instanceof Promise) lookup.catch(() => undefined);
          },
    );
    if ('status' in principal) return principal;
    let raw: string;
    try {
      const body = req.readBody(this.#maxBodyBytes);
      raw = body instanceof Promise ? await body : body;
    } catch (error) {
      // Otherwise the client went away mid-body: nobody reads the answer.
      return error instanceof BodyTooLargeError ? tooLarge(this.#maxBodyBytes) : empty(400);
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return rpcError(400, null, ErrorCode.ParseError, 'Parse error: body is not valid JSON');
    }
    const message = inspectMessage(value);
    // After authentication (an unauthenticated caller learns only that it must authenticate: 401) and after
    // parsing: the refusal of a request carries its id. A request's header is checked with its body (#request).
    const version = req.header('mcp-protocol-version');
    if (message.kind !== 'request' && version !== undefined && !ALL_VERSIONS.has(version)) {
      const error = unsupportedHeaderVersion(version);
      return rpcError(
        400,
        message.kind === 'refusal' ? message.id : null,
        error.code,
        error.message,
        undefined,
        error.data,
      );
    }
    if (message.kind === 'refusal') return rpcError(400, message.id, message.code, message.message);
    const posted: Posted = {
      req,
      route,
      principal,
      session: (id) => (looked ? lookup : this.#sessions.find(id, principal, route.name)),
    };
    switch (message.kind) {
      case 'response':
        return this.#response(posted, message);
      case 'notification':
        return this.#notification(posted, message);
      case 'request':
        // Awaited, not returned: an async function resolving with a promise takes two more turns.
        return await this.#request(posted, message);
    }
  }

  /** A notification: accepted (202); `notifications/cancelled` reaches the requests of its legacy session. */
  async #notification(posted: Posted, message: InboundNotification): Promise<HttpAnswer> {
    const { req, route, principal } = posted;
    const presented = req.header('mcp-session-id');
    // 2026-07-28 notifications have no session; legacy ones to a stateful backend need theirs.
    if (route.stateful && readEnvelope(message.params) === undefined) {
      if (presented === undefined)
        return rpcError(400, null, ErrorCode.ServerError, 'Bad Request: Mcp-Session-Id header is required');
      if ((await posted.session(presented)) === undefined)
        return rpcError(404, null, ErrorCode.ServerError, 'Session not found');
      route.core.notify(message, { principal, scope: presented });
    }
    return empty(202);
  }

  /** A client's answer to a request a legacy call sent on its SSE stream (call-streams.ts): accepted (202). */
  async #response(posted: Posted, message: InboundResponse): Promise<HttpAnswer> {
    const presented = posted.req.header('mcp-session-id');
    const found = presented !== undefined && posted.route.stateful && (await posted.session(presented)) !== undefined;
    if (found) await this.#streams.settle(presented, message);
    return empty(202);
  }

  async #request(posted: Posted, request: InboundRequest): Promise<HttpAnswer> {
    const { req, route, principal } = posted;
    const { core } = route;
    const versionRefusal = checkVersionHeader(req, request);
    if (versionRefusal !== undefined)
      return rpcError(400, request.id, versionRefusal.code, versionRefusal.message, undefined, versionRefusal.data);
    const era = core.classify(request);
    if ('refused' in era) return answerOf(era.refused);
    const caller: Caller = { principal };
    const requestId = req.header('x-request-id');
    if (requestId !== undefined && REQUEST_ID_PATTERN.test(requestId)) caller.requestId = requestId;
    let opening: NewSession | undefined;
    if (era.modern) {
      const mismatch = checkModernHeaders(req, request);
      if (mismatch !== undefined)
        return rpcError(400, request.id, mismatch.code, mismatch.message, undefined, mismatch.data);
    } else {
      const version = req.header('mcp-protocol-version');
      if (version !== undefined && isModernVersion(version)) {
        return rpcError(
          400,
          request.id,
          ErrorCode.InvalidParams,
          `Invalid params: the MCP-Protocol-Version header names ${version}, but the request has no _meta envelope`,
        );
      }
      if (route.stateful) {
        // Legacy session: created by `initialize`, required afterwards, bound to its principal.
        const presented = req.header('mcp-session-id');
        if (presented === undefined) {
          if (request.method !== 'initialize')
            return rpcError(400, request.id, ErrorCode.ServerError, 'Bad Request: Mcp-Session-Id header is required');
          opening = this.#sessions.open(principal, route.name, req.remoteAddress);
          caller.session = this.#sessions.handle(opening.id, opening.record);
          caller.sessionId = opening.id;
        } else {
          const found = posted.session(presented);
          const record = found instanceof Promise ? await found : found;
          if (record === undefined) return rpcError(404, request.id, ErrorCode.ServerError, 'Session not found');
          caller.session = this.#sessions.handle(presented, record);
          caller.sessionId = presented;
          caller.scope = presented;
        }
      }
    }
    const forbidden = this.#scopeRefusal(req, route, principal, request, caller);
    if (forbidden !== undefined) return forbidden;
    caller.exchange = req;
    if (request.method === 'tools/call') this.#prepareToolCall(req, route, principal, caller);
    const stream = this.#streams.prepare(caller, request, era.modern);
    const running = core.request(request, era, caller);
    // A call that asks or tells the client something first (elicitation, progress) answers with an SSE stream.
    const streamed =
      stream === undefined ? undefined : await this.#streams.race(stream, caller.sessionId, running, request.id);
    if (streamed !== undefined) return streamed;
    let reply: Reply | undefined;
    try {
      reply = await running;
    } catch (error) {
      return this.#failed(req, request.id, error);
    }
    // Cancelled by `notifications/cancelled` (legacy session): the request still gets an answer over HTTP.
    if (reply === undefined) return rpcError(200, request.id, ErrorCode.ServerError, 'Request cancelled');
    if (opening !== undefined && reply.ok) return this.#opened(req, route, principal, request, reply, opening);
    return answerOf(reply);
  }

  /**
   * What a `tools/call` carries beyond the request: where its pages live, its share of the caller's rate limit (code
   * mode charges each `api` call) and the W3C trace context it came with (read only by traces when they are on).
   */
  #prepareToolCall(req: HttpRequestLike, route: Route, principal: Principal, caller: Caller): void {
    caller.pageBase = this.#pages.baseFor(req);
    const charge = this.#admission.meter(req, route, principal);
    if (charge !== undefined) caller.chargeRate = charge;
    const traceparent = req.header('traceparent');
    if (traceparent !== undefined) {
      caller.traceparent = traceparent;
      const tracestate = req.header('tracestate');
      if (tracestate !== undefined) caller.tracestate = tracestate;
    }
  }

  /** A `tools/call` the caller's token has too few scopes for: 403 naming them, with an audit record. */
  #scopeRefusal(
    req: HttpRequestLike,
    route: Route,
    principal: Principal,
    request: InboundRequest,
    caller: Caller,
  ): HttpAnswer | undefined {
    const forbidden = insufficientScope(route.inboundAuth, principal, request, req.header('host'));
    if (forbidden !== undefined) {
      this.#audit?.append({
        event: 'tool_call',
        requestId: caller.requestId ?? null,
        backend: route.name,
        tool: String(request.params?.['name']),
        caller: { principal: principal.id, tenant: null },
        args: null,
        outcome: 'insufficient_scope',
        confirmation: null,
        nonce: null,
        status: 403,
        durationMs: null,
      });
      return forbidden;
    }
    return undefined;
  }

  /** The answer to a successful `initialize`: the new legacy session stored, and its id sent. */
  async #opened(
    req: HttpRequestLike,
    route: Route,
    principal: Principal,
    request: InboundRequest,
    reply: Reply,
    opening: NewSession,
  ): Promise<HttpAnswer> {
    try {
      await this.#sessions.commit(opening);
    } catch (error) {
      if (!(error instanceof SessionCapacityError)) return this.#failed(req, request.id, error);
      this.#logger.warn(
        { backend: route.name, principal: principal.id },
        'session refused: store full of signed-in sessions',
      );
      return rpcError(503, request.id, ErrorCode.ServerError, error.message, { 'retry-after': '60' });
    }
    return answerOf(reply, { 'mcp-session-id': opening.id });
  }

  async #delete(req: HttpRequestLike, route: Route): Promise<HttpAnswer> {
    const principal = await this.#admission.admit(req, route);
    if ('status' in principal) return principal;
    const presented = req.header('mcp-session-id');
    if (presented === undefined)
      return rpcError(400, null, ErrorCode.ServerError, 'Bad Request: Mcp-Session-Id header is required');
    if ((await this.#sessions.find(presented, principal, route.name)) === undefined) {
      return rpcError(404, null, ErrorCode.ServerError, 'Session not found');
    }
    await this.#sessions.end(presented, principal, route.name);
    return empty(204);
  }
}

function answerOf(reply: Reply, headers?: Record<string, string>): HttpAnswer {
  return json(reply.status, reply.body, headers);
}

function withHeaders(answer: HttpAnswer, headers: Record<string, string> | undefined): HttpAnswer {
  if (headers !== undefined) answer.headers = { ...headers, ...answer.headers };
  return answer;
}
