/**
 * `finmcp serve` ends with its client and leaves no process behind (MCP 2025-11-25, Basic / Lifecycle, "Shutdown"
 * › stdio: the client closes the server's input, then waits for it to exit). Spawned the ways users start it:
 * `npx finmcp` from the repository (npm exec → sh → bin/finmcp.js → Prism children) and `npm start`. The process
 * tree is read from /proc before stopping, so re-parented survivors are still found. Limits are generous (a loaded
 * machine); the measured times are printed, not asserted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { eventually, isPortFree } from '../helpers/ports.js';
import { descendants, readProcess, stillRunning, waitUntilGone, type ProcessInfo } from '../helpers/process-tree.js';

const START_LIMIT_MS = 90_000;
const EXIT_LIMIT_MS = 20_000;

const spawned: ChildProcessWithoutNullStreams[] = [];
/** Trees read before stopping: their re-parented survivors are no longer descendants of anything we spawned. */
const trees: ProcessInfo[][] = [];
afterEach(() => {
  // A failed test must not leave its tree running: kill whatever is left of it.
  for (const p of trees.splice(0).flat()) if (stillRunning(p)) safeKill(p.pid);
  for (const child of spawned.splice(0)) {
    if (child.pid === undefined) continue;
    for (const p of descendants(child.pid)) safeKill(p.pid);
    safeKill(child.pid);
  }
});

function safeKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function start(command: string, args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, {
    cwd: projectRoot(),
    env: { ...process.env, FINMCP_LOG_LEVEL: 'info', NO_COLOR: '1', ...env },
    stdio: 'pipe',
  });
  spawned.push(child);
  return child;
}

/** Resolves with the first line of `stream` that matches, or rejects after the limit. */
function lineMatching(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream });
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${START_LIMIT_MS} ms`)),
      START_LIMIT_MS,
    );
    lines.on('line', (line) => {
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
  });
}

/** Waits until the tree under `root` runs `count` Prism processes; returns the whole tree, `root` included. */
async function treeWithPrism(root: number, count: number): Promise<ProcessInfo[]> {
  const ready = await eventually(
    () => descendants(root).filter((p) => p.cmdline.includes('prism')).length >= count,
    START_LIMIT_MS,
  );
  expect(ready, 'the sandbox started its Prism mocks').toBe(true);
  const tree = [readProcess(root)!, ...descendants(root)];
  trees.push(tree);
  return tree;
}

/** Sends `initialize` over stdio and waits for its answer (the server is serving). */
async function initialize(child: ChildProcessWithoutNullStreams): Promise<void> {
  const answer = lineMatching(child.stdout, /"id":1/);
  child.stdin.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lifecycle-test', version: '1' } } })}\n`,
  );
  expect(await answer).toContain('"result"');
}

const npxStdio = (backend: string): ChildProcessWithoutNullStreams =>
  start('npx', ['finmcp', 'serve', backend, '--transport', 'stdio', '--sandbox']);

describe('stdio through `npx finmcp`', () => {
  it('exits with every process of its own when the client closes its input', async () => {
    const child = npxStdio('finopps');
    await initialize(child);
    const tree = await treeWithPrism(child.pid!, 1);
    child.stdin.end();
    const { survivors, elapsedMs } = await waitUntilGone(tree, EXIT_LIMIT_MS);
    console.info(`stdio (npx finmcp serve finopps): every process gone ${elapsedMs} ms after stdin closed`);
    expect(survivors.map((p) => p.cmdline)).toEqual([]);
  }, 180_000);

  it('exits with every process of its own when the client gives up and kills npx (SIGTERM), input still open', async () => {
    const child = npxStdio('b4b');
    await initialize(child);
    const tree = await treeWithPrism(child.pid!, 1);
    child.kill('SIGTERM');
    const { survivors, elapsedMs } = await waitUntilGone(tree, EXIT_LIMIT_MS);
    console.info(`stdio (npx finmcp serve b4b): every process gone ${elapsedMs} ms after SIGTERM to npx`);
    expect(survivors.map((p) => p.cmdline)).toEqual([]);
  }, 180_000);
});

describe('stdio run directly', () => {
  it.each(['SIGINT', 'SIGHUP', 'SIGTERM'] as const)(
    'exits with its Prism child on %s',
    async (signal) => {
      const child = start(process.execPath, ['bin/finmcp.js', 'serve', 'b4b', '--transport', 'stdio', '--sandbox']);
      await initialize(child);
      const tree = await treeWithPrism(child.pid!, 1);
      child.kill(signal);
      const { survivors } = await waitUntilGone(tree, EXIT_LIMIT_MS);
      expect(survivors.map((p) => p.cmdline)).toEqual([]);
    },
    180_000,
  );
});

describe('`npm start`', () => {
  it('stops the HTTP server and its Prism children when npm gets SIGTERM', async () => {
    const child = start('npm', ['start'], { FINMCP_PORT: '0', FINMCP_SANDBOX_AUTH_PORT: '0' });
    const serving = await lineMatching(child.stderr, /"msg":"serving"/);
    const port = Number(/"url":"http:\/\/[^"]+:(\d+)"/.exec(serving)?.[1]);
    expect(port).toBeGreaterThan(0);
    const tree = await treeWithPrism(child.pid!, 2);
    child.kill('SIGTERM');
    const { survivors, elapsedMs } = await waitUntilGone(tree, EXIT_LIMIT_MS);
    console.info(`npm start: every process gone ${elapsedMs} ms after SIGTERM to npm`);
    expect(survivors.map((p) => p.cmdline)).toEqual([]);
    expect(await isPortFree(port)).toBe(true);
  }, 180_000);
});
