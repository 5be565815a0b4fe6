/**
 * What FINMCP_METRICS costs (issue 26: throughput and server CPU per call within 5 % of metrics off): two finmcp
 * HTTP processes against the same stub, one with metrics off and one with them on (never scraped during the run),
 * driven by the same closed-loop client. At each client count, `rounds` pairs of points: by default both sides are
 * loaded at the same time (N clients each), so that whatever else the machine does in that window hits both alike;
 * with `together` off they are loaded one at a time, the order within a pair alternating (off-on, on-off, …). Each
 * pair gives one on ÷ off ratio, summarised by the median ratio with the spread of the ratios beside it (a loaded
 * machine moves single points by far more than 5 %). Beside them, the instructions each side executes for the same
 * calls under callgrind (metrics-run.ts): what the load of other processes does not move, so the target is judged on
 * that figure when it was counted (on a CPU-bound server throughput follows the CPU per call), else on the medians.
 */
import { loadavg } from 'node:os';
import type { TallyCounts } from '../check.js';
import type { LoadTarget } from '../targets.js';
import { type ProfileSummary, renderProfile } from './profile.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';

/** Most that counting every call may cost in throughput or server CPU per call (issue 26). */
const TARGET = 0.05;

/** Sizes of the measurement. */
export interface MetricsCostSizes {
  clients: number[];
  durationMs: number;
  rounds: number;
  /**
   * Unrecorded calls per side and client count before the first pair (the JIT's steady state: on a loaded machine a
   * fixed warm-up time is a few hundred calls, and the rounds after it would still speed up), within `warmupMaxMs`.
   */
  warmupCalls: number;
  warmupMaxMs: number;
  /** Both sides loaded at the same time in each pair (else one after the other, alternating the order). */
  together: boolean;
}

/** One point of one side. */
interface SidePoint {
  callsPerSec: number;
  /** Server CPU ms per answered call (utime+stime of its process over the window). */
  cpuMsPerCall: number | null;
}

/** One client count: every pair, the ratios and their summary. */
export interface MetricsCostLevel {
  clients: number;
  /** The pairs in the order measured; `onFirst`: the metrics-on side ran first (always false when `together`). */
  pairs: Array<{ onFirst: boolean; off: SidePoint; on: SidePoint }>;
  /** Means over the rounds. */
  callsOff: number;
  callsOn: number;
  cpuOff: number | null;
  cpuOn: number | null;
  /** on ÷ off per pair: median, lowest, highest. */
  callsRatio: RatioSummary | null;
  cpuRatio: RatioSummary | null;
  mismatches: number;
  errors: number;
}

export interface RatioSummary {
  median: number;
  min: number;
  max: number;
}

/** What `--only metrics` and the full run record per backend. */
export interface MetricsCostResult {
  backend: string;
  tool: string;
  sizes: MetricsCostSizes;
  /** One-minute load average when the measurement started and ended (other work on the machine). */
  loadAverage: { start: number; end: number };
  levels: MetricsCostLevel[];
  /**
   * `/metrics` of the metrics-on server read after the pairs: the probe tool's calls it counted against the probe
   * calls sent to it (a cheap figure from metrics that counted nothing would show). Null: not readable.
   */
  scrape?: { counted: number; sent: number } | null;
  /** The same point on each side under `node --cpu-prof` (BENCH_METRICS_PROFILE=1). */
  profile?: { off: ProfileSummary; on: ProfileSummary } | { error: string };
  /** Instructions per call of each side under callgrind (plan.metrics.icount). */
  icount?: MetricsIcount | { error: string };
}

/**
 * Instructions per call, metrics off and on, the same calls on each side (counts alternating off, on), of the main
 * thread (where every call runs: the figure judged) and of all threads (V8's background compiler and GC helpers too,
 * whose amount varies between counts of the same code).
 */
export interface MetricsIcount {
  warmup: number;
  calls: number;
  clients: number;
  /** Instructions per call of each side, per count, in the order counted: main thread, and all threads. */
  rounds: Array<{ off: number; on: number; offAll: number; onAll: number }>;
  /** Medians over the counts, main thread. */
  off: number;
  on: number;
  /**
   * Main thread: `median` is the on median ÷ the off median (a full collection falls into a count of one side at a
   * time, so counts are not paired); lowest and highest are those of the per-count ratios, the spread.
   */
  ratio: RatioSummary | null;
  /** The same over all threads. */
  all: { off: number; on: number; ratio: RatioSummary | null };
  /** Calls that did not answer as expected (any: the counts are not comparable). */
  failed: number;
}

