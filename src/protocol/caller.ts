/**
 * Who a request comes from and what it may reach, as a transport establishes it (MCP 2026-07-28, Basic /
 * Authorization: the server acts on behalf of the authenticated principal), and the {@link CallContext} a tool
 * call gets from it. The raw inbound credential never travels here: only the principal it proved.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, CallReporter, Cancellation, Elicitor } from '../core/call-context.js';
import type { Principal } from '../auth/inbound-auth.js';
import type { SessionHandle } from '../state/session.js';
import type { ClientRequester } from './elicitation.js';
import type { ClientNotifier } from './notifications.js';

/** Per-request data a transport hands the dispatch core with each message. */
export interface Caller {
  principal: Principal;
  /**
   * State of a legacy session (2025-11-25 Streamable HTTP) or of the stdio process. Undefined otherwise: for
   * 2026-07-28 requests to a stateful backend the core then keys the caller's state by the principal.
   */
  session?: SessionHandle;
  /** The session's id, with `session`. Never logged. */
  sessionId?: string;
  /** Where `notifications/cancelled` can name this request: the stdio process or a legacy session. */
  scope?: string;
  /**
   * The transport's exchange (HTTP): takes the controller of the running call, to abort it when the client goes
   * away. Handing over the controller rather than listening to a second signal keeps it to one AbortController
   * per call.
   */
  exchange?: { attach(controller: { abort(): void }): void };
  /** Correlation id (sent upstream as `x-request-id`); a fresh one is made when absent. */
  requestId?: string;
  /**
   * The origin (`scheme://host[:port]`, no trailing slash) where this transport serves one-time pages (URL-mode
   * elicitation); set by HTTP for `tools/call` requests. Undefined: no pages (stdio).
   */
  pageBase?: string;
  /** Sends a server→client request (2025-11-25) and awaits the client's answer; only stdio can. */
  requestClient?: ClientRequester;
  /** Takes one more request from this caller's rate limit (HTTP); see {@link CallContext.chargeRate}. */
  chargeRate?: () => number | Promise<number>;
  /**
   * The W3C trace context the request came with (HTTP `traceparent` / `tracestate` headers, set by the transport
   * for `tools/call`; else the request's `_meta` members of those names, which MCP reserves for it).
   */
  traceparent?: string;
  tracestate?: string;
  /**
   * Sends the client a notification about this request (progress, log messages): a stdio line, or an event on the
   * request's SSE stream (HTTP, set only for a request that asked for some: see notifications.ts).
   */
  notifyClient?: ClientNotifier;
  /**
   * Sends the client a notification outside any request (a subscribed resource changed): stdio only, whose
   * process is one channel. Streamable HTTP has none in finmcp (no standalone GET stream).
   */
  notifySession?: ClientNotifier;
}

/** The principal of unauthenticated transports (stdio without a configured identity, HTTP without inbound auth). */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  scopes: [],
  claims: {},
}) as Principal;

/**
 * Builds the {@link CallContext} of one tool call: every member present (undefined when it does not apply), so that
 * every call's context has the same shape. Its `signal` is made from `cancel` only when read, and a fresh call's
 * idempotency key (`nonce` undefined: no confirmation claimed one) is a UUID made when first read: most calls
 * never ask for either. Both are getters of the object itself, so a spread copy (`{ ...ctx }`) reads them.
 */
export function buildCallContext(
  backend: string,
  tool: string,
  caller: Caller,
  session: SessionHandle | undefined,
  cancel: Cancellation,
  elicit: Elicitor,
  nonce: string | undefined,
  report: CallReporter | undefined,
): CallContext {
  let key = nonce;
  const traceparent = caller.traceparent;
  return {
    backend,
    tool,
    requestId: caller.requestId ?? randomUUID(),
    principal: caller.principal,
    sessionId: caller.sessionId,
    session,
    cancel,
    get signal(): AbortSignal {
      return cancel.signal;
    },
    elicit,
    get idempotencyKey(): string {
      // From Node's batched random pool: no system call per call.
      key ??= randomUUID();
      return key;
    },
    set idempotencyKey(value: string) {
      key = value;
    },
    chargeRate: caller.chargeRate,
    traceparent,
    tracestate: traceparent === undefined ? undefined : caller.tracestate,
    report,
  };
}

/** What a call carries besides its backend and tool: {@link buildCallContext}'s other parameters, stated there once. */
export type CallScope = Parameters<typeof buildCallContext> extends [string, string, ...infer Scope] ? Scope : never;

/**
 * The caller with the W3C trace context of a request's `_meta` (`traceparent`, `tracestate`: MCP reserves these
 * keys for it), when the transport found none in the HTTP headers: a copy, since stdio's caller is the process's.
 */
export function withMetaTraceContext(caller: Caller, meta: Readonly<Record<string, unknown>>): Caller {
  const traceparent = meta['traceparent'];
  if (caller.traceparent !== undefined || typeof traceparent !== 'string') return caller;
  const tracestate = meta['tracestate'];
  return { ...caller, traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
}
