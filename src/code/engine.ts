/**
 * Code mode's engine: runs one JavaScript program in QuickJS compiled to WebAssembly (quickjs-emscripten, the
 * release "sync" build), a fresh runtime and context per run, so a program reaches nothing of the host and nothing
 * of another run. It runs inside a sandbox worker thread (sandbox-worker.ts, driven by sandbox.ts), so engine work
 * never holds up the server's event loop. The engine has no `process`, `require`, modules, files, network or timers;
 * the only way out is the `api` object, whose methods hand a JSON text to the host (`HostCall`) and get a JSON text
 * back — no host object or function ever enters the sandbox, so polluting a prototype in there changes nothing out
 * here.
 *
 * Limits, each ending the run with a message naming it: CPU time spent inside the engine (its interrupt handler,
 * which runs between bytecode instructions; the worker's owner stops a run stuck inside one built-in operation),
 * memory (the runtime's allocator limit), stack depth, wall time (waiting for API calls included), number of API
 * calls, and `console` output. Why QuickJS: a new runtime and context cost about 0.6 ms here (measured, see the
 * README's code-mode section), the WebAssembly boundary is a real isolation boundary (Node's `vm` is not), and it
 * needs no native build.
 */
import { performance } from 'node:perf_hooks';
import {
  DefaultIntrinsics,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { type HostCall, type SandboxLimits, type SandboxOutcome, StopProgram } from './sandbox-protocol.js';

let modulePromise: Promise<QuickJSWASMModule> | undefined;

/** The WebAssembly module, loaded once per process (about 60 ms); every run makes its own runtime in it. */
export function quickJs(): Promise<QuickJSWASMModule> {
  modulePromise ??= (async () => {
    const { newQuickJSWASMModuleFromVariant } = await import('quickjs-emscripten-core');
    // The variant package is CommonJS: its namespace's `default` is the variant, as the loader expects.
    return newQuickJSWASMModuleFromVariant(
      import('@jitl/quickjs-wasmfile-release-sync') as Parameters<typeof newQuickJSWASMModuleFromVariant>[0],
    );
  })();
  return modulePromise;
}

/**
 * Sets up `api` and `console` in a fresh context. The bridge function and the method names come in as arguments,
 * so nothing but `api` and `console` is left on the global object; JSON is captured before the program can
 * replace it, and the returned function serializes the program's result with the captured `JSON.stringify`.
 */
const BRIDGE = `(function (call, log, names) {
  'use strict';
  const stringify = JSON.stringify, parse = JSON.parse, freeze = Object.freeze;
  const api = Object.create(null);
  for (const name of names) {
    const method = function (args) {
      const text = stringify(args === undefined ? {} : args);
      return call(name, typeof text === 'string' ? text : 'null').then(parse);
    };
    Object.defineProperty(api, name, { value: method, enumerable: true });
  }
  freeze(api);
  const show = (v) => { if (typeof v === 'string') return v; try { const t = stringify(v); return t === undefined ? String(v) : t; } catch (e) { return String(v); } };
  const write = (...args) => { log(args.map(show).join(' ')); };
  const console = freeze({ log: write, info: write, warn: write, error: write, debug: write });
  Object.defineProperty(globalThis, 'api', { value: api, enumerable: true });
  Object.defineProperty(globalThis, 'console', { value: console, enumerable: true });
  return (value) => stringify(value);
})`;

/** Host names a program may try; the refusal says the sandbox has none of them. */
const HOST_NAMES =
  /^'?(process|require|module|fetch|XMLHttpRequest|WebSocket|setTimeout|setInterval|setImmediate|queueMicrotask|Buffer|globalThis\.process|Deno|Bun)'? is not defined$/;

/**
 * Runs `js` — a script whose completion value is the program's promise (compile.ts wraps programs so) — with `api`
 * methods `names`, in this thread.
 */
export async function runInEngine(
  js: string,
  names: readonly string[],
  call: HostCall,
  limits: SandboxLimits,
  signal?: AbortSignal,
  onWait?: () => void,
): Promise<SandboxOutcome> {
  const module = await quickJs();
  const run = new SandboxRun(module, call, limits, signal, onWait);
  try {
    run.installBridge(names);
    return await run.execute(js);
  } catch (error) {
    return run.engineFailure(error);
  } finally {
    run.dispose();
  }
}

/** How a run ended, before its console lines and counts are added. */
type Ending = { ok: true; json: string } | { ok: false; error: string };

/**
 * One run: its runtime and context, the accounting of its limits, its console lines and the host calls it has in
 * flight. {@link runInSandbox} drives it: bridge, then the program's event loop, then disposal.
 */
class SandboxRun {
  private readonly module: QuickJSWASMModule;
  private readonly call: HostCall;
  private readonly limits: SandboxLimits;
  private readonly signal: AbortSignal | undefined;
  private readonly wallDeadline: number;
  private readonly runtime: QuickJSRuntime;
  private readonly vm: QuickJSContext;
  private cpuUsed = 0;
  /** When the current stretch of engine work must end; set by `inEngine` before every entry. */
  private sliceDeadline = Number.POSITIVE_INFINITY;
  private stop: string | undefined;
  private readonly logs: string[] = [];
  private droppedLines = 0;
  private calls = 0;
  /** Host calls not yet settled, and a way to wake the loop when one settles. */
  private outstanding = 0;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private readonly onAbort = (): void => this.abort.abort();
  private disposed = false;
  private readonly logFn: QuickJSHandle;
  private readonly callFn: QuickJSHandle;
  private program: QuickJSHandle | undefined;
  private serialize: QuickJSHandle | undefined;
  /** The engine hit a limit inside its own code (stack, memory): its runtime may not be freed cleanly. */
  private engineFault = false;

  /** Hears each time the engine goes idle until a call settles. */
  private readonly onWait: (() => void) | undefined;

  constructor(
    module: QuickJSWASMModule,
    call: HostCall,
    limits: SandboxLimits,
    signal: AbortSignal | undefined,
    onWait: (() => void) | undefined,
  ) {
    this.module = module;
    this.onWait = onWait;
    this.call = call;
    this.limits = limits;
    this.signal = signal;
    this.wallDeadline = performance.now() + limits.wallMs;
    this.runtime = module.newRuntime();
    this.runtime.setMemoryLimit(limits.memoryBytes);
    this.runtime.setMaxStackSize(limits.stackBytes);
    this.runtime.setInterruptHandler(() => this.interrupted());
    // No typed arrays: their buffers are allocated outside the runtime's memory limit in this build (measured: 100 MB
    // of Uint8Array under an 8 MB limit), and finance programs have no use for them.
    this.vm = this.runtime.newContext({ intrinsics: { ...DefaultIntrinsics, TypedArrays: false } });
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.logFn = this.vm.newFunction('log', (line) => this.log(line));
    this.callFn = this.vm.newFunction('call', (nameHandle, argsHandle) => this.hostCall(nameHandle, argsHandle));
  }

  /** The engine's interrupt handler: true ends the run (a limit was hit, or the CPU budget is spent). */
  private interrupted(): boolean {
    if (this.stop !== undefined) return true;
    if (performance.now() > this.sliceDeadline) {
      this.stop = `The program used more than its ${this.limits.cpuMs} ms of CPU time and was stopped (an endless loop?). Do less work per run.`;
      return true;
    }
    return false;
  }

  /** Runs engine work inside the CPU budget. */
  private inEngine<T>(work: () => T): T {
    const t0 = performance.now();
    this.sliceDeadline = t0 + Math.max(0, this.limits.cpuMs - this.cpuUsed);
    try {
      return work();
    } finally {
      this.cpuUsed += performance.now() - t0;
    }
  }

  private finish(outcome: Ending): SandboxOutcome {
    const kept =
      this.droppedLines > 0
        ? [...this.logs, `… ${this.droppedLines} more console lines not kept (limit ${this.limits.maxLogLines})`]
        : this.logs;
    return { ...outcome, logs: kept, calls: this.calls, cpuMs: Math.round(this.cpuUsed * 100) / 100 } as SandboxOutcome;
  }

  /** Ends the run with `error`, noting whether it was a fault of the engine itself. */
  private fault(error: string): SandboxOutcome {
    this.engineFault = ENGINE_FAULT.test(error);
    return this.finish({ ok: false, error });
  }

  /** Ends the run with a value the engine threw (or a promise rejected with), as its message. */
  private thrown(handle: QuickJSHandle): SandboxOutcome {
    const error = describe(this.vm, handle, this.stop);
    handle.dispose();
    return this.fault(error);
  }

  /** `console` output from the bridge: kept up to the line limit, each line cut to 2,000 characters. */
  private log(line: QuickJSHandle): void {
    if (this.logs.length < this.limits.maxLogLines) {
      const text = this.vm.getString(line);
      this.logs.push(text.length > 2_000 ? `${text.slice(0, 2_000)}… [${text.length} characters]` : text);
    } else this.droppedLines++;
  }

  /** An `api` call from the bridge: hands it to the host and returns a promise the host's answer settles. */
  private hostCall(nameHandle: QuickJSHandle, argsHandle: QuickJSHandle): QuickJSHandle | { error: QuickJSHandle } {
    const vm = this.vm;
    const name = vm.getString(nameHandle);
    if (this.calls >= this.limits.maxCalls) {
      this.stop = `The program made more than ${this.limits.maxCalls} API calls and was stopped. Fetch less, or use filters and larger pages.`;
      return { error: vm.newError(this.stop) };
    }
    this.calls++;
    const argsJson = vm.typeof(argsHandle) === 'string' ? vm.getString(argsHandle) : 'null';
    const deferred = vm.newPromise();
    this.outstanding++;
    this.call(name, argsJson, this.abort.signal)
      .then(
        (text) => {
          if (this.disposed) return;
          const value = vm.newString(text);
          deferred.resolve(value);
          value.dispose();
        },
        (error: unknown) => {
          if (this.disposed) return;
          if (error instanceof StopProgram) {
            this.stop ??= error.message;
            deferred.dispose();
            return;
          }
          const err = vm.newError(error instanceof Error ? error.message : String(error));
          deferred.reject(err);
          err.dispose();
        },
      )
      .finally(() => {
        this.outstanding--;
        deferred.alive && deferred.dispose();
        this.wake?.();
      });
    return deferred.handle;
  }

  /** Sets up `api` (methods `names`) and `console` with {@link BRIDGE}, keeping its result serializer. */
  installBridge(names: readonly string[]): void {
    const vm = this.vm;
    const bridge = vm.unwrapResult(vm.evalCode(BRIDGE, 'bridge.js'));
    const namesHandle = vm.newArray();
    names.forEach((name, i) => {
      vm.newString(name).consume((handle) => vm.setProp(namesHandle, i, handle));
    });
    this.serialize = vm.unwrapResult(vm.callFunction(bridge, vm.undefined, this.callFn, this.logFn, namesHandle));
    namesHandle.dispose();
    bridge.dispose();
  }

  /** Evaluates the program, then runs its jobs each time a host call settles, until its promise settles. */
  async execute(js: string): Promise<SandboxOutcome> {
    const evaluated = this.inEngine(() => this.vm.evalCode(js, 'program.js', { type: 'global', strict: true }));
    if (evaluated.error !== undefined) return this.thrown(evaluated.error);
    const program = evaluated.value;
    this.program = program;
    for (;;) {
      const jobs = this.inEngine(() => this.runtime.executePendingJobs());
      if (jobs.error !== undefined) return this.thrown(jobs.error);
      if (this.stop !== undefined) return this.fault(this.stop);
      const settled = this.settled(program);
      if (settled !== undefined) return settled;
      if (this.outstanding === 0) {
        return this.finish({
          ok: false,
          error:
            'The program is waiting for a promise that nothing will settle (there are no timers or events here): await only `api` calls.',
        });
      }
      this.onWait?.();
      const woke = await this.nextSettledCall();
      if (this.signal?.aborted === true) return this.finish({ ok: false, error: 'The run was cancelled.' });
      if (!woke) {
        return this.finish({
          ok: false,
          error: `The program ran longer than its ${this.limits.wallMs} ms of wall time (API calls included) and was stopped.`,
        });
      }
    }
  }

  /** How the run ended if the program's promise has settled; undefined while it is pending. */
  private settled(program: QuickJSHandle): SandboxOutcome | undefined {
    const state = this.vm.getPromiseState(program);
    if (state.type === 'fulfilled') {
      const json = resultJson(this.vm, this.serialize as QuickJSHandle, state.value, this.limits);
      state.value.dispose();
      return json.ok ? this.finish(json) : this.fault(json.error);
    }
    if (state.type === 'rejected') return this.thrown(state.error);
    return undefined;
  }

  /** Waits until a host call settles (true), or the wall time runs out or the run is cancelled (false). */
  private async nextSettledCall(): Promise<boolean> {
    const left = this.wallDeadline - performance.now();
    const woke = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, left));
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      if (this.abort.signal.aborted) {
        clearTimeout(timer);
        resolve(false);
      }
    });
    this.wake = undefined;
    return woke;
  }

  /**
   * A fault of the engine itself: the host's stack ran out under the engine's recursion, or memory ran out while
   * the host read a value. Its instance is not reused.
   */
  engineFailure(error: unknown): SandboxOutcome {
    this.engineFault = true;
    const stack = error instanceof RangeError && /call stack/i.test(error.message);
    return this.finish({
      ok: false,
      error: stack
        ? "The program recursed too deeply (the sandbox's stack limit) and was stopped."
        : `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  /** Cancels host calls still in flight and frees the run's handles, context and runtime. */
  dispose(): void {
    this.abort.abort();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.disposed = true;
    this.program?.dispose();
    this.serialize?.dispose();
    this.callFn.dispose();
    this.logFn.dispose();
    if (this.engineFault) {
      // QuickJS can leave objects behind after a stack overflow or a failed allocation, and freeing such a runtime
      // aborts the whole WebAssembly instance: this instance is dropped instead (its memory goes with it), and the
      // next run gets a fresh one.
      discardModule(this.module);
    } else {
      try {
        this.vm.dispose();
        this.runtime.dispose();
      } catch {
        // Freeing failed (an object QuickJS did not release): the instance aborted and cannot serve another run.
        discardModule(this.module);
      }
    }
  }
}

/** Errors after which the engine's runtime is not freed but its whole instance dropped. */
const ENGINE_FAULT = /stack overflow|Maximum call stack|more memory than it may|CPU time|out of memory|interrupted/i;

/** Forgets `module` so that the next run loads a fresh instance. */
function discardModule(module: QuickJSWASMModule): void {
  void modulePromise?.then((current) => {
    if (current === module) modulePromise = undefined;
  });
}

/** The program's result as JSON text (serialized by the bridge's own `JSON.stringify`), or why it cannot be taken out. */
function resultJson(
  vm: QuickJSContext,
  serialize: QuickJSHandle,
  value: QuickJSHandle,
  limits: SandboxLimits,
): { ok: true; json: string } | { ok: false; error: string } {
  if (vm.typeof(value) === 'undefined') return { ok: true, json: 'null' };
  {
    const text = vm.callFunction(serialize, vm.undefined, value);
    if (text.error !== undefined) {
      const error = describe(vm, text.error, undefined);
      text.error.dispose();
      return { ok: false, error: `The program's result is not JSON: ${error}` };
    }
    const out = text.value;
    try {
      if (vm.typeof(out) !== 'string')
        return { ok: false, error: "The program's result is not a JSON value (a function, symbol or undefined)" };
      const length = vm.getProp(out, 'length').consume((handle) => vm.getNumber(handle));
      if (length > limits.maxResultChars) {
        return {
          ok: false,
          error: `The program's result is ${length} characters of JSON, more than the ${limits.maxResultChars} it may return: return a summary (totals, counts, the first items).`,
        };
      }
      return { ok: true, json: vm.getString(out) };
    } finally {
      out.dispose();
    }
  }
}

