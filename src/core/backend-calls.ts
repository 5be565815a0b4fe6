/**
 * How the tool service reaches one backend: a generated operation's request built from its plan, outbound auth
 * added, sent through the pooled client, and sent once more when the 401 hook asks for it. Hand-written tools and
 * hooks reach the backend the same way, through the {@link BackendApi} of their call. What each call sent and got
 * is counted in its {@link CallStats}, for the call's log line and for scrubbing credentials out of its errors.
 */
import { randomUUID } from 'node:crypto';
import type { BackendHttp, BackendHttpResponse, BackendRequest } from '../backend/backend-http.js';
import { BackendHttpError } from '../backend/backend-http.js';
import type { BackendResponse } from '../backend/backend-types.js';
import type { CallSpan } from '../observability/call-observer.js';
import type { BackendApi, BackendOverrides } from './backend-overrides.js';
import type { CallContext } from './call-context.js';
import { operationFetch, operationRoute, type OperationRoute } from './operation-fetch.js';
import { headerSecrets } from './redact.js';
import { RequestBuildError } from './request-builder.js';
import type { GeneratedTool } from './served-tools.js';
import { invalidArguments, ToolCallError, type CallOutcome } from './tool-error.js';
import { validateArgs } from './validation.js';

/** What one call did, for its log line. */
export interface CallStats {
  status: number | undefined;
  attempts: number;
  outcome: CallOutcome;
  /** Outbound auth headers sent during the call (several with retries or hand-written tools), kept only so that
   *  error results and logs can be scrubbed of their values. */
  authHeaders: Array<Record<string, string>> | undefined;
  /** Properties bound from the caller's credentials (the tenant), for the audit record. */
  bound?: Record<string, unknown>;
  /** The call's span when traces are on: each backend request becomes its child and carries its `traceparent`. */
  span?: CallSpan;
}

/** The stats of a call that has done nothing yet. */
export function newCallStats(): CallStats {
  return { status: undefined, attempts: 0, outcome: 'ok', authHeaders: undefined };
}

/** The credentials sent during a call. */
export function callSecrets(stats: CallStats): string[] {
  const secrets: string[] = [];
  for (const headers of stats.authHeaders ?? []) headerSecrets(headers, secrets);
  return secrets;
}

/** Failures after which a request may have reached the backend and been carried out. */
const MAYBE_SENT: ReadonlySet<BackendHttpError['kind']> = new Set(['timeout', 'reset', 'network', 'aborted']);

/**
 * The tool error of a backend request that got no usable answer. A write (not idempotent) that may have been sent
 * says plainly that its outcome is unknown and that it was not retried (the backend client never retries one).
 */
function backendFailure(err: BackendHttpError, req: BackendRequest, requestId: string): string {
  if (!req.idempotent && MAYBE_SENT.has(err.kind)) {
    return (
      `Outcome unknown: ${req.method.toUpperCase()} was sent to the backend, but ${err.message}; it may or may not have been carried out, ` +
      `and it was not retried. Check the current state with a read tool before doing it again (request id ${requestId}).`
    );
  }
  return `Backend request failed: ${err.message} (request id ${requestId})`;
}

/**
 * The request headers with the operation's idempotency-key header (descriptor `operation.idempotencyHeader`) set to
 * the call's nonce (its confirmation's: one key per confirmed write, whatever the retries), unless already given.
 */
function withIdempotencyKey(
  tool: GeneratedTool,
  headers: Record<string, string>,
  ctx: CallContext,
): Record<string, string> {
  const name = tool.descriptor.operation.idempotencyHeader;
  if (name === undefined) return headers;
  const lower = name.toLowerCase();
  if (Object.keys(headers).some((key) => key.toLowerCase() === lower)) return headers;
  return { ...headers, [lower]: ctx.idempotencyKey ?? randomUUID() };
}

/** How a backend request of this call is cancelled: its light form when it has one (no `AbortSignal` made). */
function cancellationOf(ctx: CallContext): Pick<BackendRequest, 'cancel' | 'signal'> {
  if (ctx.cancel !== undefined) return { cancel: ctx.cancel };
  return ctx.signal === undefined ? {} : { signal: ctx.signal };
}

/** The requests of one backend's generated operations. */
export class BackendCalls {
  readonly #http: BackendHttp;
  readonly #operations: ReadonlyMap<string, GeneratedTool>;
  readonly #outboundAuth: BackendOverrides['outboundAuth'];
  readonly #onUnauthorized: BackendOverrides['onUnauthorized'];
  /** Routes typed-client requests to operations; built on the first `fetchFor`. */
  #route: OperationRoute | undefined;

  constructor(http: BackendHttp, operations: ReadonlyMap<string, GeneratedTool>, overrides: BackendOverrides) {
    this.#http = http;
    this.#operations = operations;
    this.#outboundAuth = overrides.outboundAuth;
    this.#onUnauthorized = overrides.onUnauthorized;
  }

