/**
 * Who a request comes from and what it may reach, as a transport establishes it (MCP 2026-07-28, Basic /
 * Authorization: the server acts on behalf of the authenticated principal), and the {@link CallContext} a tool
 * call gets from it. The raw inbound credential never travels here: only the principal it proved.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, Cancellation, Elicitor } from '../core/call-context.js';
import type { Principal } from '../auth/inbound-auth.js';
import type { SessionHandle } from '../state/session.js';
import type { ClientRequester } from './elicitation.js';

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
}

/** The principal of unauthenticated transports (stdio without a configured identity, HTTP without inbound auth). */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  scopes: [],
  claims: {},
}) as Principal;

/** Builds the {@link CallContext} of one tool call. */
export function buildCallContext(
  backend: string,
  tool: string,
  caller: Caller,
  session: SessionHandle | undefined,
  cancel: Cancellation | undefined,
  elicit?: Elicitor,
  nonce?: string,
): CallContext {
  const requestId = caller.requestId ?? randomUUID();
  const principal = caller.principal;
  // `signal` is read from `cancel` only when something reads it: most calls never make one.
  const ctx: CallContext =
    cancel === undefined
      ? { backend, tool, requestId, principal }
      : {
          backend,
          tool,
          requestId,
          principal,
          cancel,
          get signal(): AbortSignal {
            return cancel.signal;
          },
        };
  if (caller.sessionId !== undefined) ctx.sessionId = caller.sessionId;
  if (session !== undefined) ctx.session = session;
  if (elicit !== undefined) ctx.elicit = elicit;
  if (nonce !== undefined) ctx.idempotencyKey = nonce;
  if (caller.chargeRate !== undefined) ctx.chargeRate = caller.chargeRate;
  return ctx;
}