const round3 = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;
const errorsOf = (o: TallyCounts): number => o.rpcErrors + o.toolErrors + o.httpErrors + o.timeouts + o.transportErrors;
const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

/** Median, lowest and highest of some ratios (null when there are none). */
export function summarizeRatios(ratios: readonly number[]): RatioSummary | null {
  const sorted = ratios.filter((r) => Number.isFinite(r)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    median: round3(median) as number,
    min: round3(sorted[0] as number) as number,
    max: round3(sorted.at(-1) as number) as number,
  };
}

/** One client count's pairs summarised. */
export function summarizeLevel(
  clients: number,
  pairs: MetricsCostLevel['pairs'],
  outcomes: readonly TallyCounts[] = [],
): MetricsCostLevel {
  const ratios = (pick: (p: SidePoint) => number | null) =>
    summarizeRatios(
      pairs.flatMap((p) => {
        const [off, on] = [pick(p.off), pick(p.on)];
        return off === null || on === null || off === 0 ? [] : [on / off];
      }),
    );
  const cpus = (side: 'off' | 'on') =>
    pairs.flatMap((p) => (p[side].cpuMsPerCall === null ? [] : [p[side].cpuMsPerCall]));
  return {
    clients,
    pairs,
    callsOff: Math.round(mean(pairs.map((p) => p.off.callsPerSec)) ?? 0),
    callsOn: Math.round(mean(pairs.map((p) => p.on.callsPerSec)) ?? 0),
    cpuOff: round3(mean(cpus('off'))),
    cpuOn: round3(mean(cpus('on'))),
    callsRatio: ratios((p) => p.callsPerSec),
    cpuRatio: ratios((p) => p.cpuMsPerCall),
    mismatches: outcomes.reduce((n, o) => n + o.mismatches, 0),
    errors: outcomes.reduce((n, o) => n + errorsOf(o), 0),
  };
}

/** The ratio of two medians, with the spread of the per-count ratios. */
function ofMedians(on: number, off: number, perCount: readonly number[]): RatioSummary | null {
  const spread = summarizeRatios(perCount);
  return spread === null || off === 0 ? null : { ...spread, median: round3(on / off) as number };
}

/** The counts of both sides summarised (see {@link MetricsIcount}). */
export function summarizeIcount(
  sizes: { warmup: number; calls: number; clients: number },
  rounds: MetricsIcount['rounds'],
  failed: number,
): MetricsIcount {
  const median = (side: 'off' | 'on' | 'offAll' | 'onAll'): number => {
    const sorted = rounds.map((r) => r[side]).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const value = sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    return Math.round(value ?? 0);
  };
  return {
    warmup: sizes.warmup,
    calls: sizes.calls,
    clients: sizes.clients,
    rounds: rounds.map((r) => ({
      off: Math.round(r.off),
      on: Math.round(r.on),
      offAll: Math.round(r.offAll),
      onAll: Math.round(r.onAll),
    })),
    off: median('off'),
    on: median('on'),
    ratio: ofMedians(
      median('on'),
      median('off'),
      rounds.flatMap((r) => (r.off > 0 ? [r.on / r.off] : [])),
    ),
    all: {
      off: median('offAll'),
      on: median('onAll'),
      ratio: ofMedians(
        median('onAll'),
        median('offAll'),
        rounds.flatMap((r) => (r.offAll > 0 ? [r.onAll / r.offAll] : [])),
      ),
    },
    failed,
  };
}

function sidePoint(point: ThroughputResult): SidePoint {
  return { callsPerSec: Math.round(point.callsPerSec), cpuMsPerCall: round3(point.cpuMsPerCall) };
}

/** Unrecorded load in short points until `warmupCalls` were answered or `warmupMaxMs` passed. */
export async function warmUp(target: LoadTarget, clients: number, sizes: MetricsCostSizes): Promise<void> {
  const deadline = performance.now() + sizes.warmupMaxMs;
  let calls = 0;
  while (calls < sizes.warmupCalls && performance.now() < deadline)
    calls += (await measureThroughput(target, clients, 500, 0)).outcomes.ok;
}

