/**
 * Runs Stoplight Prism (the `@stainless-api/prism-cli` fork) on an OpenAPI 3.1 contract as a child process:
 * - `prism mock`: answers each operation with the first named example of its first 2xx response
 *   (OpenAPI 3.1 §4.8.17 Responses Object, §4.8.19 Example Object), or schema-generated data when dynamic;
 *   requests are validated against the contract (parameters, bodies, security presence: §4.8.12, §4.8.30) and
 *   refused with the spec's 422/401 responses.
 * - `prism proxy`: forwards to a real upstream and validates both the request and the upstream's response.
 *
 * Used by `finmcp mock`, `serve --sandbox`, `verify` and the tests. Prism's own output goes to the logger at
 * debug level, never to stdout (stdio transports own stdout). The child never outlives us: it is killed on
 * our exit, and a preloaded watchdog makes it exit if we die without running exit handlers (SIGKILL, crash).
 * A spec whose references unfold into more than Prism reads in reasonable time is handed over as a prepared copy
 * (prism-spec.ts, made in a child process by prism-prepare.ts); the start limit covers that preparation too.
 * Prism is a Node program and the watchdog a Node `--import`: under Deno or Bun, whose executables would ignore it
 * (their Prism children outlived them), the child is the `node` on PATH, and without one the mock refuses to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SETTINGS, Settings } from '../config.js';
import type { Logger } from '../log.js';
import { onNode } from '../runtime.js';
import { findFreePort } from '../free-port.js';
import { projectRoot } from '../paths.js';
import type { PrismSpec } from './prism-spec.js';

/** Options shared by {@link startPrism} and {@link startPrismProxy}. */
interface PrismCommonOptions {
  /** OpenAPI document to serve (absolute, or relative to the working directory). */
  specFile: string;
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Turn request/response violations into error responses (Prism `--errors`). Default false. */
  errors?: boolean;
  /** Receives Prism's own output at debug level. Without one, the output is discarded. */
  logger?: Logger;
  /**
   * How long to wait for Prism to answer HTTP. Default: FINMCP_SANDBOX_START_TIMEOUT_MS as set for this process, else
   * the settings table's 30 s (Prism takes seconds to start on 2 cores).
   */
  startTimeoutMs?: number;
  /** Gives up starting (stops the child and rejects), e.g. when the server stops before its sandbox is up. */
  signal?: AbortSignal;
}

/** Options of {@link startPrism}. */
export interface PrismMockOptions extends PrismCommonOptions {
  /** Generate responses from the schemas instead of serving the static examples. Default false. */
  dynamic?: boolean;
}

/** Options of {@link startPrismProxy}. */
export interface PrismProxyOptions extends PrismCommonOptions {
  /** The real backend every request is forwarded to, e.g. `http://127.0.0.1:8080/v1`. */
  upstreamUrl: string;
  /** Refuse requests that break the contract before they reach the upstream. Default true. */
  validateRequest?: boolean;
}

/** A running Prism. */
export interface PrismServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Process id of the Prism child (for diagnostics and tests). */
  pid: number;
  /** Stops Prism: SIGTERM, then SIGKILL after 3 s. Resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const KILL_AFTER_MS = 3_000;
const PROBE_TIMEOUT_MS = 1_000;
const PROBE_INTERVAL_MS = 200;
/** A free port can be taken by someone else before Prism binds it; picking again is then enough. */
const PORT_ATTEMPTS = 3;
const OUTPUT_TAIL_LINES = 20;

/** Children still running, killed synchronously if this process exits first. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Node arguments that preload a watchdog into a child Node process: the child exits as soon as its parent
 * is gone (it gets re-parented, so `process.ppid` changes). This covers deaths that run no exit handler.
 * The parent's pid is baked in rather than read by the child, in case the parent dies before the child starts.
 */
