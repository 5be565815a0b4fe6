/**
 * Issue 26's metrics cost, per backend (measure/metrics-cost.ts): `finmcp` (metrics off) and `finmcp-metrics`
 * (FINMCP_METRICS=1) over HTTP, each on the port the run reserved for it (FinOpps users' tokens name it), both
 * warmed up with a generous limit before anything is timed, then loaded in pairs (both at once, or one at a time). With
 * BENCH_METRICS_PROFILE=1 each side is started again under `node --cpu-prof` for one more point, summarised.
 * Every process is stopped whatever happens; a failure becomes `{ error }` for that backend.
 */
import { progress, type RunningHttp, startHttp } from './backend-run.js';
import { countingTarget } from './measure/audit-cost.js';
import {
  measureMetricsCost,
  type MetricsCostResult,
  type MetricsCostSizes,
  sumSamples,
  warmUp,
} from './measure/metrics-cost.js';
import { monotonicUs, type ProfileSummary, profileDir, profiledServer, summariseProfile } from './measure/profile.js';
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
    ...sizes
  }: MetricsCostSizes & Pick<Plan['metrics'], 'profile' | 'backends'> = m;
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
