/**
 * A real `redis-server` (Debian's package; `.ci/run` installs it) for benchmarks and tests (test/helpers re-exports
 * it): its own free port,
 * its own temporary directory, no persistence unless asked, stopped afterwards. When it cannot start, the
 * error says why and how to fix it — tests that need Redis fail, they are never skipped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep data across {@link RedisServer.restart} (append-only file in the temporary directory). */
  persistent?: boolean;
}

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** Process id while running (for SIGSTOP/SIGCONT in tests of a hung server). */
  readonly pid: number | undefined;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Runs `redis-cli -p <port> …args` and returns its standard output (raw bytes as latin1 text). */
  cli(...args: string[]): Promise<string>;
  /** Stops the server (SIGTERM, waits for exit); the port stays reserved for {@link start}. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (nothing to do while it runs). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/** How to get redis-server, in every failure message. */
const INSTALL_HINT = 'install it with `apt-get install -y redis-server` (.ci/run does this on CI)';

/** Starts redis-server on a free loopback port in a new temporary directory. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'finmcp-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistent === true ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (output.length < 8_000) output += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 8_000) output += chunk.toString();
    });
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new Error(
            error.code === 'ENOENT'
              ? `redis-server is not installed: ${INSTALL_HINT}`
              : `redis-server did not start: ${error.message}`,
          ),
        );
      });
      proc.once('exit', (code, signal) => {
        reject(
          new Error(
            `redis-server exited at start (code ${String(code)}, signal ${String(signal)}): ${output.trim().slice(-600)}`,
          ),
        );
      });
    });
    failed.catch(() => undefined);
    await Promise.race([failed, waitForPing(port, 30_000)]);
    child = proc;
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    get pid(): number | undefined {
      return child?.pid;
    },
    url: `redis://127.0.0.1:${port}`,
    async cli(...cliArgs: string[]): Promise<string> {
      const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), ...cliArgs], {
        encoding: 'latin1',
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout;
    },
    stop,
    start,
    async close(): Promise<void> {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers PING with +PONG; rejects after `timeoutMs`. */
async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One PING over a fresh connection. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
  });
}
