/**
 * `finmcp serve …` as a user starts it: the real CLI (`node bin/finmcp.js`, which runs dist/: `npm run build`
 * first) in a child process, its output read line by line. One spawner for the tests (the cluster's instances,
 * the printed hints) and the fuzzer, so each says only what it serves and what "ready" means to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';

/** What to run: `finmcp serve <backends…> <args…>`. */
export interface ServeOptions {
  backends: readonly string[];
  /** The flags after the backends (`--transport http`, `--sandbox`, `--port 0`, …). */
  args: readonly string[];
  /** Set over `baseEnv`. */
  env?: Record<string, string>;
  /** The environment the child starts from; this process's by default. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Each line the server writes (stderr: its logs and the connection help; stdout: anything else). */
  onLine?: (line: string) => void;
}

/** A running (or exited) `finmcp serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The last lines it wrote (at most 3,000 characters), for error messages. */
  output(): string;
  /** Why it exited, once it has. */
  exit(): string | undefined;
  /**
   * The first line written from now on that `match` returns a value for (called right after {@link spawnServe}, it
   * sees every line); fails when the process exits first or `limitMs` passes.
   */
  waitForLine<T>(match: (line: string) => T | undefined, limitMs: number): Promise<T>;
  /** SIGTERM (SIGKILL after 15 s) and the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The command line of `finmcp <args…>`: Node and the CLI's entry in the clone. */
export function finmcpCommand(...args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [join(projectRoot(), 'bin', 'finmcp.js'), ...args] };
}

/** Starts `finmcp serve` in the clone; see {@link ServeOptions}. */
export function spawnServe(options: ServeOptions): ServeProcess {
  const { command, args } = finmcpCommand('serve', ...options.backends, ...options.args);
  const child = spawn(command, args, {
    cwd: projectRoot(),
    env: { ...(options.baseEnv ?? process.env), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters = new Set<(line: string) => void>();
  let tail = '';
  const onLine = (line: string): void => {
    tail = `${tail}\n${line}`.slice(-3000);
    options.onLine?.(line);
    for (const waiter of waiters) waiter(line);
  };
  child.stdout?.on('data', lineReader(onLine));
  child.stderr?.on('data', lineReader(onLine));
  let exitInfo: string | undefined;
  child.once('exit', (code, signal) => {
    exitInfo = `exited with code ${String(code)}${signal === null ? '' : ` (${signal})`}`;
  });
  return {
    child,
    output: () => tail,
    exit: () => exitInfo,
    waitForLine: <T>(match: (line: string) => T | undefined, limitMs: number): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(onEachLine);
          child.off('exit', onExit);
        };
        const onEachLine = (line: string): void => {
          const found = match(line);
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const onExit = (): void => {
          done();
          reject(new Error(`finmcp serve ${exitInfo ?? 'exited'} before it was ready:${tail}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`finmcp serve was not ready within ${limitMs / 1000} s:${tail}`));
        }, limitMs);
        waiters.add(onEachLine);
        child.once('exit', onExit);
        if (exitInfo !== undefined) onExit();
      }),
    stop: async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Calls `onLine` with each complete line of a stream's chunks. */
function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let carry = '';
  return (chunk) => {
    carry += chunk.toString('utf8');
    let newline = carry.indexOf('\n');
    while (newline !== -1) {
      onLine(carry.slice(0, newline));
      carry = carry.slice(newline + 1);
      newline = carry.indexOf('\n');
    }
  };
}
