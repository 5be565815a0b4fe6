/**
 * Correctness of every answer under load: it must carry the JSON-RPC id of the request it answers, be a
 * successful tool result, and hold the backend data that request asked for (the stub echoes the requested
 * resource id, and every call asks for a different one). Anything else is counted, never ignored: a fast
 * server that hands one client another client's data must not look good.
 */
import type { RpcMessage } from './clients/jsonrpc.js';

/** How one call ended. `wrong-id`, `wrong-data` and stray answers are the mismatches. */
export type OutcomeKind =
  | 'ok'
  | 'wrong-data'
  | 'wrong-id'
  | 'rpc-error'
  | 'tool-error'
  | 'http-error'
  | 'timeout'
  | 'transport-error';

/** The outcome of one call, with a short detail for the first few failures. */
export interface Outcome {
  kind: OutcomeKind;
  detail?: string;
}

/** The outcome every correct answer gets (shared: no allocation per call). */
const OK: Outcome = { kind: 'ok' };

/**
 * Classifies an answer. `raw` is the answer's text as received (cheaper to search than re-serializing the
 * parsed result); `echo` is the value the backend must have echoed into the data, when the call has one.
 */
export function checkAnswer(message: RpcMessage | undefined, raw: string, id: number | string, echo?: string): Outcome {
  if (message === undefined) return { kind: 'transport-error', detail: `not JSON-RPC: ${raw.slice(0, 120)}` };
  if (message.id !== id) return { kind: 'wrong-id', detail: `sent id ${String(id)}, got ${String(message.id)}` };
  if (message.error !== undefined)
    return { kind: 'rpc-error', detail: `${message.error.code} ${message.error.message}` };
  const result = message.result;
  if (result === undefined) return { kind: 'transport-error', detail: 'answer has neither result nor error' };
  if (result.isError === true) return { kind: 'tool-error', detail: raw.slice(0, 200) };
  if (echo !== undefined && !raw.includes(echo)) return { kind: 'wrong-data', detail: `expected ${echo}` };
  return OK;
}

/** Counts of outcomes for one run. */
export interface TallyCounts {
  ok: number;
  wrongData: number;
  wrongId: number;
  /** Answers that arrived for no request in flight on that session (delivered to the wrong place). */
  strays: number;
  rpcErrors: number;
  toolErrors: number;
  httpErrors: number;
  timeouts: number;
  transportErrors: number;
  /** wrongData + wrongId + strays. */
  mismatches: number;
  /** Up to three failure details, for the report. */
  samples: string[];
}

/** The counter each outcome adds to. */
const COUNTER_OF: Record<OutcomeKind, Exclude<keyof TallyCounts, 'strays' | 'mismatches' | 'samples'>> = {
  ok: 'ok',
  'wrong-data': 'wrongData',
  'wrong-id': 'wrongId',
  'rpc-error': 'rpcErrors',
  'tool-error': 'toolErrors',
  'http-error': 'httpErrors',
  timeout: 'timeouts',
  'transport-error': 'transportErrors',
};

/** Accumulates outcomes. */
export class Tally {
  private readonly counts = Object.fromEntries([...Object.values(COUNTER_OF), 'strays'].map((key) => [key, 0])) as Omit<
    TallyCounts,
    'mismatches' | 'samples'
  >;
  private readonly samples: string[] = [];

  /** Records one outcome. */
  add(outcome: Outcome): void {
    this.counts[COUNTER_OF[outcome.kind]] += 1;
    if (outcome.kind !== 'ok' && this.samples.length < 3)
      this.samples.push(`${outcome.kind}: ${outcome.detail ?? ''}`.trim());
  }

  /** Records answers that arrived where no request was waiting for them. */
  addStrays(count: number): void {
    this.counts.strays += count;
    if (count > 0 && this.samples.length < 3) this.samples.push(`stray: ${count} answer(s) for no pending request`);
  }

  /** Number of successful, correct calls so far. */
  get ok(): number {
    return this.counts.ok;
  }

  /** A snapshot of the counts. */
  snapshot(): TallyCounts {
    const c = this.counts;
    return { ...c, mismatches: c.wrongData + c.wrongId + c.strays, samples: [...this.samples] };
  }
}