/** Runs the interleaved pairs on the two servers' targets. */
export async function measureMetricsCost(
  backend: string,
  tool: string,
  off: LoadTarget,
  on: LoadTarget,
  sizes: MetricsCostSizes,
): Promise<MetricsCostResult> {
  const start = loadavg()[0] ?? 0;
  for (const clients of sizes.clients) {
    for (const target of [off, on]) await warmUp(target, clients, sizes);
  }
  const pairs = new Map<number, MetricsCostLevel['pairs']>(sizes.clients.map((c) => [c, []]));
  const outcomes = new Map<number, TallyCounts[]>(sizes.clients.map((c) => [c, []]));
  for (let round = 1; round <= sizes.rounds; round++) {
    const onFirst = !sizes.together && round % 2 === 0;
    for (const clients of sizes.clients) {
      const point = (target: LoadTarget) => measureThroughput(target, clients, sizes.durationMs, round);
      let a: ThroughputResult;
      let b: ThroughputResult;
      if (sizes.together) [a, b] = await Promise.all([point(off), point(on)]);
      else if (onFirst) [b, a] = [await point(on), await point(off)];
      else [a, b] = [await point(off), await point(on)];
      pairs.get(clients)?.push({ onFirst, off: sidePoint(a), on: sidePoint(b) });
      outcomes.get(clients)?.push(a.outcomes, b.outcomes);
    }
  }
  return {
    backend,
    tool,
    sizes,
    loadAverage: { start: Math.round(start * 100) / 100, end: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
    levels: sizes.clients.map((c) => summarizeLevel(c, pairs.get(c) ?? [], outcomes.get(c))),
  };
}

/** The sum of a metric's samples in a Prometheus text exposition whose labels include `labels`. */
export function sumSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Whether a level meets the target, judged on the median ratios (null: not measurable). */
function withinTarget(level: MetricsCostLevel): boolean | null {
  if (level.callsRatio === null || level.cpuRatio === null) return null;
  return level.callsRatio.median >= 1 - TARGET && level.cpuRatio.median <= 1 + TARGET;
}

const ratioText = (r: RatioSummary | null): string =>
  r === null ? 'n/a' : `${r.median.toFixed(3)} (${r.min.toFixed(3)}–${r.max.toFixed(3)})`;
const cpuText = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));

