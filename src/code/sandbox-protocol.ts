/**
 * What code mode's sandbox and its users share: the limits of a run, the host call a program's `api` methods make,
 * how a run ends, and the messages between the server's thread and a sandbox worker thread (sandbox.ts and
 * sandbox-worker.ts). Kept apart from the engine so that the server's thread never loads QuickJS itself.
 */

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

/** Server thread → worker. */
export type ToWorker =
  | { type: 'run'; js: string; names: readonly string[]; limits: SandboxLimits }
  /** The answer to the worker's call `id`: its JSON text, the program's error, or a {@link StopProgram}. */
  | { type: 'answer'; id: number; text?: string; error?: string; stop?: string }
  | { type: 'cancel' };

/** Worker → server thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'call'; id: number; name: string; argsJson: string }
  /**
   * The engine has nothing to run until a call is answered: its CPU time stops counting — unless answers beyond the
   * `received` ones (counted from the run's start) are already on their way.
   */
  | { type: 'wait'; received: number }
  | { type: 'done'; outcome: SandboxOutcome };
