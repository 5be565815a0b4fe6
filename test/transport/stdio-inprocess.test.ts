/**
 * The stdio transport's parts in process: the line splitter, and serveStdio on in-memory streams for what a child
 * process cannot show easily (whole lines per `write`, answers of one event-loop turn in one `write`, stdin paused
 * while stdout is full, `close()` aborting
 * fast-path calls and dropping the session).
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { serveStdio, type StdioHandle } from '../../src/transport/stdio.js';
import { LineSplitter } from '../../src/transport/stdio-lines.js';
import { createTestService } from './fixtures/test-service.js';

/** Collects what a splitter emits. */
function splitterFor(max?: number): { splitter: LineSplitter; events: string[] } {
  const events: string[] = [];
  const sink = {
    onLine: (l: string): void => void events.push(`line:${l}`),
    onOversize: (): void => void events.push('oversize'),
  };
  return { splitter: max === undefined ? new LineSplitter(sink) : new LineSplitter(sink, max), events };
}

describe('LineSplitter', () => {
  it('emits complete lines across chunk boundaries, drops a trailing CR, decodes split characters whole', () => {
    const { splitter, events } = splitterFor();
    const bytes = Buffer.from('first\r\nzwei € drei\nthi');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    splitter.push(Buffer.from('rd\n\n'));
    expect(events).toEqual(['line:first', 'line:zwei € drei', 'line:third', 'line:']);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('reports an oversized line once, skips to its end, and reads the next line', () => {
    const { splitter, events } = splitterFor(8);
    splitter.push(Buffer.from('12345678\n123456789\nok\n'));
    splitter.push(Buffer.from('1234'));
    splitter.push(Buffer.from('5678\r'));
    splitter.push(Buffer.from('\n12345'));
    splitter.push(Buffer.from('67890'));
    splitter.push(Buffer.from('more and more'));
    splitter.push(Buffer.from('end\nafter\n'));
    expect(events).toEqual(['line:12345678', 'oversize', 'line:ok', 'line:12345678', 'oversize', 'line:after']);
    expect(splitter.pendingBytes).toBe(0);
  });
});

/** A stdout whose writes complete only when the test says so. */
class HeldStdout extends Writable {
  /** Each `write` call's text. */
  readonly writes: string[] = [];
  readonly #held: Array<() => void> = [];
  hold = true;

  constructor() {
    super({ highWaterMark: 256, decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString());
    if (this.hold) this.#held.push(() => callback());
    else callback();
  }

  /** The lines written so far, whatever the writes they came in. */
  get lines(): string[] {
    return this.writes.join('').split('\n').slice(0, -1);
  }

  /** Lets every held write complete (and later ones complete at once). */
  release(): void {
    this.hold = false;
    for (const done of this.#held.splice(0)) done();
  }
}

/** A silent logger. */
const logger = createLogger({ level: 'silent' });
const principal = { id: 'me', scopes: [], claims: {} };
const info = { name: 'local', version: '0.0.1' };
const until = async (condition: () => boolean, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const request = (id: number, method: string, params?: Record<string, unknown>): string =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) })}\n`;

describe('serveStdio on in-memory streams', () => {
  it('writes whole lines, each answer one line, and pauses stdin while stdout is full', async () => {
    const stdin = new PassThrough();
    const stdout = new HeldStdout();
    const served: StdioHandle = await serveStdio(createTestService('local', false), {
      principal,
      logger,
      info,
      stdin,
      stdout,
    });
    // The first answer (tools/list, longer than the 256-byte buffer) fills stdout.
    stdin.write(request(1, 'tools/list'));
    await until(() => stdout.lines.length === 1);
    expect(stdin.isPaused()).toBe(true);
    for (let id = 2; id <= 40; id++)
      stdin.write(request(id, 'tools/call', { name: 'echo', arguments: { text: `t${id}` } }));
    await new Promise((r) => setTimeout(r, 50));
    // Nothing more was read while stdout was full.
    expect(stdout.lines).toHaveLength(1);
    stdout.release();
    await until(() => stdout.lines.length === 40);
    // Answers that completed in one turn of the event loop share a write; a write never splits a line.
    for (const text of stdout.writes) expect(text.endsWith('\n')).toBe(true);
    const ids = stdout.lines.map((text) => (JSON.parse(text) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(stdin.isPaused()).toBe(false);
    stdin.end();
    await served.closed;
  });

  it('close() aborts fast-path calls without answering them and drops the session from the store', async () => {
    const stdin = new PassThrough();
    const stdout = new HeldStdout();
    stdout.release();
    const service = createTestService('local', true);
    const store = new MemorySessionStore({ idleTtlMs: Number.POSITIVE_INFINITY, maxSessions: 2 });
    const served = await serveStdio(service, { principal, logger, info, stdin, stdout, sessionStore: store });
    stdin.write(request(1, 'tools/call', { name: 'count', arguments: {} }));
    await until(() => stdout.lines.length === 1);
    const sessionId = service.contexts[0]?.sessionId;
    expect(sessionId).toHaveLength(43);
    expect(await store.get(sessionId ?? '')).toBeDefined();
    stdin.write(request(2, 'tools/call', { name: 'slow', arguments: { ms: 30_000, tag: 'closing' } }));
    await until(() => service.contexts.length === 2);
    await served.close();
    await served.closed;
    expect(service.aborted).toEqual(['closing']);
    await new Promise((r) => setTimeout(r, 20));
    expect(stdout.lines).toHaveLength(1);
    expect(await store.get(sessionId ?? '')).toBeUndefined();
    // Later input is not read.
    expect(stdin.listenerCount('data')).toBe(0);
    await store.close();
  });

  it('a result JSON cannot carry becomes an internal error, and the server keeps serving', async () => {
    const stdin = new PassThrough();
    const stdout = new HeldStdout();
    stdout.release();
    const served = await serveStdio(createTestService('local', false), { principal, logger, info, stdin, stdout });
    stdin.write(request(1, 'tools/call', { name: 'unserializable', arguments: {} }));
    stdin.write(request(2, 'tools/call', { name: 'echo', arguments: { text: 'still here' } }));
    await until(() => stdout.lines.length === 2);
    const byId = new Map(
      stdout.lines.map((text) => [
        (JSON.parse(text) as { id: number }).id,
        JSON.parse(text) as Record<string, unknown>,
      ]),
    );
    expect(byId.get(1)).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } });
    expect(byId.get(2)).toMatchObject({ result: { structuredContent: { text: 'still here' } } });
    stdin.end();
    await served.closed;
  });
});
