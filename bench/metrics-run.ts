/**
 * Issue 26's metrics cost, per backend (measure/metrics-cost.ts): `finmcp` (metrics off) and `finmcp-metrics`
 * (FINMCP_METRICS=1) over HTTP, each on the port the run reserved for it (FinOpps users' tokens name it), both
 * warmed up with a generous limit before anything is timed, then loaded in pairs (both at once, or one at a time).
 * Then (plan.metrics.icount) both are started again under callgrind and the instructions of the same calls counted
 * on each side, counts alternating off/on: the figure the load of other processes does not move. With
 * BENCH_METRICS_PROFILE=1 each side is started again under `node --cpu-prof` for one more point, summarised.
 * Every process is stopped whatever happens; a failure becomes `{ error }` for that backend (or its count).
 */
import { progress, type RunningHttp, startHttp } from './backend-run.js';
import { countingTarget } from './measure/audit-cost.js';
import { callgrindLaunch, countInstructions, type IcountResult, icountDir, removeIcountDir } from './measure/icount.js';
import {
  measureMetricsCost,
  type MetricsCostResult,
  type MetricsCostSizes,
  type MetricsIcount,
  sumSamples,
  summarizeIcount,
  warmUp,
} from './measure/metrics-cost.js';
import {
  monotonicUs,
  type ProfileSummary,
  profileDir,
  profiledServer,
  summariseProfile,
  wrapLaunches,
} from './measure/profile.js';
import { measureThroughput } from './measure/throughput.js';
import type { Plan } from './plan.js';
import { nextSessionTag, type Scenario } from './scenario.js';
import { finmcp, finmcpMetrics } from './servers/finmcp.js';
import type { BenchEnv, ServerUnderTest } from './servers/types.js';
import { httpTarget, type LoadTarget, openHttpSession } from './targets.js';

/** The two servers compared, metrics off first. */
export const METRICS_SERVERS: readonly ServerUnderTest[] = [finmcp, finmcpMetrics];

/** Time limit of one call: a fresh process's first calls on a loaded machine take seconds. */
const CALL_LIMIT_MS = 30_000;
/** Clients of the profiled point. */
const PROFILE_CLIENTS = 16;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type Port = (server: ServerUnderTest, backend: string) => Promise<number>;

/** Starts `sut` and makes its first session (module loading, first compilation) before anything is timed. */
async function startWarm(sut: ServerUnderTest, scenario: Scenario, env: BenchEnv, plan: Plan, port: number) {
  const running = await startHttp(sut, scenario, env, plan, port);
  try {
    const session = await openHttpSession(running.endpoint, running.setup, CALL_LIMIT_MS, nextSessionTag());
    await session.close();
    return running;
  } catch (error) {
    await running.proc.stop();
    throw error;
  }
}

const targetOf = (r: RunningHttp, id: string, scenario: Scenario): LoadTarget =>
  httpTarget(id, scenario, r.endpoint, r.proc.pid, r.tool, r.setup, CALL_LIMIT_MS);

/** The metrics cost on one backend. */
export async function runMetricsCost(
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  port: Port,
): Promise<MetricsCostResult | { error: string; backend: string }> {
  const m = plan.metrics;
  progress(
    `${scenario.backend}: metrics off vs on, ${m.clients.join('/')} clients, ${m.rounds} pairs ${m.together ? 'loaded together' : 'alternating'}`,
  );
  const {
    profile: _profile,
    backends: _backends,
    icount: _icount,
    ...sizes
  }: MetricsCostSizes & Pick<Plan['metrics'], 'profile' | 'backends' | 'icount'> = m;
  try {
    const running: RunningHttp[] = [];
    let result: MetricsCostResult;
    try {
      for (const sut of METRICS_SERVERS)
        running.push(await startWarm(sut, scenario, env, plan, await port(sut, scenario.backend)));
      const [off, on] = running as [RunningHttp, RunningHttp];
      const counted = countingTarget(targetOf(on, finmcpMetrics.id, scenario), 0);
      result = await measureMetricsCost(
        scenario.backend,
        off.tool.name,
        targetOf(off, finmcp.id, scenario),
        counted.target,
        sizes,
      );
      result.scrape = await scrape(on, counted.calls());
    } finally {
      await Promise.all(running.map((r) => r.proc.stop()));
    }
    if (m.icount !== null) result.icount = await icountBoth(scenario, env, plan, port, m.icount);
    if (m.profile) result.profile = await profileBoth(scenario, env, plan, port);
    return result;
  } catch (error) {
    progress(`${scenario.backend}: metrics cost failed: ${message(error)}`);
    return { error: message(error), backend: scenario.backend };
  }
}

