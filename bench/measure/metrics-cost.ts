/**
 * What FINMCP_METRICS costs (issue 26: throughput and server CPU per call within 5 % of metrics off): two finmcp
 * HTTP processes against the same stub, one with metrics off and one with them on (never scraped during the run),
 * loaded one at a time by the same closed-loop client. At each client count, `rounds` pairs of points, the order
 * within a pair alternating (off-on, on-off, …) so that a trend in the machine's load hits both sides alike; each
 * pair gives one on ÷ off ratio, and the verdict is judged on the median ratio, with the spread of the ratios
 * beside it (a loaded machine moves single points by more than 5 %).
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
  /** The pairs in the order measured; `onFirst` says which side ran first. */
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
    const onFirst = round % 2 === 0;
    for (const clients of sizes.clients) {
      const points = new Map<LoadTarget, ThroughputResult>();
      for (const target of onFirst ? [on, off] : [off, on])
        points.set(target, await measureThroughput(target, clients, sizes.durationMs, round));
      const [a, b] = [points.get(off) as ThroughputResult, points.get(on) as ThroughputResult];
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

/** Its rows in the Targets table. */
export function metricsCostTargets(
  results: ReadonlyArray<MetricsCostResult | { error: string; backend: string }>,
): string[][] {
  const target = `metrics on vs off: calls/s and CPU per call within ${TARGET * 100} % (http, median of pairs)`;
  return results.map((result) => {
    if ('error' in result) return [target, result.backend, `failed: ${result.error.split('\n')[0] ?? ''}`, '–'];
    const levels = result.levels.map(
      (l) => `${l.clients} clients ${ratioText(l.callsRatio)} / CPU ${ratioText(l.cpuRatio)}`,
    );
    const verdicts = result.levels.map(withinTarget);
    const pass = verdicts.includes(null) ? null : verdicts.every((v) => v === true);
    return [target, result.backend, levels.join('; '), pass === null ? '–' : pass ? '✔' : '✘'];
  });
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
      `and timed for \`/metrics\`, never scraped during the run), loaded one at a time: at each client count ${s.rounds} pairs of`,
      `${s.durationMs / 1000} s points, the order within a pair alternating (off-on, on-off, …), after ${s.warmupCalls.toLocaleString('en-US')} unrecorded calls per side`,
      `and client count (at most ${s.warmupMaxMs / 1000} s).`,
      'Each pair gives one on ÷ off ratio; shown: median (lowest–highest). Server CPU per call = utime+stime of the',
      `server process over the window ÷ answered calls. Target: the median ratios within ${TARGET * 100} %.`,
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
