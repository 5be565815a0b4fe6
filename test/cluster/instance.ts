/**
 * One finmcp process of a cluster test: the real CLI (`finmcp serve … --transport http`, spawned by
 * testkit/serve-process.ts), found ready by its `serving` log line, and restartable on the same port so that
 * the load balancer's configuration stays as it is (as a restarted machine keeps its address).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { spawnServe } from '../../testkit/serve-process.js';

/** A finmcp process, running or stopped. */
export interface FinmcpInstance {
  readonly name: string;
  /** The port it listens on (kept across restarts). */
  readonly port: number;
  /** `127.0.0.1:<port>`, as the load balancer names it. */
  readonly address: string;
  /** The current process. */
  readonly process: ChildProcess;
  /** Everything every process of this instance wrote to stderr so far (its logs), restarts included. */
  logs(): string;
  /** Sends `signal` (SIGTERM by default) and waits for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the process again on the same port and waits until it serves. */
  start(): Promise<void>;
}

/** What to run: `finmcp serve <backends…> --transport http` with `env` over this process's environment. */
export interface InstanceOptions {
  name: string;
  backends: string[];
  env: Record<string, string>;
  /** Extra CLI arguments. */
  args?: string[];
}

/** Starts an instance on a port the OS picks, and keeps that port for its restarts. */
export async function startFinmcpInstance(options: InstanceOptions): Promise<FinmcpInstance> {
  let logs = '';
  let child: { process: ChildProcess; port: number } | undefined;
  // `--port 0`: the CLI picks a free port and binds it a moment later; a parallel test taking it in between is retried.
  for (let attempt = 1; child === undefined; attempt++) {
    try {
      child = await spawnServing(options, 0, (text) => (logs += text));
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
    }
  }
  const port = child.port;
  let current = child.process;
  return {
    name: options.name,
    port,
    address: `127.0.0.1:${port}`,
    get process(): ChildProcess {
      return current;
    },
    logs: () => logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
      if (current.exitCode !== null || current.signalCode !== null) return current.exitCode;
      const exited = once(current, 'exit') as Promise<[number | null]>;
      current.kill(signal);
      return (await exited)[0];
    },
    async start(): Promise<void> {
      if (current.exitCode === null && current.signalCode === null) return;
      // The port was just released; another process taking it in between is retried for a while, then reported.
      for (let attempt = 1; ; attempt++) {
        try {
          child = await spawnServing(options, port, (text) => (logs += text));
          current = child.process;
          return;
        } catch (error) {
          if (attempt >= 10 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
  };
}

/** Spawns the CLI on `port` and resolves once its `serving` log line names where it listens. */
async function spawnServing(
  options: InstanceOptions,
  port: number,
  log: (text: string) => void,
): Promise<{ process: ChildProcess; port: number }> {
  const server = spawnServe({
    backends: options.backends,
    args: ['--transport', 'http', '--port', String(port), ...(options.args ?? [])],
    env: { FINMCP_LOG_LEVEL: 'info', ...options.env },
    onLine: (line) => log(`${line}\n`),
  });
  const listening = await server
    .waitForLine((line) => /"listening":"(http:\/\/[^"]+)"/.exec(line)?.[1], 180_000)
    .catch((error: Error) => {
      throw new Error(`instance ${options.name}: ${error.message}`);
    });
  return { process: server.child, port: Number(new URL(listening).port) };
}