/** The instruction counts of a result, when both sides were counted and every counted call answered. */
function comparableIcount(result: MetricsCostResult): (MetricsIcount & { ratio: RatioSummary }) | undefined {
  const icount = result.icount;
  if (icount === undefined || 'error' in icount || icount.ratio === null || icount.failed > 0) return undefined;
  return icount as MetricsIcount & { ratio: RatioSummary };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Its rows in the Targets table: judged on the instruction counts where there are any, else on the timed medians. */
export function metricsCostTargets(
  results: ReadonlyArray<MetricsCostResult | { error: string; backend: string }>,
): string[][] {
  const timedTarget = `metrics on vs off: calls/s and CPU per call within ${TARGET * 100} % (http, timed, median of pairs)`;
  const icountTarget =
    `metrics on vs off: CPU per call within ${TARGET * 100} % (http), judged on instructions per call under callgrind ` +
    '(main thread, on ÷ off of the medians of counts; all threads and the timed medians of pairs beside it)';
  return results.map((result) => {
    if ('error' in result) return [timedTarget, result.backend, `failed: ${result.error.split('\n')[0] ?? ''}`, '–'];
    const levels = result.levels.map(
      (l) => `${l.clients} clients ${ratioText(l.callsRatio)} / CPU ${ratioText(l.cpuRatio)}`,
    );
    const icount = comparableIcount(result);
    if (icount !== undefined) {
      const figure =
        `instructions/call ${count(icount.on)} on vs ${count(icount.off)} off: ${ratioText(icount.ratio)}` +
        ` (all threads ${ratioText(icount.all.ratio)})`;
      const pass = icount.ratio.median <= 1 + TARGET;
      return [icountTarget, result.backend, `${figure}; timed: ${levels.join('; ')}`, pass ? '✔' : '✘'];
    }
    const verdicts = result.levels.map(withinTarget);
    const pass = verdicts.includes(null) ? null : verdicts.every((v) => v === true);
    return [timedTarget, result.backend, levels.join('; '), pass === null ? '–' : pass ? '✔' : '✘'];
  });
}

/** The line under a backend's table saying what callgrind counted. */
function icountLines(icount: NonNullable<MetricsCostResult['icount']>): string[] {
  if ('error' in icount)
    return [`Instructions under callgrind: not counted (${icount.error.split('\n')[0] ?? ''}).`, ''];
  const counts = icount.rounds.map((r) => `${count(r.off)} / ${count(r.on)}`).join(', ');
  return [
    `Instructions per call under callgrind (${icount.rounds.length} counts of the same ${count(icount.calls)} calls on ` +
      `${icount.clients} clients per side, alternating off, on, after ${count(icount.warmup)} unrecorded calls), ` +
      `main thread, medians: off ${count(icount.off)}, on ${count(icount.on)}, on ÷ off ${ratioText(icount.ratio)} ` +
      `(per count off / on: ${counts}); all threads: off ${count(icount.all.off)}, on ${count(icount.all.on)}, ` +
      `on ÷ off ${ratioText(icount.all.ratio)}` +
      (icount.failed === 0 ? '.' : ` — **${icount.failed} calls failed**: not comparable.`),
    '',
  ];
}

/** The BENCHMARKS.md section (one table per backend). */
export function renderMetricsCost(
  results: ReadonlyArray<MetricsCostResult | { error: string; backend: string }>,
): string {
  const first = results.find((r): r is MetricsCostResult => !('error' in r));
  const out = ['## Metrics: cost per call', ''];
  if (first !== undefined) {
    const s = first.sizes;
    out.push(
      'Two finmcp HTTP processes against the same stub, `FINMCP_METRICS` off and `FINMCP_METRICS=1` (every call counted',
      `and timed for \`/metrics\`, never scraped during the run): at each client count ${s.rounds} pairs of ${s.durationMs / 1000} s points,`,
      s.together
        ? 'both sides loaded at the same time (that many clients each, so the rest of the machine hits both alike),'
        : 'the sides loaded one at a time, the order within a pair alternating (off-on, on-off, …),',
      `after ${s.warmupCalls.toLocaleString('en-US')} unrecorded calls per side and client count (at most ${s.warmupMaxMs / 1000} s).`,
      'Each pair gives one on ÷ off ratio; shown: median (lowest–highest). Server CPU per call = utime+stime of the',
      'server process over the window ÷ answered calls. Then both sides are started again under callgrind, at one fixed',
      'JIT tier (baseline code, no speculative optimisation: the same calls then execute the same instructions;',
      'compilation and GC on the main thread), and the instructions of the same calls counted on each, counts',
      'alternating off, on: a figure the load of other processes does not move. A count that holds a full',
      "(mark-compact) collection stands out; the figure is the ratio of the two sides' medians, with the lowest and",
      "highest per-count ratio (each count ÷ the other side's count of the same round) as its spread. Timer work (such as the",
      'event-loop delay monitor of metrics-on) weighs more per call there, a call being tens of times slower.',
      `Target: metrics' cost within ${TARGET * 100} %, judged on the instruction ratio where it was counted (on a CPU-bound server`,
      'throughput follows CPU per call), else on the median timed ratios.',
      '',
    );
  }
  for (const result of results) {
    if ('error' in result) {
      out.push(`### ${result.backend}`, '', `Not measured: ${result.error}`, '');
      continue;
    }
    out.push(
      `### ${result.backend} (\`${result.tool}\`; one-minute load average ${result.loadAverage.start} at the start, ${result.loadAverage.end} at the end)`,
      '',
      '| clients | calls/s off | calls/s on | on ÷ off | CPU ms/call off | CPU ms/call on | on ÷ off | within 5 % | mismatches / errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...result.levels.map((l) => {
        const within = withinTarget(l);
        return `| ${[
          l.clients,
          l.callsOff,
          l.callsOn,
          ratioText(l.callsRatio),
          cpuText(l.cpuOff),
          cpuText(l.cpuOn),
          ratioText(l.cpuRatio),
          within === null ? 'n/a' : within ? 'yes' : 'no',
          `${l.mismatches} / ${l.errors}`,
        ].join(' | ')} |`;
      }),
      '',
    );
    if (result.scrape === null) out.push('`/metrics` of the metrics-on server could not be read after the run.', '');
    else if (result.scrape !== undefined) {
      const { counted, sent } = result.scrape;
      out.push(
        `\`/metrics\` of the metrics-on server after the run counted ${counted.toLocaleString('en-US')} \`${result.tool}\` calls of ${sent.toLocaleString('en-US')} sent` +
          (counted === sent ? ': every call.' : ' — **not every call**.'),
        '',
      );
    }
    if (result.icount !== undefined) out.push(...icountLines(result.icount));
    if (result.profile !== undefined) out.push(...profileLines(result.profile));
  }
  return out.join('\n');
}

function profileLines(profile: NonNullable<MetricsCostResult['profile']>): string[] {
  if ('error' in profile) return [`CPU profiles: not taken (${profile.error}).`, ''];
  return [
    ...renderProfile({ ...profile.off, subject: 'finmcp, metrics off' }),
    ...renderProfile({ ...profile.on, subject: 'finmcp, metrics on' }),
  ];
}
