/**
 * Where finmcp's CPU goes on its hot path (issue 27): one extra throughput point over stdio with the server run
 * under `node --cpu-prof`, and the V8 profile it writes at exit summarised as the functions with the most self
 * time (share of the busy, non-idle time), the garbage collector among them. The point runs on a process of its
 * own, so the profiler's overhead touches no other figure.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LaunchSpec } from '../clients/mcp-stdio.js';
import { isUnavailable, type ServerUnderTest } from '../servers/types.js';

/** One function's self time. */
interface ProfileEntry {
  /** Function name (`(anonymous)` when it has none; V8's own entries in parentheses, e.g. `(garbage collector)`). */
  name: string;
  /** `file:line` (file name only), or '' for V8's own entries. */
  where: string;
  selfMs: number;
  /** Share of busy (non-idle) sampled time. */
  share: number;
}

/** The summary of one profile. */
export interface ProfileSummary {
  transport: 'stdio' | 'http';
  /** What was profiled, for the heading (e.g. "finmcp's hot path"). */
  subject?: string;
  concurrency: number;
  /** Calls answered during the profiled window. */
  calls: number;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** Busy time per answered call, ms (the profiler's overhead included: compare with care). */
  busyMsPerCall: number | null;
  top: ProfileEntry[];
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs on the machine's monotonic clock (as `process.hrtime`), when the profile started. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A launch of the same server with the V8 CPU profiler on, writing into `dir` at exit. */
export function profiledLaunch(launch: LaunchSpec, dir: string): LaunchSpec {
  return { ...launch, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...launch.args] };
}

/** The same server with every launch (stdio and HTTP) changed by `wrap` (a profiler, callgrind, …). */
export function wrapLaunches(sut: ServerUnderTest, wrap: (launch: LaunchSpec) => LaunchSpec): ServerUnderTest {
  return {
    ...sut,
    stdio: (s, e) => {
      const launch = sut.stdio(s, e);
      return isUnavailable(launch) ? launch : wrap(launch);
    },
    http: (s, e, p) => {
      const launch = sut.http(s, e, p);
      return isUnavailable(launch) ? launch : { ...launch, launch: wrap(launch.launch) };
    },
  };
}

/** The same server with every launch under the V8 CPU profiler, writing into `dir` at exit. */
export function profiledServer(sut: ServerUnderTest, dir: string): ServerUnderTest {
  return wrapLaunches(sut, (launch) => profiledLaunch(launch, dir));
}

/** A fresh folder for one profile. */
export function profileDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'finmcp-bench-prof-'));
}

/** The measured window on the monotonic clock V8 stamps profiles with (`process.hrtime`, µs). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the monotonic clock, µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** How a profile is summarised: its transport, how many entries, and where to keep the raw file (if at all). */
export interface SummaryOptions {
  transport?: ProfileSummary['transport'];
  count?: number;
  /** Copy the .cpuprofile here as `<keepAs>` before the folder is removed (BENCH_PROFILE_KEEP, for DevTools). */
  keep?: { dir: string; as: string };
}

/**
 * Reads the one profile in `dir`, summarises the samples inside `window` (start-up and shutdown left out; the
 * profiled process and this one read the same monotonic clock) and removes the folder.
 */
export async function summariseProfile(
  dir: string,
  calls: number,
  concurrency: number,
  window: ProfileWindow,
  options: SummaryOptions = {},
): Promise<ProfileSummary> {
  try {
    const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the server wrote no .cpuprofile (did it exit cleanly?)');
    if (options.keep !== undefined) {
      await mkdir(options.keep.dir, { recursive: true });
      await copyFile(join(dir, file), join(options.keep.dir, options.keep.as));
    }
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    return summarise(profile, calls, concurrency, window, options.count ?? 12, options.transport ?? 'stdio');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Self time per function (summed over its call sites) inside `window`, the top `count` of busy time. */
function summarise(
  profile: CpuProfile,
  calls: number,
  concurrency: number,
  window: ProfileWindow,
  count: number,
  transport: ProfileSummary['transport'],
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    // timeDeltas[i] is the time before sample i; the sample stands for it.
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < window.fromUs || at > window.toUs) continue;
    const frame = byId.get(profile.samples[i] ?? -1)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)') continue;
    busyUs += us;
    const where = frame.url === '' ? '' : `${basename(frame.url)}:${frame.lineNumber + 1}`;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const key = `${name}\u0000${where}`;
    const entry = self.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    self.set(key, entry);
  }
  const top = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: busyUs === 0 ? 0 : e.us / busyUs }));
  return {
    transport,
    concurrency,
    calls,
    busyMs: busyUs / 1000,
    busyMsPerCall: calls === 0 ? null : busyUs / 1000 / calls,
    top,
  };
}

/** The profile's section of BENCHMARKS.md (Markdown lines). */
export function renderProfile(profile: ProfileSummary | { error: string } | undefined): string[] {
  if (profile === undefined) return [];
  const out = [
    'error' in profile
      ? "### CPU profile of finmcp's hot path (stdio, 16 in flight)"
      : `### CPU profile of ${profile.subject ?? "finmcp's hot path"} (${profile.transport}, ${profile.concurrency} in flight)`,
    '',
  ];
  if ('error' in profile) return [...out, `Not measured: ${profile.error}`, ''];
  out.push(
    `One extra throughput point on a fresh ${profile.transport} process run under \`node --cpu-prof\`, samples of the window only ` +
      `(profiler overhead included): ${profile.calls.toLocaleString('en-US')} calls, ` +
      `${profile.busyMs.toFixed(0)} ms busy${profile.busyMsPerCall === null ? '' : ` (${profile.busyMsPerCall.toFixed(3)} ms per call)`}. ` +
      'Functions with the most self time, as a share of busy (non-idle) time:',
    '',
    '| function | where | self ms | share |',
    '|---|---|---|---|',
    ...profile.top.map(
      (e) =>
        `| \`${e.name}\` | ${e.where === '' ? '(V8)' : `\`${e.where}\``} | ${e.selfMs.toFixed(1)} | ${(e.share * 100).toFixed(1)} % |`,
    ),
    '',
  );
  return out;
}
