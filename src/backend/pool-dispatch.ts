/**
 * One backend attempt over undici's pool with a handler of our own (`Dispatcher.dispatch`, undici's low-level API)
 * instead of `Pool.request`: the status line, the raw header list and the body chunks are all the client needs, so
 * nothing is built per attempt for a web-style answer that is read once and dropped (`request` makes an async
 * resource, a `Readable` body stream with its listeners and ticks, and a header object of every field). The header
 * record is made from the raw list only when a caller reads it (see {@link PooledResponse}).
 *
 * The body limit is enforced while reading (declared `content-length` first, then counted), and the attempt's abort
 * (its timer or the caller's cancellation) settles the attempt at once, even while the request still waits for a
 * connection; undici is told to stop as soon as it hands over the request's abort function.
 */
import type { Dispatcher } from 'undici';
import type { BackendHttpResponse } from './backend-types.js';

/** What aborts the attempt: undici's EventEmitter-style signal shape, as `AttemptAbort` in backend-http.ts. */
export interface AbortSource {
  readonly aborted: boolean;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

/** The raw answer of one attempt. */
export interface PooledAnswer {
  status: number;
  /** Header names and values, alternating, as received (undici's raw list). */
  rawHeaders: Buffer[];
  body: Buffer;
}

/** Raised when the attempt is aborted (timer or caller): the attempt's owner says which it was. */
class AttemptAborted extends Error {
  constructor() {
    super('backend attempt aborted');
    this.name = 'AttemptAborted';
  }
}

/** Which header names are looked up while reading (lower-case, as undici's raw list may carry any case). */
const CONTENT_LENGTH = 'content-length';

/** The value of header `name` (lower-case) in a raw list, the first one given; undefined when absent. */
export function rawHeader(raw: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as Buffer;
    if (key.length === name.length && key.toString('latin1').toLowerCase() === name) {
      return (raw[i + 1] as Buffer).toString('latin1');
    }
  }
  return undefined;
}

/** A raw header list as one string per lower-case name, repeated fields joined with `, ` (RFC 9110 §5.3). */
function rawHeaderRecord(raw: readonly Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    // Own fields only: a field named like an Object.prototype member must not be read through the prototype.
    out[key] = Object.hasOwn(out, key) ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/**
 * A response of the pool whose header record is made from the raw list when first read: most calls read only the
 * content type (looked up in the raw list), so most never pay for a record of every field.
 */
export class PooledResponse implements BackendHttpResponse {
  // Members set in the constructor only, all of them and in one order: every response has the same shape.
  declare status: number;
  declare body: unknown;
  declare text: string | undefined;
  declare json: string | undefined;
  declare raw: Buffer | undefined;
  declare attempts: number;
  #rawHeaders: Buffer[];
  #headers: Record<string, string> | undefined;

  constructor(
    status: number,
    rawHeaders: Buffer[],
    attempts: number,
    read: { body: unknown; text: string | undefined; json: string | undefined },
    raw: Buffer | undefined,
  ) {
    this.status = status;
    this.body = read.body;
    this.text = read.text;
    this.json = read.json;
    this.raw = raw;
    this.attempts = attempts;
    this.#rawHeaders = rawHeaders;
    this.#headers = undefined;
  }

  get headers(): Record<string, string> {
    this.#headers ??= rawHeaderRecord(this.#rawHeaders);
    return this.#headers;
  }

  set headers(headers: Record<string, string>) {
    this.#headers = headers;
  }
}

/**
 * The legacy handler interface undici's pool calls (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`);
 * the whole answer is gathered and handed over once.
 */
class CollectingHandler {
  readonly #limit: number;
  readonly #abortSource: AbortSource;
  readonly #resolve: (answer: PooledAnswer) => void;
  readonly #reject: (error: unknown) => void;
  readonly #tooLarge: (status: number) => Error;
  #abortRequest: ((reason: Error) => void) | undefined;
  #settled = false;
  #status = 0;
  #rawHeaders: Buffer[] = [];
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #onAbort = (): void => this.#fail(new AttemptAborted());

  constructor(
    limit: number,
    abortSource: AbortSource,
    tooLarge: (status: number) => Error,
    resolve: (answer: PooledAnswer) => void,
    reject: (error: unknown) => void,
  ) {
    this.#limit = limit;
    this.#abortSource = abortSource;
    this.#tooLarge = tooLarge;
    this.#resolve = resolve;
    this.#reject = reject;
    abortSource.once('abort', this.#onAbort);
  }

  onConnect(abort: (reason: Error) => void): void {
    this.#abortRequest = abort;
    // Aborted while waiting for a connection: the attempt has settled already; stop undici from sending it.
    if (this.#settled) abort(new AttemptAborted());
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true; // 1xx informational: the final answer follows
    this.#status = status;
    this.#rawHeaders = rawHeaders;
    if (Number(rawHeader(rawHeaders, CONTENT_LENGTH)) > this.#limit) this.#fail(this.#tooLarge(status));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return true;
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      this.#fail(this.#tooLarge(this.#status));
      return true;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abortSource.removeListener('abort', this.#onAbort);
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    this.#resolve({ status: this.#status, rawHeaders: this.#rawHeaders, body });
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abortSource.removeListener('abort', this.#onAbort);
    this.#reject(error);
  }

  /** Settles the attempt with `error` and tells undici to stop (now, or when it connects). */
  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abortSource.removeListener('abort', this.#onAbort);
    this.#reject(error);
    this.#abortRequest?.(error);
  }
}

/**
 * Sends `options` through `dispatcher` and gathers the answer, its body at most `limit` bytes (else rejects with
 * `tooLarge(status)`); rejects with {@link AttemptAborted} when `abort` fires, and with undici's error otherwise.
 */
export function dispatchCollect(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  abort: AbortSource,
  limit: number,
  tooLarge: (status: number) => Error,
): Promise<PooledAnswer> {
  return new Promise<PooledAnswer>((resolve, reject) => {
    if (abort.aborted) {
      reject(new AttemptAborted());
      return;
    }
    const handler = new CollectingHandler(limit, abort, tooLarge, resolve, reject);
    dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
  });
}
