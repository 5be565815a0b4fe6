/**
 * Exactly-once writes for programs that ask the user (MCP 2026-07-28, Basic / Patterns, "Multi Round-Trip
 * Requests"). A program whose write needs the user's confirmation ends `input_required`; the client's retry runs
 * the *same* program again with the answer. Writes the earlier run already made (or that the user already
 * declined) must not happen again: their outcomes are kept in the caller's state (the state store: the caller's
 * sign-in lives there too) under the program's digest and each call's position, name and arguments, and the retry
 * gets them back instead of calling. A call whose position, name or arguments differ from what was recorded (the
 * program took another path) is made afresh, and asks again.
 *
 * Only calls that change data are recorded, only while a question is open: a run that ends without one forgets its
 * record, so running the same program again later writes again, as the model asked.
 */
import { createHash } from 'node:crypto';
import type { ToolResult } from '../core/tool-service-api.js';
import type { SessionHandle } from '../state/session.js';
import { REQUEST_STATE_TTL_MS } from '../protocol/request-state.js';

/** How long a record is honoured: the life of the `requestState` the question was sealed in. */
const RECORD_TTL_MS = REQUEST_STATE_TTL_MS;

/** One recorded write. */
interface RecordedCall {
  index: number;
  name: string;
  args: string;
  result: ToolResult;
}

interface Record {
  at: number;
  calls: RecordedCall[];
}

/** The record of one program for one caller. */
export class ReplayLog {
  readonly #session: SessionHandle | undefined;
  readonly #key: string;
  readonly #previous: ReadonlyMap<number, RecordedCall>;
  readonly #made: RecordedCall[] = [];
  readonly #now: () => number;

  constructor(session: SessionHandle | undefined, backend: string, program: string, now: () => number = Date.now) {
    this.#session = session;
    this.#now = now;
    this.#key = `code.replay.${backend}.${createHash('sha256').update(program).digest('base64url')}`;
    const stored = session?.get<Record>(this.#key);
    const fresh =
      stored !== undefined &&
      typeof stored.at === 'number' &&
      now() - stored.at < RECORD_TTL_MS &&
      Array.isArray(stored.calls);
    this.#previous = new Map(fresh ? stored.calls.map((call) => [call.index, call] as const) : []);
    if (fresh) this.#made.push(...stored.calls);
  }

  /** The recorded outcome of call `index` when the earlier run made the same call there. */
  replay(index: number, name: string, args: string): ToolResult | undefined {
    const call = this.#previous.get(index);
    return call !== undefined && call.name === name && call.args === args ? call.result : undefined;
  }

  /** Records a write's outcome (kept only if the run ends waiting for the user). */
  record(index: number, name: string, args: string, result: ToolResult): void {
    if (this.#previous.has(index)) return;
    this.#made.push({ index, name, args, result });
  }

  /** Keeps the record for the retry when the run waits for the user; else forgets it. */
  async close(waiting: boolean): Promise<void> {
    if (this.#session === undefined) return;
    if (waiting && this.#made.length > 0)
      await this.#session.set(this.#key, { at: this.#now(), calls: this.#made } satisfies Record);
    else if (this.#previous.size > 0 || this.#session.get(this.#key) !== undefined)
      await this.#session.set(this.#key, undefined);
  }
}
