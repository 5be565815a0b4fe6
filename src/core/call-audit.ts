/**
 * The audit record of one tool call, as the tool service sees it (issue 21 part 4). A call is recorded when it
 * reached the backend (any HTTP attempt, whatever the answer) or was refused for a reason an operator cares about:
 * `auth` (no or an expired backend sign-in), `refused` (an override's check: a declined confirmation, a write the
 * server requires confirmed, a property the model may not set). Invalid arguments and unknown tools are not: they
 * change nothing and are the model's mistakes, logged already. A call that is waiting for the user's answer
 * (2026-07-28 `input_required`) is recorded once, when the retry carrying the answer completes.
 *
 * The confirmation is seen generically: the call's elicitor is watched, and the last answer the user gave decides
 * the outcome (`confirmed` when accepted and the call went ahead, `declined` when declined or accepted without
 * the confirming box, `cancelled` when dismissed); who confirmed is the caller's principal (the answer comes back
 * through the caller's own client and, in 2026-07-28, in a request state bound to that principal).
 */
import type { CallContext, ElicitAnswer, Elicitor } from './call-context.js';
import type { AuditEntry, ConfirmationOutcome } from '../audit/audit-record.js';
import { digestArguments } from '../audit/audit-record.js';

/** The answers given during one call, and the context whose elicitor records them. */
export interface ConfirmationWatch {
  ctx: CallContext;
  /** The last answer's action, if the user was asked. */
  last: ElicitAnswer['action'] | undefined;
}

/** `ctx` with an elicitor that notes each answer in the returned watch (the same `ctx` when it has none). */
export function watchConfirmations(ctx: CallContext): ConfirmationWatch {
  const inner = ctx.elicit;
  const watch: ConfirmationWatch = { ctx, last: undefined };
  if (inner === undefined) return watch;
  const ask: Elicitor['ask'] = async (key, request) => {
    const answer = await inner.ask(key, request);
    // URL-mode questions are sign-ins, not confirmations.
    if (request.mode === 'form') watch.last = answer.action;
    return answer;
  };
  // Every other member is the call's own elicitor's, bound to it (its classes keep private state).
  const elicit = new Proxy(inner, {
    get(target, property) {
      if (property === 'ask') return ask;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // Copied with its accessors, not spread: a spread would run the lazy `signal` and `idempotencyKey` getters (an
  // AbortController and a UUID on every audited call) and cut the copy's key off from the call's own.
  watch.ctx = Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(ctx),
      elicit: { value: elicit, enumerable: true, writable: true, configurable: true },
    },
  ) as CallContext;
  return watch;
}

/** What the tool service knows at the end of a call. */
export interface FinishedCall {
  backend: string;
  tool: string;
  args: Record<string, unknown> | undefined;
  ctx: CallContext;
  outcome: string;
  status: number | undefined;
  attempts: number;
  durationMs: number;
  /** Properties bound from the caller's credentials (the tenant), when the tool has any. */
  bound: Record<string, unknown> | undefined;
  /** Top-level argument names the tool's schema marks secret. */
  secretNames: ReadonlySet<string>;
  /** Credentials sent during the call, to take out of argument values. */
  secrets: readonly string[];
  answer: ElicitAnswer['action'] | undefined;
}

/** Outcomes recorded even when the backend was not reached. */
const REFUSALS = new Set(['auth', 'refused']);

/** The record of a finished call, or undefined when it is not one to record (see the module comment). */
export function toolCallEntry(call: FinishedCall): AuditEntry | undefined {
  if (call.answer === 'pending') return undefined;
  const reached = call.attempts > 0 || call.status !== undefined;
  if (!reached && !REFUSALS.has(call.outcome)) return undefined;
  return {
    event: 'tool_call',
    requestId: call.ctx.requestId,
    backend: call.backend,
    tool: call.tool,
    caller: { principal: call.ctx.principal.id, tenant: call.bound ?? null },
    args: call.args === undefined ? null : digestArguments(call.args, call.secretNames, call.secrets),
    outcome: call.outcome,
    confirmation: confirmationOf(call),
    // The nonce of the confirmation (claimed once, sent as the idempotency key): for calls the user was asked about.
    nonce: call.answer === undefined ? null : (call.ctx.idempotencyKey ?? null),
    status: call.status ?? null,
    durationMs: call.durationMs,
  };
}

function confirmationOf(call: FinishedCall): AuditEntry['confirmation'] {
  let outcome: ConfirmationOutcome;
  switch (call.answer) {
    case undefined:
      return null;
    case 'accept':
      outcome = call.outcome === 'refused' ? 'declined' : 'confirmed';
      break;
    case 'decline':
      outcome = 'declined';
      break;
    default:
      outcome = 'cancelled';
  }
  return { outcome, by: call.ctx.principal.id };
}
