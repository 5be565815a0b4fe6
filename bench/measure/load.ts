/**
 * Many concurrent HTTP clients (issue 14: 1,000 for 60 s): each its own MCP session on its own keep-alive
 * connection (B4B sessions log in first), all in a closed loop for the whole window. Every answer is checked
 * (check.ts: its id, no error, the data its request asked for); latency is timed around each call; the
 * server's RSS is sampled every 250 ms (peak) and read before and after. Opening the sessions is not counted.
 *
 * One process holds all the client sockets, so it needs a file-descriptor limit above the client count: it
 * is read from /proc/self/limits and the run refuses to start below it rather than report refused sockets as
 * server errors.
 */
import { readFileSync } from 'node:fs';
import { Tally, type TallyCounts } from '../check.js';
import { readRssBytes } from '../proc.js';
import { summarize } from '../stats.js';
import type { LoadTarget } from '../targets.js';

/** What the load run measured. */
export interface LoadResult {
  backend: string;
  server: string;
  clients: number;
  /** The closed-loop window, ms. */
  durationMs: number;
  /** Time to open (and sign in) every session before the window, ms. */
  openMs: number;
  /** Calls answered, correct or not. */
  calls: number;
  /** Correct answers per second. */
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  outcomes: TallyCounts;
  rssBeforeBytes: number | null;
  rssPeakBytes: number | null;
  rssAfterBytes: number | null;
  /** The load generator's open-file limit (soft), when readable. */
  fdLimit: number | null;
  /** The connection cap the server was started with (null: none configured). */
  connectionCap: number | null;
}

/** Calls of a load run that failed (everything but correct answers and mismatched ones). */
export function loadErrors(load: LoadResult): number {
  const c = load.outcomes;
  return c.rpcErrors + c.toolErrors + c.httpErrors + c.timeouts + c.transportErrors;
}

/** The soft "Max open files" limit of this process, or null off Linux. */
function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match?.[1] === undefined) return null;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return null;
  }
}

/** Runs `clients` closed-loop clients against `target` for `durationMs`. */
export async function measureLoad(
  target: LoadTarget,
  backend: string,
  clients: number,
  durationMs: number,
  connectionCap: number | null,
): Promise<LoadResult> {
  const fdLimit = openFileLimit();
  // Each client holds one socket; leave room for the process's own files.
  if (fdLimit !== null && fdLimit < clients + 64) {
    throw new Error(
      `the open-file limit (${fdLimit}) is too low for ${clients} clients: raise it (ulimit -n ${clients + 256}) before the run`,
    );
  }
  const pid = target.pid;
  const rssBeforeBytes = pid === undefined ? null : readRssBytes(pid);
  const openStarted = performance.now();
  const opened = await target.open(clients);
  const openMs = performance.now() - openStarted;
  const tally = new Tally();
  const samples: number[] = [];
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => {
    const rss = pid === undefined ? null : readRssBytes(pid);
    if (rss !== null && (rssPeakBytes === null || rss > rssPeakBytes)) rssPeakBytes = rss;
  }, 250);
  const started = performance.now();
  const deadline = started + durationMs;
  let elapsed: number;
  try {
    await Promise.all(
      opened.clients.map(async (client) => {
        while (performance.now() < deadline) {
          const callStarted = performance.now();
          const outcome = await client.call();
          samples.push(performance.now() - callStarted);
          tally.add(outcome);
        }
      }),
    );
  } finally {
    elapsed = performance.now() - started;
    clearInterval(sampler);
    tally.addStrays(opened.strays());
    await opened.close();
  }
  const rssAfterBytes = pid === undefined ? null : readRssBytes(pid);
  const summary = summarize(samples);
  const outcomes = tally.snapshot();
  return {
    backend,
    server: target.server,
    clients,
    durationMs: elapsed,
    openMs,
    calls: samples.length,
    callsPerSec: (outcomes.ok * 1000) / elapsed,
    p50Ms: summary.median,
    p99Ms: summary.p99,
    maxMs: summary.max,
    outcomes,
    rssBeforeBytes,
    rssPeakBytes,
    rssAfterBytes,
    fdLimit: fdLimit === Number.POSITIVE_INFINITY ? null : fdLimit,
    connectionCap,
  };
}
