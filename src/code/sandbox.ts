/**
 * Code mode's sandbox: runs one JavaScript program in QuickJS compiled to WebAssembly (quickjs-emscripten, the
 * release "sync" build), a fresh runtime and context per run, so a program reaches nothing of the host and nothing
 * of another run. The engine has no `process`, `require`, modules, files, network or timers; the only way out is
 * the `api` object, whose methods hand a JSON text to the host (`HostCall`) and get a JSON text back — no host
 * object or function ever enters the sandbox, so polluting a prototype in there changes nothing out here.
 *
 * Limits, each ending the run with a message naming it: CPU time spent inside the engine (its interrupt handler),
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
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';

/** The limits of one run. */
export interface SandboxLimits {
  /** CPU time the program may spend running (not waiting for API calls). */
  cpuMs: number;
  /** Wall time of the whole run, API calls included. */
  wallMs: number;
  /** Memory the engine may allocate. */
  memoryBytes: number;
  /** Stack the engine may use (bounds recursion). */
  stackBytes: number;
  /** API calls one run may make. */
  maxCalls: number;
  /** `console` lines kept; later ones are counted, not kept. */
  maxLogLines: number;
  /** Longest program result text taken out of the engine, in characters. */
  maxResultChars: number;
}

/**
 * Runs one API call for the program: the method name and its arguments as JSON text; resolves with the result's
 * JSON text, rejects with an Error whose message the program sees (as an Error thrown by `await api.x()`).
 */
export type HostCall = (name: string, argsJson: string, signal: AbortSignal) => Promise<string>;

/** How a run ended. */
export type SandboxOutcome =
  | {
      ok: true /** The program's return value as JSON text (`null` for undefined). */;
      json: string;
      logs: string[];
      calls: number;
      cpuMs: number;
    }
  | { ok: false; error: string; logs: string[]; calls: number; cpuMs: number };

/** Thrown by a host call to end the whole run at once (not catchable by the program), e.g. a pending confirmation. */
export class StopProgram extends Error {
  override readonly name = 'StopProgram';
}

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
 * methods `names`.
 */
