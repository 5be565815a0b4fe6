/** A logger (src/log.ts) that writes into memory, so a test can read what was logged and check it for secrets. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** What a {@link captureLog} logger wrote. */
export interface CapturedLog {
  logger: Logger;
  /** Every chunk written, in order. */
  raw: string[];
  /** The JSON lines written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
}

/** A logger at `level` (debug by default) whose output stays in memory. */
export function captureLog(level = 'debug'): CapturedLog {
  const raw: string[] = [];
  const logger = createLogger({
    level,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done): void {
        raw.push(chunk.toString());
        done();
      },
    }),
  });
  return {
    logger,
    raw,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
