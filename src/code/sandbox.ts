/**
 * Code mode's sandbox as the server's thread sees it: each program runs in QuickJS (engine.ts) inside a worker thread
 * of its own (sandbox-worker.ts), so that no program holds up the server's event loop — other callers' requests are
 * served while one program computes — and a program stuck inside one long built-in operation (which the engine's
 * interrupt handler cannot stop: `'x'.repeat(…)`, a huge `JSON.stringify`, a catastrophic regular expression) is
 * ended by terminating its thread once its CPU or wall time is spent, with a little grace for the engine's own,
 * gentler stop. The program's `api` calls arrive as messages and are run here, with the caller's context.
 *
 * Workers are kept warm: a run takes an idle one (its WebAssembly module already loaded), and a few idle ones are
 * kept for the next runs. At most {@link MAX_WORKERS} programs run at once; more wait for a worker.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../paths.js';
import type { FromWorker, HostCall, SandboxLimits, SandboxOutcome, ToWorker } from './sandbox-protocol.js';
import { StopProgram } from './sandbox-protocol.js';

/** Programs running at once; each holds a worker (a thread and its engine's memory) until it ends. */
const MAX_WORKERS = 16;
/** Idle workers kept warm for the next runs. */
const MAX_IDLE = 2;
/** The worker's own V8 heap (the engine's memory is WebAssembly memory, limited by the run's `memoryBytes`). */
const WORKER_HEAP_MB = 64;

/** The compiled worker: next to this module in dist/; from the TypeScript sources (tests), dist/'s copy. */
function workerFile(): URL | string {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? join(projectRoot(), 'dist', 'src', 'code', 'sandbox-worker.js')
    : new URL('./sandbox-worker.js', here);
}

/** A worker thread and the promise of its engine being loaded. */
interface PooledWorker {
  thread: Worker;
  ready: Promise<void>;
}

const idle: PooledWorker[] = [];
const queue: Array<(worker: PooledWorker) => void> = [];
let live = 0;

function spawn(): PooledWorker {
  live++;
  const thread = new Worker(workerFile(), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 8 },
    // The engine's own abort messages (an instance dropped after a fault, engine.ts) are noise: failures arrive as
    // `error` events. Nothing in the worker writes to stdout, which a stdio transport owns.
    stderr: true,
    stdout: true,
  });
  thread.stderr.resume();
  thread.stdout.resume();
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: FromWorker): void => {
      if (message.type !== 'ready') return;
      thread.off('message', onMessage);
      resolve();
    };
    thread.on('message', onMessage);
    thread.once('error', reject);
    thread.once('exit', () => reject(new Error('the sandbox worker exited while starting')));
  });
  // A worker that fails to start is seen by the run that took it; until then nothing awaits it.
  ready.catch(() => undefined);
  return { thread, ready };
}

/** An idle worker, a new one, or — at {@link MAX_WORKERS} — the next one a run gives back. */
function acquire(): Promise<PooledWorker> {
  const worker = idle.pop() ?? (live < MAX_WORKERS ? spawn() : undefined);
  if (worker !== undefined) {
    worker.thread.ref();
    return Promise.resolve(worker);
  }
  return new Promise((resolve) => queue.push(resolve));
}

/** Gives a worker back after a run: to a waiting run, to the idle ones, or ended; a broken one is replaced. */
function release(worker: PooledWorker, healthy: boolean): void {
  if (!healthy) {
    live--;
    void worker.thread.terminate();
    const next = queue.shift();
    if (next !== undefined) next(spawn());
    else if (idle.length === 0) {
      // The next run should not wait for a thread and an engine to load: a replacement starts warming now.
      const fresh = spawn();
      fresh.thread.unref();
      idle.push(fresh);
    }
    return;
  }
  const next = queue.shift();
  if (next !== undefined) next(worker);
  else if (idle.length < MAX_IDLE) {
    worker.thread.unref();
    idle.push(worker);
  } else {
    live--;
    void worker.thread.terminate();
  }
}

/** Starts a worker and loads its engine, so that the first program does not wait for either. */
export async function warmSandbox(): Promise<void> {
  const worker = await acquire();
  try {
    await worker.ready;
    release(worker, true);
  } catch (error) {
    release(worker, false);
    throw error;
  }
}

/**
 * Runs `js` — a script whose completion value is the program's promise (compile.ts wraps programs so) — with `api`
 * methods `names`, in a worker thread; each `api` call is made here with `call`.
 */
export async function runInSandbox(
  js: string,
  names: readonly string[],
  call: HostCall,
  limits: SandboxLimits,
  signal?: AbortSignal,
): Promise<SandboxOutcome> {
  const worker = await acquire();
  try {
    await worker.ready;
  } catch (error) {
    release(worker, false);
    return failed(`The sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`, 0);
  }
  // Cancelled while it waited for a worker: nothing runs.
  if (signal?.aborted === true) {
    release(worker, true);
    return failed('The run was cancelled.', 0);
  }
  return new WorkerRun(worker, call, limits, signal).run(js, names);
}