export async function runInSandbox(
  js: string,
  names: readonly string[],
  call: HostCall,
  limits: SandboxLimits,
  signal?: AbortSignal,
): Promise<SandboxOutcome> {
  const module = await quickJs();
  const started = performance.now();
  const wallDeadline = started + limits.wallMs;
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.stackBytes);
  let cpuUsed = 0;
  /** When the current stretch of engine work must end; set by `inEngine` before every entry. */
  let sliceDeadline = Number.POSITIVE_INFINITY;
  let stop: string | undefined;
  runtime.setInterruptHandler(() => {
    if (stop !== undefined) return true;
    if (performance.now() > sliceDeadline) {
      stop = `The program used more than its ${limits.cpuMs} ms of CPU time and was stopped (an endless loop?). Do less work per run.`;
      return true;
    }
    return false;
  });
  // No typed arrays: their buffers are allocated outside the runtime's memory limit in this build (measured: 100 MB
  // of Uint8Array under an 8 MB limit), and finance programs have no use for them.
  const vm = runtime.newContext({ intrinsics: { ...DefaultIntrinsics, TypedArrays: false } });
  const logs: string[] = [];
  let droppedLines = 0;
  let calls = 0;
  /** Host calls not yet settled, and a way to wake the loop when one settles. */
  let outstanding = 0;
  let wake: (() => void) | undefined;
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let disposed = false;

  /** Runs engine work inside the CPU budget. */
  const inEngine = <T>(work: () => T): T => {
    const t0 = performance.now();
    sliceDeadline = t0 + Math.max(0, limits.cpuMs - cpuUsed);
    try {
      return work();
    } finally {
      cpuUsed += performance.now() - t0;
    }
  };

  const finish = (outcome: { ok: true; json: string } | { ok: false; error: string }): SandboxOutcome => {
    const kept =
      droppedLines > 0
        ? [...logs, `… ${droppedLines} more console lines not kept (limit ${limits.maxLogLines})`]
        : logs;
    return { ...outcome, logs: kept, calls, cpuMs: Math.round(cpuUsed * 100) / 100 } as SandboxOutcome;
  };

  const logFn = vm.newFunction('log', (line) => {
    if (logs.length < limits.maxLogLines) {
      const text = vm.getString(line);
      logs.push(text.length > 2_000 ? `${text.slice(0, 2_000)}… [${text.length} characters]` : text);
    } else droppedLines++;
  });

  const callFn = vm.newFunction('call', (nameHandle, argsHandle) => {
    const name = vm.getString(nameHandle);
    if (calls >= limits.maxCalls) {
      stop = `The program made more than ${limits.maxCalls} API calls and was stopped. Fetch less, or use filters and larger pages.`;
      return { error: vm.newError(stop) };
    }
    calls++;
    const argsJson = vm.typeof(argsHandle) === 'string' ? vm.getString(argsHandle) : 'null';
    const deferred = vm.newPromise();
    outstanding++;
    call(name, argsJson, abort.signal)
      .then(
        (text) => {
          if (disposed) return;
          const value = vm.newString(text);
          deferred.resolve(value);
          value.dispose();
        },
        (error: unknown) => {
          if (disposed) return;
          if (error instanceof StopProgram) {
            stop ??= error.message;
            deferred.dispose();
            return;
          }
          const err = vm.newError(error instanceof Error ? error.message : String(error));
          deferred.reject(err);
          err.dispose();
        },
      )
      .finally(() => {
        outstanding--;
        deferred.alive && deferred.dispose();
        wake?.();
      });
    return deferred.handle;
  });

  let program: QuickJSHandle | undefined;
  let serialize: QuickJSHandle | undefined;
  /** The engine hit a limit inside its own code (stack, memory): its runtime may not be freed cleanly. */
  let engineFault = false;
  try {
    const bridge = vm.unwrapResult(vm.evalCode(BRIDGE, 'bridge.js'));
    const namesHandle = vm.newArray();
    names.forEach((name, i) => {
      vm.newString(name).consume((handle) => vm.setProp(namesHandle, i, handle));
    });
    serialize = vm.unwrapResult(vm.callFunction(bridge, vm.undefined, callFn, logFn, namesHandle));
    namesHandle.dispose();
    bridge.dispose();
    const fault = (error: string): SandboxOutcome => {
      engineFault = ENGINE_FAULT.test(error);
      return finish({ ok: false, error });
    };

    const evaluated = inEngine(() => vm.evalCode(js, 'program.js', { type: 'global', strict: true }));
    if (evaluated.error !== undefined) {
      const error = describe(vm, evaluated.error, stop);
      evaluated.error.dispose();
      return fault(error);
    }
    program = evaluated.value;
    for (;;) {
      const jobs = inEngine(() => runtime.executePendingJobs());
      if (jobs.error !== undefined) {
        const error = describe(vm, jobs.error, stop);
        jobs.error.dispose();
        return fault(error);
      }
      if (stop !== undefined) return fault(stop);
      const state = vm.getPromiseState(program);
      if (state.type === 'fulfilled') {
        const json = resultJson(vm, serialize, state.value, limits);
        state.value.dispose();
        return json.ok ? finish(json) : fault(json.error);
      }
      if (state.type === 'rejected') {
        const error = describe(vm, state.error, stop);
        state.error.dispose();
        return fault(error);
      }
      if (outstanding === 0) {
        return finish({
          ok: false,
          error:
            'The program is waiting for a promise that nothing will settle (there are no timers or events here): await only `api` calls.',
        });
      }
      const left = wallDeadline - performance.now();
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, left));
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        if (abort.signal.aborted) {
          clearTimeout(timer);
          resolve(false);
        }
      });
      wake = undefined;
      if (signal?.aborted === true) return finish({ ok: false, error: 'The run was cancelled.' });
      if (!woke) {
        return finish({
          ok: false,
          error: `The program ran longer than its ${limits.wallMs} ms of wall time (API calls included) and was stopped.`,
        });
      }
    }
  } catch (error) {
    // A fault of the engine itself: the host's stack ran out under the engine's recursion, or memory ran out while
    // the host read a value. Its instance is not reused.
    engineFault = true;
    const stack = error instanceof RangeError && /call stack/i.test(error.message);
    return finish({
      ok: false,
      error: stack
        ? "The program recursed too deeply (the sandbox's stack limit) and was stopped."
        : `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    abort.abort();
    signal?.removeEventListener('abort', onAbort);
    disposed = true;
    program?.dispose();
    serialize?.dispose();
    callFn.dispose();
    logFn.dispose();
    if (engineFault) {
      // QuickJS can leave objects behind after a stack overflow or a failed allocation, and freeing such a runtime
      // aborts the whole WebAssembly instance: this instance is dropped instead (its memory goes with it), and the
      // next run gets a fresh one.
      discardModule(module);
    } else {
      try {
        vm.dispose();
        runtime.dispose();
      } catch {
        // Freeing failed (an object QuickJS did not release): the instance aborted and cannot serve another run.
        discardModule(module);
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
