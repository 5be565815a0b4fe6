/**
 * `--only ratio` (issue 27): finmcp against the reference alone, per backend. Both are started over stdio and
 * HTTP, warmed up, then loaded at 16 clients (BENCH_CONCURRENCY) round by round, interleaved (finmcp in both MCP
 * eras, the reference), so that every CPU-per-call and throughput ratio comes from the same minutes of a shared
 * machine. With BENCH_PROFILE=1, one more point per server and transport on a fresh process under
 * `node --cpu-prof` (BENCH_PROFILE_KEEP=<dir> keeps the raw .cpuprofile files). Results go to
 * bench/results.ratio.json and the ratio table is printed; BENCHMARKS.md is left alone.
 */
import { progress, startHttp, startStdio, type RunningHttp, type RunningStdio } from './backend-run.js';
import { callgrindLaunch, countInstructions, icountDir, removeIcountDir, type IcountResult } from './measure/icount.js';
import {
  monotonicUs,
  profileDir,
  profiledServer,
  summariseProfile,
  wrapLaunches,
  type ProfileSummary,
} from './measure/profile.js';
import { measureThroughput, type ThroughputResult } from './measure/throughput.js';
import type { Plan } from './plan.js';
import { readRssBytes } from './proc.js';
import type { Scenario } from './scenario.js';
import type { BenchEnv, ServerUnderTest } from './servers/types.js';
import { MODERN_VARIANT, httpTarget, stdioTarget, type LoadTarget } from './targets.js';

/** One backend's ratio run. */
export interface RatioBackendResult {
  backend: string;
  throughput: ThroughputResult[];
  /** Resident memory of each server process after the rounds. */
  rssAfterLoad: Array<{ server: string; transport: 'stdio' | 'http'; bytes: number | null }>;
  profiles: Array<{ server: string } & (ProfileSummary | { transport: string; error: string })>;
  /** Instructions per call under callgrind (BENCH_ICOUNT=1), per server, transport and era. */
  icount: Array<{ server: string; transport: 'stdio' | 'http'; era: string } & (IcountResult | { error: string })>;
}

