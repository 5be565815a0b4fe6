/**
 * A raw stdio client for fuzzing (MCP 2025-11-25, Basic / Transports, "stdio"): writes any text as one line
 * and matches answer lines to what was sent. Answers are matched by id (several messages may share an id,
 * served first come, first served); answers with id null (JSON-RPC 2.0 §5: the id could not be read) go to the
 * oldest message still waiting that allows a null id. An answer nobody waits for is reported: a server
 * must not answer notifications or invent answers. Much leaner than the SDK client, so the fuzzer spends
 * its CPU on generating cases, not on zod.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LineSplitter } from '../bench/clients/jsonrpc.js';
import type { Expectation } from './cases.js';

/** How an answer ended. */
export type StdioOutcome =
  | { answered: true; raw: string }
  | { answered: false; reason: 'timeout' | 'exited'; detail: string };

interface Waiter {
  key: string | undefined;
  allowsNull: boolean;
  settled: boolean;
  resolve(outcome: StdioOutcome): void;
  timer: NodeJS.Timeout;
}

/** Options of {@link StdioFuzzClient.spawn}. */
export interface StdioLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Every line the server writes to stderr (its logs). */
  onLog(line: string): void;
}

/** A spawned stdio server under fuzz. */
export class StdioFuzzClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly nullQueue: Waiter[] = [];
  private readonly lines = new LineSplitter((line) => this.onLine(line));
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;
  /** Answers that matched nothing sent (each is a finding). */
  readonly unexpected: string[] = [];
  /** Lines on stdout that are not JSON (each breaks a real client). */
  readonly nonJson: string[] = [];

  private constructor(launch: StdioLaunch) {
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => this.lines.push(text));
    const logLines = new LineSplitter((line) => launch.onLog(line));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => logLines.push(text));
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = `exited with code ${String(code)}${signal === null ? '' : ` (${signal})`}`;
        const waiting = [...this.byKey.values()].flat().concat(this.nullQueue);
        for (const waiter of waiting) this.settle(waiter, { answered: false, reason: 'exited', detail: this.exitInfo });
        this.byKey.clear();
        this.nullQueue.length = 0;
        resolve();
      });
    });
  }

  /** Spawns the server. */
  static spawn(launch: StdioLaunch): StdioFuzzClient {
    return new StdioFuzzClient(launch);
  }

  /** Process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Why the server exited, once it has. */
  get exit(): string | undefined {
    return this.exitInfo;
  }

  private onLine(line: string): void {
    let message: { id?: unknown; method?: unknown };
    try {
      message = JSON.parse(line) as { id?: unknown; method?: unknown };
    } catch {
      this.nonJson.push(line.slice(0, 200));
      return;
    }
    if (typeof message !== 'object' || message === null) {
      this.nonJson.push(line.slice(0, 200));
      return;
    }
    if (message.method !== undefined) {
      // A server-to-client request gets an empty result; notifications (logging, progress) need nothing.
      if (message.id !== undefined)
        this.child.stdin.write(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{}}\n`);
      return;
    }
    const waiter =
      message.id === null || message.id === undefined ? this.takeNull() : this.takeKey(JSON.stringify(message.id));
    if (waiter === undefined) {
      this.unexpected.push(line.slice(0, 300));
      return;
    }
    this.settle(waiter, { answered: true, raw: line });
  }

  private takeKey(key: string): Waiter | undefined {
    const list = this.byKey.get(key);
    const waiter = list?.shift();
    if (list !== undefined && list.length === 0) this.byKey.delete(key);
    return waiter;
  }

  private takeNull(): Waiter | undefined {
    for (;;) {
      const waiter = this.nullQueue.shift();
      if (waiter === undefined || !waiter.settled) return waiter;
    }
  }

  private settle(waiter: Waiter, outcome: StdioOutcome): void {
    if (waiter.settled) return;
    waiter.settled = true;
    clearTimeout(waiter.timer);
    if (waiter.key !== undefined) {
      const list = this.byKey.get(waiter.key);
      const index = list?.indexOf(waiter) ?? -1;
      if (list !== undefined && index !== -1) list.splice(index, 1);
      if (list !== undefined && list.length === 0) this.byKey.delete(waiter.key);
    }
    waiter.resolve(outcome);
  }

  /**
   * Writes `body` as one line. Resolves with the answer, or — when the expectation allows no answer — right
   * after writing (with `answered: false`, reason `timeout` and detail `none expected`).
   */
  send(body: string, expect: Expectation, timeoutMs: number): Promise<StdioOutcome> {
    if (this.exitInfo !== undefined)
      return Promise.resolve({ answered: false, reason: 'exited', detail: this.exitInfo });
    if (expect.ids.length === 0) {
      this.child.stdin.write(`${body}\n`);
      return Promise.resolve({ answered: false, reason: 'timeout', detail: 'none expected' });
    }
    const id = expect.ids.find((candidate) => candidate !== null);
    return new Promise<StdioOutcome>((resolve) => {
      const waiter: Waiter = {
        key: id === undefined ? undefined : JSON.stringify(id),
        allowsNull: expect.ids.includes(null),
        settled: false,
        resolve,
        timer: setTimeout(
          () => this.settle(waiter, { answered: false, reason: 'timeout', detail: `no answer within ${timeoutMs} ms` }),
          timeoutMs,
        ),
      };
      if (waiter.key !== undefined) {
        const list = this.byKey.get(waiter.key);
        if (list === undefined) this.byKey.set(waiter.key, [waiter]);
        else list.push(waiter);
      }
      if (waiter.allowsNull) this.nullQueue.push(waiter);
      this.child.stdin.write(`${body}\n`);
    });
  }

  /** Closes stdin and waits for the exit (SIGTERM, then SIGKILL, if it does not come). */
  async close(): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.child.stdin.end();
    const wait = (ms: number): Promise<boolean> =>
      Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
      ]);
    if (await wait(5000)) return;
    this.child.kill('SIGTERM');
    if (await wait(5000)) return;
    this.child.kill('SIGKILL');
    await wait(5000);
  }
}