/** Reads `/metrics` of the metrics-on server (see MetricsCostResult.scrape). */
async function scrape(on: RunningHttp, sent: number): Promise<MetricsCostResult['scrape']> {
  try {
    const response = await fetch(`http://${on.endpoint.host}:${on.endpoint.port}/metrics`, {
      signal: AbortSignal.timeout(CALL_LIMIT_MS),
    });
    if (!response.ok) return null;
    const text = await response.text();
    return { counted: sumSamples(text, 'finmcp_tool_calls_total', { tool: on.tool.name }), sent };
  } catch {
    return null;
  }
}

/** Limit of one call and of a start-up under callgrind (everything runs tens of times slower). */
const CALLGRIND_LIMIT_MS = 300_000;

/** One side under callgrind: its process, its dump folder and the clients it is counted on. */
interface CountedSide {
  sut: ServerUnderTest;
  running: RunningHttp;
  dir: string;
  /** The clients, opened (sessions initialised, B4B's signed in) before any count: their calls alone are counted. */
  target?: LoadTarget;
  close?: () => Promise<void>;
}

/**
 * V8 flags of the counted processes: code stays at the baseline tier (Sparkplug, compiled on first call, never
 * speculatively optimised, so never deoptimised), and compilation and GC run on the main thread. With the optimizing
 * compiler, the same calls on the same side were counted 0.76–1.21 M instructions apart (when a function was
 * optimised, deoptimised, optimised again, at the speed of callgrind); at one fixed tier the counts repeat. JavaScript
 * costs more at that tier than the builtins (JSON, strings, buffers) do, and the metrics' recording is JavaScript:
 * its share of a call comes out larger than in an optimised process, not smaller.
 */
const FIXED_TIER = ['--no-opt', '--no-maglev', '--always-sparkplug', '--single-threaded'];

/**
 * finmcp's HTTP timeouts for the counted processes: at callgrind's speed a client waits seconds for its turn, and
 * each side's clients sit idle while the other side is counted; the default keep-alive (5 s) and header (10 s)
 * limits would close their connections.
 */
const PATIENT_HTTP: Record<string, string> = {
  FINMCP_KEEP_ALIVE_TIMEOUT_MS: '3600000',
  FINMCP_HEADERS_TIMEOUT_MS: '3600000',
  FINMCP_REQUEST_TIMEOUT_MS: '3600000',
};

/** Starts `sut` under callgrind, one dump per thread, at one fixed JIT tier. */
async function startCounted(sut: ServerUnderTest, scenario: Scenario, env: BenchEnv, plan: Plan, port: number) {
  const dir = await icountDir();
  const traced = wrapLaunches(sut, (launch) =>
    callgrindLaunch(
      launch.command === process.execPath
        ? { ...launch, args: [...FIXED_TIER, ...launch.args], env: { ...launch.env, ...PATIENT_HTTP } }
        : launch,
      dir,
      true,
    ),
  );
  progress(`${scenario.backend}: ${sut.id} under callgrind`);
  try {
    const slow: Plan = { ...plan, callTimeoutMs: CALLGRIND_LIMIT_MS };
    return { sut, dir, running: await startHttp(traced, scenario, env, slow, port, CALLGRIND_LIMIT_MS) };
  } catch (error) {
    await removeIcountDir(dir);
    throw error;
  }
}