export function parentWatchdogArgs(parentPid: number = process.pid): string[] {
  const code =
    `const parent = ${Math.trunc(parentPid)};` +
    'const check = () => { if (process.ppid !== parent) process.exit(0); };' +
    'check(); setInterval(check, 500).unref();';
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`];
}

/** The Node that runs Prism: this process's own executable on Node, else the `node` on PATH (see the header). */
function nodeExecutable(): string {
  return onNode() ? process.execPath : 'node';
}

/** Path of the Prism CLI entry point, resolved from this module so it works from src/, dist/ and global installs. */
export function resolvePrismBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@stainless-api/prism-cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['prism'];
  if (bin === undefined) throw new Error('Prism: @stainless-api/prism-cli declares no "prism" bin');
  return join(dirname(manifestPath), bin);
}

/** Starts `prism mock` on a spec and resolves once it answers HTTP. */
export async function startPrism(options: PrismMockOptions): Promise<PrismServer> {
  return launch('mock', [], options.dynamic === true ? ['--dynamic'] : [], options);
}

/** Starts `prism proxy` (validating proxy in front of `upstreamUrl`) and resolves once it answers HTTP. */
export async function startPrismProxy(options: PrismProxyOptions): Promise<PrismServer> {
  const upstream = new URL(options.upstreamUrl); // throws on a malformed URL before anything is spawned
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new Error(`Prism: upstreamUrl must be http or https, got ${upstream.protocol}`);
  }
  const flags = [options.validateRequest === false ? '--no-validate-request' : '--validate-request'];
  return launch('proxy', [options.upstreamUrl], flags, options);
}

/** The compiled preparation script: next to this module in dist/; from the TypeScript sources (tests), dist/'s copy. */
function prepareScript(): string {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? join(projectRoot(), 'dist', 'src', 'sandbox', 'prism-prepare.js')
    : fileURLToPath(new URL('./prism-prepare.js', here));
}

/** Where prepared copies are kept between starts (keyed by the spec's text, so a changed spec gets a new copy). */
const CACHE_DIR = join(tmpdir(), 'finmcp-prism');

/** The start limit: the caller's, else the process's FINMCP_SANDBOX_START_TIMEOUT_MS, else its default. */
function startLimitMs(options: PrismCommonOptions): number {
  return options.startTimeoutMs ?? new Settings(process.env).read(SETTINGS.sandboxStartTimeoutMs);
}

/** Runs prism-prepare.js on the spec: the file Prism should read (the spec itself, or a prepared copy). */
async function prepareSpec(specFile: string, options: PrismCommonOptions, deadline: number): Promise<PrismSpec> {
  const child = spawn(nodeExecutable(), [...parentWatchdogArgs(), prepareScript(), specFile, CACHE_DIR], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const abort = (): void => {
    child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(abort, Math.max(0, deadline - Date.now()));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  try {
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', (exitCode) => done(exitCode));
    });
    if (options.signal?.aborted === true) throw cancelled(`Prism: preparing ${specFile} cancelled`);
    if (Date.now() >= deadline) {
      throw new Error(
        `Prism: preparing ${specFile} for Prism took longer than the start limit (${startLimitMs(options)} ms, ${SETTINGS.sandboxStartTimeoutMs.env})`,
      );
    }
    if (code !== 0) throw new Error(`Prism: could not read ${specFile}: ${stderr.trim() || `exit ${code}`}`);
    return JSON.parse(stdout) as PrismSpec;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
}

/** Raised when Prism could not bind its port; only then is another port tried. */
class PortInUseError extends Error {}

async function launch(
  command: 'mock' | 'proxy',
  positionals: string[],
  flags: string[],
  options: PrismCommonOptions,
): Promise<PrismServer> {
  const original = resolve(options.specFile);
  if (!existsSync(original)) throw new Error(`Prism: spec file not found: ${original}`);
  // The preparation counts against the start limit.
  const deadline = Date.now() + startLimitMs(options);
  const prepared = await prepareSpec(original, options, deadline);
  if (prepared.depth !== undefined) {
    options.logger?.info(
      { spec: original, copy: prepared.file, depth: prepared.depth },
      `Prism reads a copy of the spec whose references are cut at depth ${prepared.depth}: the spec as written unfolds into more than Prism loads in reasonable time`,
    );
  }
  const specFile = prepared.file;
  const host = options.host ?? DEFAULT_HOST;
  const pickPort = options.port === undefined || options.port === 0;
  const args = [...positionals, ...flags, ...(options.errors === true ? ['--errors'] : [])];
  for (let attempt = 1; ; attempt++) {
    const port = pickPort ? await findFreePort(host) : (options.port as number);
    try {
      return await launchOnce(command, specFile, args, { host, port, deadline }, options);
    } catch (error) {
      if (!(pickPort && error instanceof PortInUseError && attempt < PORT_ATTEMPTS)) throw error;
    }
  }
}

async function launchOnce(
  command: 'mock' | 'proxy',
  specFile: string,
  args: string[],
  { host, port, deadline }: { host: string; port: number; deadline: number },
  options: PrismCommonOptions,
): Promise<PrismServer> {
  const { logger } = options;
  // Prism logs every request at info; below debug nobody would read it, so keep Prism quiet.
  const verbosity = logger?.isLevelEnabled('debug') === true ? 'info' : 'warn';
  const child = spawn(
    nodeExecutable(),
    [
      ...parentWatchdogArgs(),
      resolvePrismBin(),
      command,
      specFile,
      ...args,
      '--port',
      String(port),
      '--host',
      host,
      '--verboseLevel',
      verbosity,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
  );
  track(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const tail = captureOutput(child, command, logger);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= terminate(child));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  for (;;) {
    if (options.signal?.aborted === true) {
      await stop();
      throw cancelled(`Prism ${command} on ${url}: start cancelled`);
    }
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const output = tail.join('\n');
      const reason =
        (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && !onNode()
          ? 'could not start: Prism runs on Node.js with a watchdog that ends it with this process, and no `node` is on PATH (install Node.js, or serve a real backend URL)'
          : (spawnError?.message ?? `exited with ${child.exitCode ?? child.signalCode}`);
      const message = `Prism ${command} on ${url} ${reason} before answering:\n${output}`;
      throw output.includes('EADDRINUSE') ? new PortInUseError(message) : new Error(message);
    }
    if (await answers(host, port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `Prism ${command} did not answer on ${url} within ${startLimitMs(options)} ms:\n${tail.join('\n')}`,
      );
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  logger?.debug({ prism: command, url, pid: child.pid }, 'prism ready');
  return { url, port, pid: child.pid as number, stop };
}

/** The error of a start given up on purpose (DOM `AbortError` naming, as `AbortSignal` users expect). */
export function cancelled(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/** Registers the child for the exit hook and forgets it once it is gone. */
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

/** Forwards Prism's lines to the logger at debug level and keeps the last few for startup errors. */
function captureOutput(child: ChildProcess, command: string, logger: Logger | undefined): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (raw) => {
      // Strip any ANSI colour left despite FORCE_COLOR=0, so log lines stay plain text.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes removed here.
      const line = raw.replace(/\u001b\[[0-9;]*m/g, '').trim();
      if (line === '') return;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      logger?.debug({ prism: command }, line);
    });
  }
  return tail;
}

/** True once anything answers HTTP on host:port (Prism answers unknown paths with 404). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const req = request(
      {
        host,
        port,
        path: '/',
        method: 'GET',
        agent: false,
        timeout: PROBE_TIMEOUT_MS,
        headers: { connection: 'close' },
      },
      (res) => {
        res.resume();
        resolvePromise(true);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(false));
    req.end();
  });
}

/** SIGTERM, SIGKILL after {@link KILL_AFTER_MS}; resolves when the process has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // Not events.once: it would reject on an 'error' event (a failed kill), and we only care about the exit.
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
