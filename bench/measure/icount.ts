/**
 * Instructions per call (issue 27): a server run under Valgrind's callgrind with instrumentation off, warmed up
 * with unrecorded calls, then instrumentation on (`callgrind_control -i on`) for a fixed number of calls and the
 * count dumped. Unlike CPU time, the count of executed instructions hardly moves with the load other processes put
 * on the machine (no cache or scheduler effects; kernel time is not in it), so an A/B of a change or a ratio to
 * the reference can be read from one run on a busy machine. Slow (the process runs tens of times slower), so it is
 * asked for explicitly (BENCH_ICOUNT=1 with `--only ratio`); BENCH_ICOUNT_KEEP=<dir> keeps the callgrind files
 * (for `callgrind_annotate`).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Outcome } from '../check.js';
import type { LaunchSpec } from '../clients/mcp-stdio.js';
import type { LoadTarget, OpenedClients } from '../targets.js';

const run = promisify(execFile);

/**
 * finmcp's HTTP timeouts for a process running under callgrind. Its defaults (10 s for the headers, 60 s for the
 * request, both counted from the connection's accept until its first request is parsed; 5 s idle keep-alive) are
 * made for a server at full speed: under callgrind it runs 50–100× slower, and several hundred times slower on a
 * loaded machine, so one turn of its event loop with 16 calls in flight can outlast them. Node then answers 408
 * and closes (`read ECONNRESET` on the client while sessions open) or closes idle connections between the warm-up
 * and the counted calls (reconnections counted as calls' work). The reference server (Node's own defaults,
 * keep-alive 120 s) ignores these names. The server's defaults stay untouched: only the counted launch gets these.
 */
const CALLGRIND_SERVER_ENV: Readonly<Record<string, string>> = Object.freeze({
  FINMCP_HEADERS_TIMEOUT_MS: '3600000',
  FINMCP_REQUEST_TIMEOUT_MS: '3600000',
  FINMCP_KEEP_ALIVE_TIMEOUT_MS: '3600000',
});

/**
 * A launch of the same server under callgrind, instrumentation off until asked, dumping into `dir`; with
 * `perThread`, one dump per thread, so that a count can tell the main (JavaScript) thread's instructions from those
 * of V8's background threads (optimizing compiler, GC helpers), whose amount varies from run to run.
 */
export function callgrindLaunch(launch: LaunchSpec, dir: string, perThread = false): LaunchSpec {
  return {
    ...launch,
    env: { ...launch.env, ...CALLGRIND_SERVER_ENV },
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      '--instr-atstart=no',
      ...(perThread ? ['--separate-threads=yes'] : []),
      `--callgrind-out-file=${join(dir, 'callgrind.%p')}`,
      launch.command,
      ...launch.args,
    ],
  };
}

/** A fresh folder for one count. */
export function icountDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'finmcp-bench-icount-'));
}

/** `calls` calls spread over the opened clients; the outcomes that were not ok, counted. */
async function callsOn(opened: OpenedClients, calls: number): Promise<number> {
  let left = calls;
  let failed = 0;
  await Promise.all(
    opened.clients.map(async (client) => {
      while (left > 0) {
        left -= 1;
        const outcome: Outcome = await client.call();
        if (outcome.kind !== 'ok') failed += 1;
      }
    }),
  );
  return failed;
}

/** The result of one count. */
export interface IcountResult {
  calls: number;
  /** Instructions executed by the server process (all its threads) while the counted calls ran, per call. */
  instructionsPerCall: number;
  /** Those of its main thread alone, per call (a launch with `perThread` only). */
  mainThreadPerCall?: number;
  failed: number;
}

/**
 * Opens `clients` clients of `target` (on a server started with {@link callgrindLaunch} into `dir`, process `pid`),
 * warms the server up with `warmup` calls on them, then counts the instructions of `calls` more on the same clients.
 */
export async function countInstructions(
  target: LoadTarget,
  pid: number,
  dir: string,
  options: { clients: number; warmup: number; calls: number; keepAs?: string },
): Promise<IcountResult> {
  // The clients (sessions, connections) are opened before the count and closed after it: only calls are counted.
  const opened = await target.open(options.clients);
  let failed: number;
  try {
    await callsOn(opened, options.warmup);
    // Zeroed first: a second count on the same process starts from nothing.
    await run('callgrind_control', ['-z', String(pid)]);
    await run('callgrind_control', ['-i', 'on', String(pid)]);
    failed = await callsOn(opened, options.calls);
    await run('callgrind_control', ['-i', 'off', String(pid)]);
    await run('callgrind_control', ['-d', String(pid)]);
  } finally {
    await opened.close();
  }
  // `callgrind.<pid>.<dump>`, or with one dump per thread `callgrind.<pid>.<dump>-<thread>` (the main thread: 01).
  const dumps = (await readdir(dir)).filter((name) => /^callgrind\.\d+\.\d+(-\d+)?$/.test(name));
  let total = 0;
  let main: number | undefined;
  for (const name of dumps) {
    const text = await readFile(join(dir, name), 'utf8');
    const totals = /^totals: (\d+)/m.exec(text);
    total += Number(totals?.[1] ?? 0);
    if (name.endsWith('-01')) main = (main ?? 0) + Number(totals?.[1] ?? 0);
  }
  const keep = process.env.BENCH_ICOUNT_KEEP;
  if (keep !== undefined && keep !== '' && options.keepAs !== undefined)
    for (const name of dumps) await copyFile(join(dir, name), join(keep, `${options.keepAs}.${name}`));
  // Each dump holds what was counted since the previous one: removed once read, the next count starts clean.
  await Promise.all(dumps.map((name) => rm(join(dir, name), { force: true })));
  return {
    calls: options.calls,
    instructionsPerCall: total / options.calls,
    ...(main === undefined ? {} : { mainThreadPerCall: main / options.calls }),
    failed,
  };
}

/** Removes a count's folder (after its server has exited). */
export async function removeIcountDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
