/**
 * Where audit lines go: an append-only file (created `0600`, never truncated; a restart continues the chain from
 * the file's last record), standard output (for a container's log collector), or a Redis stream `finmcp:audit`
 * (`XADD`, one entry per record with the field `record`), which several instances share: each instance's records
 * form their own chain there (`prev` follows the same instance's previous record), told apart by `instance`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RedisConnection } from '../state/redis-connection.js';
import type { AuditSink } from './audit-trail.js';
import { claimedHash } from './chain.js';
import { lastLines } from './last-lines.js';

/** Appends lines to a file. */
export class FileSink implements AuditSink {
  readonly name: string;
  readonly #handle: FileHandle;

  private constructor(path: string, handle: FileHandle) {
    this.name = `file ${path}`;
    this.#handle = handle;
  }

  /** Opens `path` for appending (created if missing); `prev` is the hash of its last record, if it has one. */
  static async open(path: string): Promise<{ sink: FileSink; prev: string | undefined }> {
    const handle = await open(path, 'a+', 0o600);
    try {
      return { sink: new FileSink(path, handle), prev: await lastRecordHash(handle) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async write(lines: readonly string[]): Promise<void> {
    await this.#handle.appendFile(`${lines.join('\n')}\n`);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** Writes lines to standard output (never with the stdio transport, whose stdout is the protocol). */
export class StdoutSink implements AuditSink {
  readonly name = 'stdout';

  write(lines: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(`${lines.join('\n')}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {}
}

/** Stream key of the audit records in Redis. */
export const AUDIT_STREAM = 'finmcp:audit';

/** Adds each line to the Redis stream {@link AUDIT_STREAM}. */
export class RedisStreamSink implements AuditSink {
  readonly name = `redis stream ${AUDIT_STREAM}`;
  readonly #connection: RedisConnection;

  constructor(connection: RedisConnection) {
    this.#connection = connection;
  }

  async write(lines: readonly string[]): Promise<void> {
    await this.#connection.run(async () => {
      const pipeline = this.#connection.client.pipeline();
      for (const line of lines) pipeline.xadd(AUDIT_STREAM, '*', 'record', line);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0];
    });
  }

  /** The connection belongs to the state store. */
  async close(): Promise<void> {}
}

/** The hash the file's last record claims, if its last line is one. */
async function lastRecordHash(handle: FileHandle): Promise<string | undefined> {
  const [last] = await lastLines(handle, 1);
  return last === undefined ? undefined : claimedHash(last);
}