  /** What hand-written tools and hooks reach the backend through during one call (one object per call). */
  api(stats: CallStats): BackendApi {
    return new CallApi(this, stats);
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** Typed-client requests as the generated operations their method and path name. */
  route(): OperationRoute {
    this.#route ??= operationRoute(this.#operations.values());
    return this.#route;
  }

  /** Builds the request of a generated operation and sends it. */
  async send(
    tool: GeneratedTool,
    args: Record<string, unknown>,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<BackendResponse> {
    let built: ReturnType<typeof tool.plan.build>;
    try {
      built = tool.plan.build(args);
    } catch (err) {
      if (err instanceof RequestBuildError) throw invalidArguments([err.message]);
      throw err;
    }
    // Members set one by one: spreads of optional parts cost a temporary object each, on every call. The built
    // headers are the call's own: the request id goes in here, so that the client need not copy them to add it.
    const headers = built.headers;
    headers['x-request-id'] = ctx.requestId;
    const req: BackendRequest = {
      method: built.method,
      path: built.path,
      query: built.query,
      headers,
      idempotent: tool.idempotent,
      requestId: ctx.requestId,
    };
    if (built.body !== undefined) req.body = built.body;
    if (ctx.cancel !== undefined) req.cancel = ctx.cancel;
    else if (ctx.signal !== undefined) req.signal = ctx.signal;
    return this.sendAs(tool, req, ctx, stats);
  }

  /**
   * Sends `req` (a fresh object: its headers are replaced each round) as operation `tool`: outbound auth, send, and
   * one retry after the 401 hook asks for it.
   */
  async sendAs(
    tool: GeneratedTool,
    req: BackendRequest,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<BackendHttpResponse> {
    const headers = withIdempotencyKey(tool, req.headers, ctx);
    req.headers = headers;
    for (let round = 0; ; round++) {
      if (this.#outboundAuth !== undefined) {
        const auth = await this.#outboundAuth(ctx, tool.descriptor, this.api(stats));
        if ('error' in auth) throw new ToolCallError(auth.error, 'auth');
        // One element in the literal: no empty array grown on the first push of every call.
        if (stats.authHeaders === undefined) stats.authHeaders = [auth.headers];
        else stats.authHeaders.push(auth.headers);
        req.headers = { ...headers, ...auth.headers };
      }
      const res = await this.#sendOnce(req, ctx, stats, tool.descriptor.operation.path);
      if (res.status !== 401 || this.#onUnauthorized === undefined || round > 0) return res;
      const decision = await this.#onUnauthorized(ctx);
      if (decision !== 'retry') throw new ToolCallError(decision.error, 'auth');
    }
  }

  /** `BackendApi.callOperation`: a generated operation (hidden ones too) through the same path. */
  async callOperation(
    toolName: string,
    args: Record<string, unknown>,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<BackendResponse> {
    const tool = this.#operations.get(toolName);
    if (tool === undefined) throw new Error(`callOperation: no generated operation "${toolName}"`);
    const problems = validateArgs(tool.validator, args);
    if (problems !== undefined) throw invalidArguments(problems);
    return this.send(tool, args, ctx, stats);
  }

  /**
   * One send through the pooled client (which retries what may be retried), counted in `stats`; with traces on, a
   * child span of the call (named by the operation's path template) whose context the request carries.
   */
  async #sendOnce(
    req: BackendRequest,
    ctx: CallContext,
    stats: CallStats,
    route: string,
  ): Promise<BackendHttpResponse> {
    const span = stats.span?.backendRequest(req.method, route);
    if (span !== undefined) req.headers = { ...req.headers, ...span.headers };
    let res: BackendHttpResponse;
    try {
      res = await this.#http.send(req);
    } catch (err) {
      if (err instanceof BackendHttpError) {
        stats.attempts += err.attempts;
        if (err.status !== undefined) stats.status = err.status;
        span?.end(err.status, err.attempts, err.kind);
        throw new ToolCallError(backendFailure(err, req, ctx.requestId), 'backend_unreachable');
      }
      span?.end(undefined, 0, 'internal');
      throw err;
    }
    span?.end(res.status, res.attempts);
    stats.attempts += res.attempts;
    stats.status = res.status;
    return res;
  }
}

/** The {@link BackendApi} of one call. */
class CallApi implements BackendApi {
  readonly #calls: BackendCalls;
  readonly #stats: CallStats;

  constructor(calls: BackendCalls, stats: CallStats) {
    this.#calls = calls;
    this.#stats = stats;
  }

  get baseUrl(): string {
    return this.#calls.baseUrl;
  }

  callOperation(toolName: string, args: Record<string, unknown>, ctx: CallContext): Promise<BackendResponse> {
    return this.#calls.callOperation(toolName, args, ctx, this.#stats);
  }

  fetchFor(ctx: CallContext): (request: Request) => Promise<Response> {
    const calls = this.#calls;
    const stats = this.#stats;
    return operationFetch(calls.baseUrl, calls.route(), (tool, req) =>
      // The call's request id and cancellation; the operation's idempotency, not the method's.
      calls.sendAs(
        tool,
        {
          ...req,
          requestId: ctx.requestId,
          idempotent: tool.idempotent,
          ...cancellationOf(ctx),
        },
        ctx,
        stats,
      ),
    );
  }
}
