/**
 * Exactly-once execution of a confirmed call (issue 21): a 2026-07-28 retry whose `requestState` opens carries a
 * nonce (request-state.ts), and the nonce is claimed atomically in the state store before the tool runs — so before
 * anything is sent to the backend. Of any number of identical retries, sequential or concurrent, on any instance
 * sharing the store, exactly one wins and executes; the answer it produced is recorded with the claim, and every
 * other retry gets that recorded answer: never a second write, never an error a model would retry.
 *
 * A retry arriving while the first execution still runs waits for its answer (polling the store) up to
 * {@link REPLAY_WAIT_MS}, then gets a plain "still in progress, not sent again" tool error.
 */
import type { InteractionStore } from '../state/interaction-store.js';
import type { RpcError } from './errors.js';
import { REQUEST_STATE_TTL_MS } from './request-state.js';

/** Store kind of confirmation nonces. */
const KIND = 'nonce';
/** A claim outlives any state that could present its nonce (states expire 10 minutes after they are sealed). */
const CLAIM_TTL_MS = REQUEST_STATE_TTL_MS + 60_000;
/** Longest answer kept for replays (JSON characters); a larger one is replaced by a notice saying so. */
const MAX_RECORDED_CHARS = 64 * 1024;
/** How long a replay waits for the first execution's answer. */
const REPLAY_WAIT_MS = 20_000;
const POLL_MS = 100;

/** The first execution's answer: a result's JSON text, an error, or the size of a result too large to keep. */
export type RecordedAnswer = { result: string } | { error: RpcError } | { tooLarge: number };

/** What a claim found: this request executes, or another did (its answer, or undefined while it still runs). */
export type ClaimOutcome = { first: true } | { first: false; answer: RecordedAnswer | undefined };

type Stored = { s: 'running' } | { s: 'done'; a: RecordedAnswer };

/** Claims, records and replays confirmation nonces in one {@link InteractionStore}. */
export class OnceGuard {
  readonly #store: InteractionStore;
  readonly #waitMs: number;

  constructor(store: InteractionStore, waitMs = REPLAY_WAIT_MS) {
    this.#store = store;
    this.#waitMs = waitMs;
  }

  /** Claims `nonce`; when it was claimed already, waits (up to the replay wait) for the first execution's answer. */
  async claim(nonce: string): Promise<ClaimOutcome> {
    if (await this.#store.claim(KIND, nonce, JSON.stringify({ s: 'running' } satisfies Stored), CLAIM_TTL_MS))
      return { first: true };
    const deadline = Date.now() + this.#waitMs;
    for (;;) {
      const answer = this.#answerOf(await this.#store.get(KIND, nonce));
      if (answer !== undefined || Date.now() >= deadline) return { first: false, answer };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Records the answer of the execution that claimed `nonce` (bounded in size). */
  async record(nonce: string, answer: RecordedAnswer): Promise<void> {
    const kept: RecordedAnswer =
      'result' in answer && answer.result.length > MAX_RECORDED_CHARS ? { tooLarge: answer.result.length } : answer;
    await this.#store.put(KIND, nonce, JSON.stringify({ s: 'done', a: kept } satisfies Stored), CLAIM_TTL_MS);
  }

  /** Gives a claim back: the execution did not start (the state store failed before the tool ran). */
  async release(nonce: string): Promise<void> {
    await this.#store.delete(KIND, nonce);
  }

  #answerOf(stored: string | undefined): RecordedAnswer | undefined {
    if (stored === undefined) return undefined;
    const parsed = JSON.parse(stored) as Stored;
    return parsed.s === 'done' ? parsed.a : undefined;
  }
}

/** The tool result's text for a replay whose first execution is still running. */
export const STILL_RUNNING =
  'Still in progress: this confirmed call is being carried out by an earlier request with the same confirmation, and it ' +
  'was not sent again. Do not call again with this confirmation: check the outcome with a read tool in a moment.';

/** The tool result's text for a replay whose first answer was too large to keep. */
export function tooLargeToReplay(chars: number): string {
  return (
    `Done already: this confirmation was carried out by an earlier request, and nothing was sent again. Its answer ` +
    `(${chars} characters) was too large to keep for replays: read the current state with a read tool.`
  );
}
