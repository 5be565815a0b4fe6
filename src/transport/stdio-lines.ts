/**
 * Splits a byte stream into lines for the stdio transport (MCP 2025-11-25, Basic / Transports, "stdio":
 * messages are delimited by newlines and contain no embedded newlines). Works on Buffers so that a multi-byte
 * UTF-8 character split across two chunks is decoded whole; a trailing `\r` is dropped.
 */

/** Largest accepted line, as the SDK's stdio transport allows (its `ReadBuffer` default). */
const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

/** Newline and carriage return bytes. */
const LF = 0x0a;
const CR = 0x0d;

/** Receives complete lines; `onOversize` is called once for each line longer than the limit (then dropped). */
export interface LineSink {
  onLine(line: string): void;
  onOversize(): void;
}

/** Incremental newline splitter: feed it chunks with {@link LineSplitter.push}. */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #sink: LineSink;
  /** Start of a line that has not ended yet, as the chunks it arrived in. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Inside an oversized line: bytes are dropped until its newline. */
  #skipping = false;

  /** Lines longer than `maxLineBytes` (without the newline) are reported to `sink.onOversize` and dropped. */
  constructor(sink: LineSink, maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    this.#sink = sink;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes held for a line that has not ended yet. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Consumes one chunk, emitting every line it completes, in order. */
  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(LF);
    while (newline !== -1) {
      if (this.#skipping) {
        this.#skipping = false;
      } else if (this.#pendingBytes > 0) {
        this.#finishPending(chunk, start, newline);
      } else {
        const end = newline > start && chunk[newline - 1] === CR ? newline - 1 : newline;
        if (end - start > this.#maxLineBytes) this.#sink.onOversize();
        else this.#sink.onLine(chunk.toString('utf8', start, end));
      }
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start >= chunk.length || this.#skipping) return;
    const rest = chunk.length - start;
    if (this.#pendingBytes + rest > this.#maxLineBytes + 1) {
      // +1: the line may still end with a `\r` that does not count. Past that, it is too long whatever follows.
      this.#drop();
      this.#skipping = true;
      this.#sink.onOversize();
      return;
    }
    this.#pending.push(start === 0 ? chunk : chunk.subarray(start));
    this.#pendingBytes += rest;
  }

  /** Forgets a partial line (e.g. when the stream ends without a final newline). */
  clear(): void {
    this.#drop();
    this.#skipping = false;
  }

  /** Completes the pending line with `chunk[start, newline)` and emits it. */
  #finishPending(chunk: Buffer, start: number, newline: number): void {
    const total = this.#pendingBytes + (newline - start);
    const parts = this.#pending;
    parts.push(chunk.subarray(start, newline));
    this.#drop();
    let line = Buffer.concat(parts, total);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.#maxLineBytes) this.#sink.onOversize();
    else this.#sink.onLine(line.toString('utf8'));
  }

  #drop(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/**
 * Writes protocol lines to a stream. Lines written during one turn of the event loop (answers that completed in
 * the same poll phase) go out together in one `write` after it (`setImmediate`): whole lines only, in order, one
 * system call instead of one per answer. When the stream's buffer is full it reports `onBlocked` once (the reader
 * pauses: a client that does not read its answers cannot make the server buffer without bound) and `onDrained`
 * when it has room again.
 */
export class LineWriter {
  readonly #stream: NodeJS.WritableStream;
  readonly #onBlocked: () => void;
  readonly #onDrained: () => void;
  #blocked = false;
  /** Lines waiting for this turn's flush. */
  #queued: string[] = [];
  #flushScheduled = false;

  /** `onBlocked`/`onDrained` bracket each period in which the stream asked the writer to wait. */
  constructor(stream: NodeJS.WritableStream, onBlocked: () => void, onDrained: () => void) {
    this.#stream = stream;
    this.#onBlocked = onBlocked;
    this.#onDrained = onDrained;
  }

  /** Whether the stream is waiting to drain. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Queues one complete line (with its `\n`), written at the end of this turn of the event loop. */
  write(line: string): void {
    this.#queued.push(line);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  /** Stops waiting for `drain`; lines still queued are written now. */
  release(): void {
    this.#flush();
    this.#stream.off('drain', this.#drained);
    this.#blocked = false;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const lines = this.#queued;
    if (lines.length === 0) return;
    this.#queued = [];
    if (this.#stream.write(lines.length === 1 ? (lines[0] as string) : lines.join('')) || this.#blocked) return;
    this.#blocked = true;
    this.#stream.once('drain', this.#drained);
    this.#onBlocked();
  };

  readonly #drained = (): void => {
    this.#blocked = false;
    this.#onDrained();
  };
}
