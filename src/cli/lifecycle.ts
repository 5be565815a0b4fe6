/**
 * When `finmcp serve` ends. MCP 2025-11-25, Basic / Lifecycle, "Shutdown" › stdio: the client closes the server's
 * input stream, waits for the server to exit, then sends SIGTERM, then SIGKILL. So the process stops when
 * - its stdio input ends (the transport reports it through `ended`);
 * - it gets SIGTERM, SIGINT or SIGHUP (a second signal while stopping exits at once);
 * - (stdio) its parent is gone: the client died without closing the pipe, or a wrapper in between (`npx`, `sh`)
 *   was killed and this process was re-parented. Nobody is left to talk to.
 * Stopping closes everything started (servers, sandbox); if closing takes longer than `deadlineMs` the process
 * exits anyway. Child processes (Prism) are killed by their own exit hook when this process exits.
 */
import type { Logger } from '../log.js';

/** Options of {@link exitWhenStopped}. */
export interface LifecycleOptions {
  logger: Logger;
  /** Settles when the server stopped by itself (stdio: the input ended). */
  ended?: Promise<void>;
  /** Exit when the parent process is gone (stdio). */
  watchParent?: boolean;
  /** Longest time closing may take before the process exits anyway. */
  deadlineMs: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
/** How often the parent is checked; `process.ppid` is one cheap system call. */
const PARENT_CHECK_MS = 500;

/** Arranges for `close` to run, then the process to exit, on whichever stop reason comes first. */
export function exitWhenStopped(close: () => Promise<void>, options: LifecycleOptions): void {
  const { logger } = options;
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.warn({ deadlineMs: options.deadlineMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, options.deadlineMs);
    deadline.unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      // A second signal means "now": the user or a supervisor is done waiting.
      if (stopping) process.exit(1);
      stop(signal);
    });
  }
  options.ended?.then(
    () => stop('input ended'),
    () => stop('input failed'),
  );
  if (options.watchParent === true) {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) stop('parent process exited');
    }, PARENT_CHECK_MS);
    timer.unref();
  }
}
