/**
 * The audit trail: takes {@link AuditEntry}s from the request path without waiting, and writes them in the
 * background as hash-chained JSON lines (chain.ts) to every sink (a file or stdout, and a Redis stream when Redis is
 * the state store). `append` only stamps the time and queues; chaining, serialising and writing happen after the
 * current request's work (setImmediate), batched, one batch at a time so that the chain order is the write order.
 * `flush` (called at shutdown, before the state store closes) waits until everything queued is written.
 *
 * A sink that fails (disk full, Redis down) is logged at `error` once per failure streak; the chain goes on (the
 * next records still follow the lost ones, so `finmcp audit verify` shows where the gap is). Beyond
 * {@link MAX_QUEUED} records waiting, new ones are dropped and counted in an `error` log line rather than growing
 * the heap without bound.
 */
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import type { AuditEntry, AuditLog } from './audit-record.js';
import { chainLine, GENESIS } from './chain.js';

/** Where chained lines are written. `write` receives lines in chain order, never concurrently. */
export interface AuditSink {
  /** Shown in error logs, e.g. `file /var/log/finmcp/audit.jsonl` (never a credential). */
  readonly name: string;
  write(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Most records waiting to be written; more are dropped (and counted in the log). */
const MAX_QUEUED = 50_000;

/** The instance this process is in records: host name and process id. */
function instanceName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions {
  sinks: AuditSink[];
  logger: Logger;
  /** Hash of the last record already in the sinks (a file written before a restart); a new chain otherwise. */
  prev?: string;
  /** Defaults to {@link instanceName}. */
  instance?: string;
}

/** A queued entry (or its builder) and when it was appended. */
interface Queued {
  time: number;
  entry: AuditEntry | (() => AuditEntry | undefined);
}

/** The audit trail of one process. */
export class AuditTrail implements AuditLog {
  readonly #sinks: AuditSink[];
  readonly #logger: Logger;
  readonly #instance: string;
  #prev: string;
  #queue: Queued[] = [];
  #scheduled = false;
  /** Records chained but not yet written by every sink. */
  #inFlight = 0;
  #dropped = 0;
  #writing: Promise<void> = Promise.resolve();
  readonly #failing = new Set<string>();

  constructor(options: AuditTrailOptions) {
    this.#sinks = [...options.sinks];
    this.#logger = options.logger;
    this.#prev = options.prev ?? GENESIS;
    this.#instance = options.instance ?? instanceName();
  }

  /** Adds a sink (the Redis stream, once the state store is connected); records appended from now on reach it. */
  addSink(sink: AuditSink): void {
    this.#sinks.push(sink);
  }

  /** Queues a record (or a function building it, called in the background); returns at once. */
  append(entry: AuditEntry | (() => AuditEntry | undefined)): void {
    if (this.#queue.length + this.#inFlight >= MAX_QUEUED) {
      this.#dropped++;
      return;
    }
    this.#queue.push({ time: Date.now(), entry });
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
  }

  /** Resolves once every record appended so far is written (or its write failed and was logged). */
  async flush(): Promise<void> {
    if (this.#queue.length > 0) this.#drain();
    await this.#writing;
  }

  /** Flushes, then closes the sinks. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.#sinks.map((sink) => sink.close().catch(() => undefined)));
  }

  /** Chains what is queued and hands it to the sinks after the previous batch. */
  #drain(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const lines: string[] = [];
    for (const { time, entry: given } of batch) {
      const entry = typeof given === 'function' ? this.#build(given) : given;
      if (entry === undefined) continue;
      const { line, hash } = chainLine(
        { time: new Date(time).toISOString(), instance: this.#instance, ...entry },
        this.#prev,
      );
      lines.push(line);
      this.#prev = hash;
    }
    const dropped = this.#dropped;
    this.#dropped = 0;
    if (dropped > 0)
      this.#logger.error({ event: 'audit_dropped', dropped }, 'audit records dropped: the audit sinks cannot keep up');
    this.#inFlight += lines.length;
    const sinks = [...this.#sinks];
    this.#writing = this.#writing.then(async () => {
      await Promise.all(sinks.map((sink) => this.#write(sink, lines)));
      this.#inFlight -= lines.length;
    });
  }

  /** Calls a record's builder; a builder that throws is a bug, logged, never a crash of the drain. */
  #build(build: () => AuditEntry | undefined): AuditEntry | undefined {
    try {
      return build();
    } catch (error) {
      this.#logger.error(
        { event: 'audit_record_failed', err: { message: error instanceof Error ? error.message : String(error) } },
        'an audit record could not be built',
      );
      return undefined;
    }
  }

  async #write(sink: AuditSink, lines: readonly string[]): Promise<void> {
    try {
      await sink.write(lines);
      if (this.#failing.delete(sink.name))
        this.#logger.info({ event: 'audit_sink_recovered', sink: sink.name }, 'audit sink writes again');
    } catch (error) {
      if (this.#failing.has(sink.name)) return;
      this.#failing.add(sink.name);
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.error(
        { event: 'audit_sink_failed', sink: sink.name, records: lines.length, err: { message } },
        'audit records could not be written',
      );
    }
  }
}