function failed(error: string, calls: number, cpuMs = 0): SandboxOutcome {
  return { ok: false, error, logs: [], calls, cpuMs };
}

/**
 * One run on one worker: answers its `api` calls, and keeps its own account of the time the engine computes (from
 * the run's start or an answer sent, to the worker's `wait`) so that it can end a run the engine cannot stop.
 */
class WorkerRun {
  private readonly worker: PooledWorker;
  private readonly call: HostCall;
  private readonly limits: SandboxLimits;
  private readonly signal: AbortSignal | undefined;
  private readonly abort = new AbortController();
  /** Cancelled (the client went away): a waiting engine ends its run itself; a computing one is stopped now. */
  private readonly onAbort = (): void => {
    if (this.busySince === undefined) this.post({ type: 'cancel' });
    else this.kill('The run was cancelled.');
  };
  /** Grace past a limit before the thread is terminated: the engine's own stop comes first when it can. */
  private readonly grace: number;
  private resolve: ((outcome: SandboxOutcome) => void) | undefined;
  private busySince: number | undefined;
  private cpuUsed = 0;
  private cpuTimer: NodeJS.Timeout | undefined;
  private wallTimer: NodeJS.Timeout | undefined;
  private calls = 0;
  private answersSent = 0;
  private ended = false;

  constructor(worker: PooledWorker, call: HostCall, limits: SandboxLimits, signal: AbortSignal | undefined) {
    this.worker = worker;
    this.call = call;
    this.limits = limits;
    this.signal = signal;
    this.grace = Math.max(250, limits.cpuMs / 2);
  }

  run(js: string, names: readonly string[]): Promise<SandboxOutcome> {
    const { thread } = this.worker;
    return new Promise<SandboxOutcome>((resolve) => {
      this.resolve = resolve;
      thread.on('message', this.onMessage);
      thread.on('error', this.onError);
      thread.on('exit', this.onExit);
      this.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.wallTimer = setTimeout(
        () =>
          this.kill(
            `The program ran longer than its ${this.limits.wallMs} ms of wall time (API calls included) and was stopped.`,
          ),
        this.limits.wallMs + this.grace,
      );
      this.post({ type: 'run', js, names, limits: this.limits });
      this.busy();
    });
  }

  private post(message: ToWorker): void {
    if (!this.ended) this.worker.thread.postMessage(message);
  }

  private readonly onMessage = (message: FromWorker): void => {
    if (message.type === 'call') this.hostCall(message.id, message.name, message.argsJson);
    else if (message.type === 'wait') {
      if (message.received === this.answersSent) this.idle();
    } else if (message.type === 'done') this.end(message.outcome, true);
  };

  private readonly onError = (error: Error): void => {
    this.end(failed(`The sandbox failed: ${error.message}`, this.calls, this.cpuUsed), false);
  };

  private readonly onExit = (): void => {
    this.end(failed('The sandbox failed: its worker exited', this.calls, this.cpuUsed), false);
  };

  /** The worker computes from now on (a run started, or a call's answer was sent), if it did not already. */
  private busy(): void {
    if (this.busySince !== undefined) return;
    this.busySince = performance.now();
    const left = Math.max(0, this.limits.cpuMs - this.cpuUsed) + this.grace;
    this.cpuTimer = setTimeout(
      () =>
        this.kill(
          `The program used more than its ${this.limits.cpuMs} ms of CPU time and was stopped inside one long built-in operation (a huge string, JSON text, sort or regular expression?). Do less work per run.`,
        ),
      left,
    );
  }

  /** The worker waits for an answer: its time stops counting. */
  private idle(): void {
    if (this.busySince === undefined) return;
    this.cpuUsed += performance.now() - this.busySince;
    this.busySince = undefined;
    clearTimeout(this.cpuTimer);
  }

  private hostCall(id: number, name: string, argsJson: string): void {
    this.calls++;
    this.call(name, argsJson, this.abort.signal).then(
      (text) => this.answer({ type: 'answer', id, text }),
      (error: unknown) =>
        this.answer(
          error instanceof StopProgram
            ? { type: 'answer', id, stop: error.message }
            : { type: 'answer', id, error: error instanceof Error ? error.message : String(error) },
        ),
    );
  }

  private answer(message: Extract<ToWorker, { type: 'answer' }>): void {
    if (this.ended) return;
    this.answersSent++;
    this.post(message);
    this.busy();
  }

  /** Ends a run the engine did not stop: its thread is terminated and replaced. */
  private kill(error: string): void {
    if (this.busySince !== undefined) this.idle();
    this.end(failed(error, this.calls, Math.round(this.cpuUsed)), false);
  }

  private end(outcome: SandboxOutcome, healthy: boolean): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.cpuTimer);
    clearTimeout(this.wallTimer);
    this.abort.abort();
    this.signal?.removeEventListener('abort', this.onAbort);
    const { thread } = this.worker;
    thread.off('message', this.onMessage);
    thread.off('error', this.onError);
    thread.off('exit', this.onExit);
    release(this.worker, healthy);
    this.resolve?.(outcome);
  }
}