/** Opens the side's clients once; its target then hands out those same clients (closed at the end only). */
async function openClients(side: CountedSide, scenario: Scenario, clients: number): Promise<void> {
  const { running, sut } = side;
  const target = httpTarget(
    sut.id,
    scenario,
    running.endpoint,
    running.proc.pid,
    running.tool,
    running.setup,
    CALLGRIND_LIMIT_MS,
  );
  const opened = await target.open(clients);
  side.close = () => opened.close();
  side.target = { ...target, open: async () => ({ ...opened, close: async () => undefined }) };
}

/**
 * Instructions per call of each side, both running under callgrind at once (idle but for their own counts): each
 * side's clients opened once, warmed up, then `rounds` counts of the same number of calls, alternating off, on (a
 * late JIT compilation or a collection falls into one count, not into every count of one side).
 */
async function icountBoth(
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  port: Port,
  sizes: NonNullable<Plan['metrics']['icount']>,
): Promise<MetricsIcount | { error: string }> {
  const sides: CountedSide[] = [];
  try {
    for (const sut of METRICS_SERVERS)
      sides.push(await startCounted(sut, scenario, env, plan, await port(sut, scenario.backend)));
    for (const side of sides) await openClients(side, scenario, sizes.clients);
    const rounds: MetricsIcount['rounds'] = [];
    let failed = 0;
    for (let round = 0; round < sizes.rounds; round++) {
      const counts: IcountResult[] = [];
      for (const side of sides) {
        progress(`${scenario.backend}: instructions of ${side.sut.id}, count ${round + 1} of ${sizes.rounds}`);
        const counted = await countInstructions(side.target as LoadTarget, side.running.proc.pid, side.dir, {
          ...sizes,
          // Only the first count of each side needs the warm-up; the later ones follow the one before.
          warmup: round === 0 ? sizes.warmup : 0,
          keepAs: `metrics-${scenario.backend}-${side.sut.id}-${round + 1}`,
        });
        failed += counted.failed;
        counts.push(counted);
      }
      const [off, on] = counts as [IcountResult, IcountResult];
      rounds.push({
        off: off.mainThreadPerCall ?? Number.NaN,
        on: on.mainThreadPerCall ?? Number.NaN,
        offAll: off.instructionsPerCall,
        onAll: on.instructionsPerCall,
      });
    }
    return summarizeIcount(sizes, rounds, failed);
  } catch (error) {
    progress(`${scenario.backend}: instruction count failed: ${message(error)}`);
    return { error: message(error) };
  } finally {
    await Promise.all(sides.map((side) => side.close?.().catch(() => undefined)));
    await Promise.all(sides.map((side) => side.running.proc.stop(60_000)));
    await Promise.all(sides.map((side) => removeIcountDir(side.dir)));
  }
}

async function profileBoth(
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  port: Port,
): Promise<{ off: ProfileSummary; on: ProfileSummary } | { error: string }> {
  try {
    const off = await profileOne(finmcp, scenario, env, plan, await port(finmcp, scenario.backend));
    const on = await profileOne(finmcpMetrics, scenario, env, plan, await port(finmcpMetrics, scenario.backend));
    return { off, on };
  } catch (error) {
    return { error: message(error) };
  }
}

/** One point of `sut` on a fresh process under `node --cpu-prof`, after the same warm-up as the measured points. */
async function profileOne(
  sut: ServerUnderTest,
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  port: number,
): Promise<ProfileSummary> {
  const dir = await profileDir();
  const profiled = profiledServer(sut, dir);
  const window = { fromUs: 0, toUs: 0 };
  let calls = 0;
  const running = await startWarm(profiled, scenario, env, plan, port);
  try {
    const target = targetOf(running, sut.id, scenario);
    await warmUp(target, PROFILE_CLIENTS, plan.metrics);
    window.fromUs = monotonicUs();
    calls = (await measureThroughput(target, PROFILE_CLIENTS, plan.metrics.durationMs, 0)).outcomes.ok;
    window.toUs = monotonicUs();
  } finally {
    // SIGTERM: the server stops cleanly and writes its profile as it exits.
    await running.proc.stop(10_000);
  }
  return summariseProfile(dir, calls, PROFILE_CLIENTS, window, { count: 20, transport: 'http' });
}