/** What {@link ratioBackend} needs from the run. */
export interface RatioOptions {
  plan: Plan;
  env: BenchEnv;
  servers: readonly ServerUnderTest[];
  stubPid?: number;
  httpPort(server: ServerUnderTest, backend: string): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function nameOf(target: LoadTarget): string {
  return `${target.server}/${target.transport}${target.variant === undefined ? '' : ` (${target.variant})`}`;
}

/** The load targets of the running servers: each transport, and for the subject both eras. */
function targetsOf(
  servers: readonly ServerUnderTest[],
  scenario: Scenario,
  stdio: ReadonlyMap<string, RunningStdio>,
  http: ReadonlyMap<string, RunningHttp>,
  timeoutMs: number,
): LoadTarget[] {
  const targets: LoadTarget[] = [];
  for (const sut of servers) {
    const eras = sut.role === 'subject' ? [false, true] : [false];
    const s = stdio.get(sut.id);
    const h = http.get(sut.id);
    for (const modern of eras) {
      if (s !== undefined) targets.push(stdioTarget(sut.id, scenario, s.proc, s.tool, timeoutMs, s.tag, modern));
      if (h !== undefined) {
        const variant = modern ? MODERN_VARIANT : undefined;
        targets.push(httpTarget(sut.id, scenario, h.endpoint, h.proc.pid, h.tool, h.setup, timeoutMs, variant));
      }
    }
  }
  return targets;
}

/** One point on a fresh process run under the profiler; `port` for HTTP (the server's own, now free). */
async function profilePoint(
  sut: ServerUnderTest,
  scenario: Scenario,
  options: RatioOptions,
  transport: 'stdio' | 'http',
  port: number,
): Promise<ProfileSummary> {
  const { plan, env } = options;
  const clients = plan.concurrency[0] ?? 16;
  const dir = await profileDir();
  const profiled = profiledServer(sut, dir);
  const window = { fromUs: 0, toUs: 0 };
  let calls = 0;
  const run = async (target: LoadTarget): Promise<void> => {
    if (plan.loadWarmupMs > 0) await measureThroughput(target, clients, plan.loadWarmupMs, 0);
    window.fromUs = monotonicUs();
    calls = (await measureThroughput(target, clients, plan.durationMs, 0)).outcomes.ok;
    window.toUs = monotonicUs();
  };
  if (transport === 'stdio') {
    const s = await startStdio(profiled, scenario, env, plan);
    try {
      await run(stdioTarget(sut.id, scenario, s.proc, s.tool, plan.callTimeoutMs, s.tag));
    } finally {
      await s.proc.close();
    }
  } else {
    const h = await startHttp(profiled, scenario, env, plan, port);
    try {
      await run(httpTarget(sut.id, scenario, h.endpoint, h.proc.pid, h.tool, h.setup, plan.callTimeoutMs));
    } finally {
      await h.proc.stop(10_000);
    }
  }
  const keepDir = process.env.BENCH_PROFILE_KEEP;
  return summariseProfile(dir, calls, clients, window, {
    transport,
    count: 25,
    ...(keepDir === undefined || keepDir === ''
      ? {}
      : { keep: { dir: keepDir, as: `${scenario.backend}-${sut.id}-${transport}.cpuprofile` } }),
  });
}

/** A server's launches under callgrind, into `dir`. */
function underCallgrind(sut: ServerUnderTest, dir: string): ServerUnderTest {
  return wrapLaunches(sut, (launch) => callgrindLaunch(launch, dir));
}

/** Instructions per call of one server over one transport, each era it serves, on one process under callgrind. */
async function icountServer(
  sut: ServerUnderTest,
  scenario: Scenario,
  options: RatioOptions,
  transport: 'stdio' | 'http',
  port: number,
): Promise<RatioBackendResult['icount']> {
  const { env } = options;
  const counts = options.plan.icount as NonNullable<Plan['icount']>;
  // Everything is tens of times slower under callgrind: generous start-up and call limits.
  const plan: Plan = { ...options.plan, callTimeoutMs: 120_000 };
  const dir = await icountDir();
  const traced = underCallgrind(sut, dir);
  const eras = sut.role === 'subject' ? counts.eras.map((era) => era === MODERN_VARIANT) : [false];
  const out: RatioBackendResult['icount'] = [];
  const count = async (target: LoadTarget, pid: number, modern: boolean): Promise<void> => {
    const era = modern ? MODERN_VARIANT : '2025-11-25';
    progress(`${scenario.backend}: instructions of ${sut.id}/${transport} ${era}, ${counts.calls} calls`);
    try {
      const keepAs = `${scenario.backend}-${sut.id}-${transport}-${era}`;
      out.push({
        server: sut.id,
        transport,
        era,
        ...(await countInstructions(target, pid, dir, { ...counts, keepAs })),
      });
    } catch (error) {
      out.push({ server: sut.id, transport, era, error: message(error) });
    }
  };
  try {
    if (transport === 'stdio') {
      const s = await startStdio(traced, scenario, env, plan, 300_000);
      try {
        for (const modern of eras)
          await count(
            stdioTarget(sut.id, scenario, s.proc, s.tool, plan.callTimeoutMs, s.tag, modern),
            s.proc.pid,
            modern,
          );
      } finally {
        await s.proc.close();
      }
    } else {
      const h = await startHttp(traced, scenario, env, plan, port, 300_000);
      try {
        for (const modern of eras) {
          const variant = modern ? MODERN_VARIANT : undefined;
          const target = httpTarget(
            sut.id,
            scenario,
            h.endpoint,
            h.proc.pid,
            h.tool,
            h.setup,
            plan.callTimeoutMs,
            variant,
          );
          await count(target, h.proc.pid, modern);
        }
      } finally {
        await h.proc.stop(60_000);
      }
    }
  } catch (error) {
    out.push({ server: sut.id, transport, era: '—', error: message(error) });
  } finally {
    await removeIcountDir(dir);
  }
  return out;
}

/** Runs finmcp and the reference side by side on one backend. */
export async function ratioBackend(scenario: Scenario, options: RatioOptions): Promise<RatioBackendResult> {
  const { plan, env, servers } = options;
  const stdio = new Map<string, RunningStdio>();
  const http = new Map<string, RunningHttp>();
  const ports = new Map<string, number>();
  const throughput: ThroughputResult[] = [];
  const profiles: RatioBackendResult['profiles'] = [];
  const rssAfterLoad: RatioBackendResult['rssAfterLoad'] = [];
  try {
    // BENCH_ROUNDS=0: no load points (e.g. instructions counted only).
    for (const sut of plan.rounds > 0 ? servers : []) {
      progress(`${scenario.backend}: starting ${sut.id} (stdio, http)`);
      stdio.set(sut.id, await startStdio(sut, scenario, env, plan));
      const port = await options.httpPort(sut, scenario.backend);
      ports.set(sut.id, port);
      http.set(sut.id, await startHttp(sut, scenario, env, plan, port));
    }
    const targets = targetsOf(servers, scenario, stdio, http, plan.callTimeoutMs);
    await sleep(plan.settleMs);
    for (const target of targets) {
      if (plan.loadWarmupMs > 0) await measureThroughput(target, 16, plan.loadWarmupMs, 0).catch(() => undefined);
    }
    for (let round = 1; round <= plan.rounds; round += 1) {
      for (const concurrency of plan.concurrency) {
        for (const target of targets) {
          try {
            const point = await measureThroughput(target, concurrency, plan.durationMs, round, options.stubPid);
            throughput.push(point);
            progress(
              `${scenario.backend}: round ${round} ${nameOf(target)} ×${concurrency}: ${Math.round(point.callsPerSec)} calls/s, ` +
                `${point.cpuMsPerCall?.toFixed(3) ?? '—'} ms CPU/call, mismatches ${point.outcomes.mismatches}`,
            );
          } catch (error) {
            progress(`${scenario.backend}: round ${round} ${nameOf(target)} failed: ${message(error)}`);
          }
        }
      }
    }
    for (const sut of plan.rounds > 0 ? servers : []) {
      rssAfterLoad.push({ server: sut.id, transport: 'stdio', bytes: readRssBytes(stdio.get(sut.id)?.proc.pid ?? -1) });
      rssAfterLoad.push({ server: sut.id, transport: 'http', bytes: readRssBytes(http.get(sut.id)?.proc.pid ?? -1) });
    }
  } finally {
    await Promise.all([...stdio.values()].map((s) => s.proc.close()));
    await Promise.all([...http.values()].map((h) => h.proc.stop()));
  }
  if (plan.profile) {
    for (const sut of servers) {
      for (const transport of ['stdio', 'http'] as const) {
        progress(`${scenario.backend}: CPU profile of ${sut.id}/${transport}`);
        const port = ports.get(sut.id) ?? (await options.httpPort(sut, scenario.backend));
        profiles.push({
          server: sut.id,
          ...(await profilePoint(sut, scenario, options, transport, port).catch((error: unknown) => ({
            transport,
            error: message(error),
          }))),
        });
      }
    }
  }
  const icount: RatioBackendResult['icount'] = [];
  if (plan.icount !== null) {
    // One server at a time: each runs alone under callgrind (its count does not depend on the others anyway).
    for (const sut of servers) {
      for (const transport of plan.icount.transports) {
        const port = ports.get(sut.id) ?? (await options.httpPort(sut, scenario.backend));
        icount.push(...(await icountServer(sut, scenario, options, transport, port)));
      }
    }
  }
  return { backend: scenario.backend, throughput, rssAfterLoad, profiles, icount };
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(3));

/** The ratio table: per backend, server, transport and era, ÷ the reference per round (CPU per call, throughput). */
export function renderRatio(results: readonly RatioBackendResult[]): string {
  const lines: string[] = [];
  for (const backend of results) {
    lines.push(
      '| backend | server | transport | era | round | CPU ms/call | reference | CPU ratio | calls/s | reference | throughput ratio |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    const points = backend.throughput;
    for (const subjectPoint of points.filter((p) => p.server !== 'reference')) {
      const ref = points.find(
        (p) =>
          p.server === 'reference' &&
          p.transport === subjectPoint.transport &&
          p.round === subjectPoint.round &&
          p.concurrency === subjectPoint.concurrency,
      );
      const cpuRatio =
        ref?.cpuMsPerCall && subjectPoint.cpuMsPerCall ? subjectPoint.cpuMsPerCall / ref.cpuMsPerCall : null;
      const tputRatio = ref === undefined ? null : subjectPoint.callsPerSec / ref.callsPerSec;
      lines.push(
        `| ${backend.backend} | ${subjectPoint.server} | ${subjectPoint.transport} | ${subjectPoint.variant ?? '2025-11-25'} | ${subjectPoint.round} | ` +
          `${f3(subjectPoint.cpuMsPerCall)} | ${f3(ref?.cpuMsPerCall)} | ${cpuRatio === null ? '—' : `${cpuRatio.toFixed(2)}×`} | ` +
          `${Math.round(subjectPoint.callsPerSec)} | ${ref === undefined ? '—' : Math.round(ref.callsPerSec)} | ` +
          `${tputRatio === null ? '—' : `${tputRatio.toFixed(2)}×`} |`,
      );
    }
    lines.push(
      '',
      `${backend.backend} RSS after load, MB: ${backend.rssAfterLoad
        .map((r) => `${r.server}/${r.transport} ${r.bytes === null ? '—' : (r.bytes / 2 ** 20).toFixed(1)}`)
        .join(', ')}`,
      '',
    );
    if (backend.icount.length > 0) {
      const ref = (transport: string): number | undefined => {
        const entry = backend.icount.find((e) => e.server === 'reference' && e.transport === transport);
        return entry === undefined || 'error' in entry ? undefined : entry.instructionsPerCall;
      };
      lines.push(
        '| backend | server | transport | era | instructions per call | × reference | failed calls |',
        '|---|---|---|---|---|---|---|',
        ...backend.icount.map((e) => {
          if ('error' in e)
            return `| ${backend.backend} | ${e.server} | ${e.transport} | ${e.era} | ${e.error} | — | — |`;
          const r = ref(e.transport);
          return (
            `| ${backend.backend} | ${e.server} | ${e.transport} | ${e.era} | ${Math.round(e.instructionsPerCall).toLocaleString('en-US')} | ` +
            `${r === undefined ? '—' : `${(e.instructionsPerCall / r).toFixed(2)}×`} | ${e.failed} |`
          );
        }),
        '',
      );
    }
    for (const profile of backend.profiles) {
      if ('error' in profile) {
        lines.push('', `${backend.backend} ${profile.server}/${profile.transport} profile: ${profile.error}`);
        continue;
      }
      lines.push(
        '',
        `${backend.backend} ${profile.server}/${profile.transport} profile: ${profile.calls} calls, ` +
          `${f3(profile.busyMsPerCall)} ms busy per call`,
        ...profile.top.map(
          (e) =>
            `  ${(e.share * 100).toFixed(1).padStart(5)} %  ${e.selfMs.toFixed(1).padStart(7)} ms  ${e.name} ${e.where}`,
        ),
      );
    }
  }
  return lines.join('\n');
}
