/**
 * Drives an MCP server over stdio: spawns it, writes newline-delimited JSON-RPC to its stdin and matches the
 * lines of its stdout to requests by id. Any number of requests can be in flight on the one pipe (ids are
 * unique per process, as the protocol requires). Non-JSON lines on stdout and answers for no pending request
 * are counted: both would break a real client. stderr is drained and its tail kept for error messages.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  INITIALIZE_PARAMS,
  LineSplitter,
  notificationBody,
  parseMessage,
  rejectPending,
  requestBody,
  type PendingAnswer,
  type RpcAnswer,
} from './jsonrpc.js';

/** How to start a server process. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** A spawned stdio MCP server. */
export class StdioMcpProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly startedAt: number;
  private readonly waiters = new Map<number | string, PendingAnswer>();
  private nextId = 1;
  private readonly lines = new LineSplitter((line) => this.onLine(line));
  private stderrTail = '';
  private exited = false;
  /** Lines on stdout that were not JSON-RPC (e.g. a library printing a banner). */
  nonJsonLines = 0;
  /** Answers whose id matched no request in flight. */
  strays = 0;
  private readonly exitPromise: Promise<number | null>;

  private constructor(launch: LaunchSpec) {
    this.startedAt = performance.now();
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => this.lines.push(text));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    // Writing to a server that died must surface as a failed call, not as an unhandled EPIPE.
    this.child.stdin.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.exited = true;
        rejectPending(
          this.waiters,
          (id) => `server exited (code ${String(code)}) before answering request ${id}: ${this.stderr()}`,
        );
        resolve(code);
      });
      this.child.once('error', (error) => {
        this.exited = true;
        this.stderrTail += `\nspawn error: ${error.message}`;
        resolve(null);
      });
    });
  }

  /** Spawns the server (does not wait for it to be ready: the first request does). */
  static spawn(launch: LaunchSpec): StdioMcpProcess {
    return new StdioMcpProcess(launch);
  }

  /** Process id of the server. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The last few KB the server wrote to stderr (for error messages). */
  stderr(): string {
    return this.stderrTail.trim().split('\n').slice(-8).join('\n');
  }

  private onLine(line: string): void {
    const message = parseMessage(line);
    if (message === undefined) {
      this.nonJsonLines += 1;
      return;
    }
    if (message.id === undefined || message.id === null) return; // A notification or log message.
    if (message.method !== undefined) {
      // A server-to-client request (e.g. ping): answer with an empty result so the server is not left waiting.
      this.child.stdin.write(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{}}\n`);
      return;
    }
    const id = typeof message.id === 'number' ? message.id : Number(message.id);
    const waiter = this.waiters.get(id);
    if (waiter === undefined) {
      this.strays += 1;
      return;
    }
    this.waiters.delete(id);
    clearTimeout(waiter.timer);
    waiter.resolve({ message, raw: line });
  }

  /** Allocates the id the next request will carry. */
  allocateId(): number {
    const id = this.nextId;
    this.nextId += 1;
    return id;
  }

  /** Sends a request with a given id (see {@link allocateId}); rejects on timeout or if the server exits. */
  requestWithId(id: number, method: string, paramsJson: string | undefined, timeoutMs: number): Promise<RpcAnswer> {
    if (this.exited) return Promise.reject(new Error(`server has exited: ${this.stderr()}`));
    return new Promise<RpcAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new TimeoutError(`no answer to ${method} #${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
      this.child.stdin.write(`${requestBody(id, method, paramsJson)}\n`);
    });
  }

  /** Sends a request with a fresh id. */
  request(method: string, paramsJson: string | undefined, timeoutMs: number): Promise<RpcAnswer> {
    return this.requestWithId(this.allocateId(), method, paramsJson, timeoutMs);
  }

  /** Sends a notification. */
  notify(method: string, paramsJson?: string): void {
    if (!this.exited) this.child.stdin.write(`${notificationBody(method, paramsJson)}\n`);
  }

  /** The MCP handshake: `initialize`, then `notifications/initialized`. */
  async initialize(timeoutMs: number): Promise<RpcAnswer> {
    const answer = await this.request('initialize', INITIALIZE_PARAMS, timeoutMs);
    if (answer.message.error !== undefined) throw new Error(`initialize failed: ${answer.message.error.message}`);
    this.notify('notifications/initialized');
    return answer;
  }

  /** Closes stdin (the polite stop for a stdio server), then escalates to SIGTERM and SIGKILL. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    const waitExit = (ms: number): Promise<boolean> =>
      Promise.race([
        this.exitPromise.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
      ]);
    if (await waitExit(1000)) return;
    this.child.kill('SIGTERM');
    if (await waitExit(1000)) return;
    this.child.kill('SIGKILL');
    await waitExit(1000);
  }
}

/** A request that got no answer in time. */
export class TimeoutError extends Error {}