/** A thrown value as a message: the limit that stopped the run, or the program's own error. */
function describe(vm: QuickJSContext, error: QuickJSHandle, stop: string | undefined): string {
  if (stop !== undefined) return stop;
  let text: string;
  try {
    const dumped: unknown = vm.dump(error);
    // Out of memory, QuickJS cannot even build its InternalError and throws null (a program's own `throw null` reads
    // the same: rare enough to accept).
    if (dumped === null) return 'The program used more memory than it may and was stopped. Keep less data at once.';
    if (dumped !== null && typeof dumped === 'object' && 'message' in dumped) {
      const { name, message } = dumped as { name?: unknown; message?: unknown };
      text = `${typeof name === 'string' ? name : 'Error'}: ${String(message)}`;
    } else text = `Uncaught ${typeof dumped === 'string' ? dumped : (JSON.stringify(dumped) ?? String(dumped))}`;
  } catch {
    text = 'Uncaught exception';
  }
  if (/out of memory/i.test(text))
    return 'The program used more memory than it may and was stopped. Keep less data at once.';
  if (/stack overflow|Maximum call stack size exceeded/i.test(text))
    return `${text} (the sandbox's stack limit: recursion too deep)`;
  if (/could not load module/i.test(text))
    return `${text}: modules cannot be imported here; only \`api\` and \`console\` are available.`;
  const host = /^ReferenceError: (.*)$/.exec(text);
  if (host !== null && HOST_NAMES.test(host[1] as string)) {
    return `${text}: the sandbox has no host access (no process, require, modules, files, network or timers); only \`api\` and \`console\` are available.`;
  }
  return text;
}
