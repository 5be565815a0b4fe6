/**
 * Everything a tool call may depend on besides its arguments: who calls, the session, cancellation, and the
 * {@link Elicitor} through which the call may ask the user something. The dispatch core (src/protocol/) builds
 * one per call; the tool service and a backend's overrides read it.
 */
import type { Principal } from '../auth/inbound-auth.js';
import type { Cancellation } from '../backend/backend-types.js';
import type { SessionHandle } from '../state/session.js';

export type { Cancellation };

/** Everything a tool call may depend on besides its arguments. */
export interface CallContext {
  backend: string;
  tool: string;
  /** Id sent upstream as `x-request-id` and logged. */
  requestId: string;
  principal: Principal;
  /** Session id when the transport is stateful (stdio: a fixed per-process id). Never logged. */
  sessionId?: string;
  /** Read and write this session's state; undefined for stateless backends. */
  session?: SessionHandle;
  /** Aborted when the call is cancelled (made from `cancel` on first read, when the call has one). */
  signal?: AbortSignal;
  /**
   * The same cancellation as `signal`, without making an `AbortSignal` (the backend client listens to this). Whoever
   * gives a context another `signal` must drop `cancel`.
   */
  cancel?: Cancellation;
  /** Asks the user or the client (elicitation, sampling, roots) as far as the client declared it can be asked; see its flags. */
  elicit?: Elicitor;
  /**
   * The call's nonce: its confirmation's (the `requestState` nonce claimed for it), else a fresh one. Sent as the
   * operation's idempotency key where the contract declares one, so the backend can deduplicate too.
   */
  idempotencyKey?: string;
  /**
   * Takes one more request from the caller's rate limit (set by transports that limit callers, HTTP): 0 when allowed,
   * otherwise the whole seconds to wait. Code mode charges each `api` call of a program, so a program is limited like
   * the tool calls it stands for.
   */
  chargeRate?: () => number | Promise<number>;
  /** The caller's W3C trace context (`traceparent`, `tracestate`), read only when traces are on. */
  traceparent?: string;
  tracestate?: string;
  /**
   * Tells the client how the call goes (progress, log messages), as far as it asked (a progress token, a log
   * level); undefined when it asked for neither or the transport has no channel for it.
   */
  report?: CallReporter;
}

/** The severities of MCP log messages (syslog, RFC 5424), least severe first. */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

/** What a call may tell the client while it runs (MCP Utilities / Progress, Server / Utilities / Logging). */
export interface CallReporter {
  /** `notifications/progress`, when the request carried a progress token and `progress` exceeds the last one sent. */
  progress(progress: number, total?: number, message?: string): void;
  /** `notifications/message`, when `level` is at or above the level the client asked for. Never a secret. */
  log(level: LogLevel, data: unknown): void;
}

/**
 * A question for the user, asked through the MCP client (MCP 2025-11-25 and 2026-07-28, Client / Elicitation):
 * a flat form (never for secrets), or a URL the user opens outside the client (for credentials).
 */
export type ElicitRequest =
  | { mode: 'form'; message: string; requestedSchema: Record<string, unknown> }
  | { mode: 'url'; message: string; url: string; elicitationId: string };

/**
 * The user's answer. `pending`: the question travels with this call's answer (2026-07-28 `input_required`, or
 * 2025-11-25 `URLElicitationRequiredError`) and the answer comes with the client's retry: do nothing now.
 */
export type ElicitAnswer =
  | { action: 'accept'; content?: Record<string, unknown> }
  | { action: 'decline' | 'cancel' | 'pending' };

/** Requests besides elicitation that a call may send the client, and the capability each needs. */
export type ClientRequestMethod = 'sampling/createMessage' | 'roots/list';

/** What a tool call may ask of the user; built by the dispatch core per call from the client's capabilities. */
export interface Elicitor {
  /** The client takes form-mode questions. */
  readonly form: boolean;
  /** The client takes URL-mode questions and this transport can serve pages ({@link pageBase} is set). */
  readonly url: boolean;
  /** Where pages registered for this call are served: `<pageBase>/<id>` (an absolute URL, no trailing slash). */
  readonly pageBase?: string;
  /** Asks once per `key` within a call (2026-07-28 retries carry the answers under these keys). */
  ask(key: string, request: ElicitRequest): Promise<ElicitAnswer>;
  /**
   * Sends the client another request a call may need (`sampling/createMessage`, `roots/list`) once per `key`, and
   * returns its result; undefined while the answer is pending (2026-07-28: it comes with the retry). Fails with a
   * protocol error (-32021, MissingRequiredClientCapabilityError) when the client did not declare the capability.
   */
  request(key: string, method: ClientRequestMethod, params: Record<string, unknown>): Promise<unknown>;
  /**
   * Opens a one-time page of a kind the backend's overrides declare (`pages`), bound to this caller and their state,
   * and returns its absolute URL; only when {@link url} is true.
   */
  openPage(kind: string, data: Record<string, unknown>): Promise<string>;
}
