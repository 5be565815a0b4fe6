/**
 * Issue 21's figures, run after the per-backend measurements on B4B (the backend with confirmed writes and
 * per-caller sign-in): a confirmed write with the state store in memory vs on Redis (measure/confirmed-write.ts),
 * and the probe with the audit trail off vs to a file (measure/audit-cost.ts). Starts its own finmcp processes
 * over HTTP against the run's stub (and redis-server), each on a free port with a public URL naming it, makes
 * each one's first session and sign-in (slow on a fresh process: modules load, code is compiled) with a
 * generous limit before anything is timed, and stops them — and removes the audit file's folder — whatever
 * happens. Failures become `{ error }` results.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, startHttp, type RunningHttp } from './backend-run.js';
import { type AuditCostResult, countingTarget, measureAuditCost } from './measure/audit-cost.js';
import { type ConfirmedWriteResult, measureConfirmedWrites } from './measure/confirmed-write.js';
import type { Plan } from './plan.js';
import { freePort } from './ports.js';
import { nextSessionTag, type Scenario } from './scenario.js';
import { finmcp, finmcpRedis } from './servers/finmcp.js';
import { isUnavailable, type BenchEnv, type ServerUnderTest } from './servers/types.js';
import { httpTarget, openHttpSession } from './targets.js';

/** The backend these figures are about. */
export const WRITE_AUDIT_BACKEND = 'b4b';

type Failed = { error: string };

/**
 * Time limit of one call here: a fresh process's first write (or first call on a loaded machine) takes
 * seconds; a server that never answers still ends the measurement, after a few of these.
 */
const CALL_LIMIT_MS = 30_000;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `sut` started with extra settings, under its own id, its public URL naming the port it really listens on. */
function withSettings(sut: ServerUnderTest, id: string, extra: Record<string, string>): ServerUnderTest {
  return {
    ...sut,
    id,
    http(scenario, env, port) {
      const launch = sut.http(scenario, env, port);
      if (isUnavailable(launch)) return launch;
      const settings = { ...launch.launch.env, FINMCP_PUBLIC_URL: `http://127.0.0.1:${port}`, ...extra };
      return { ...launch, launch: { ...launch.launch, env: settings } };
    },
  };
}

/** Starts the servers, runs `measure` with them, stops them all. */
async function withServers<T>(
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  suts: readonly ServerUnderTest[],
  measure: (running: RunningHttp[]) => Promise<T>,
): Promise<T> {
  const running: RunningHttp[] = [];
  try {
    for (const sut of suts) running.push(await startHttp(sut, scenario, env, plan, await freePort()));
    for (const r of running) {
      const session = await openHttpSession(r.endpoint, r.setup, CALL_LIMIT_MS, nextSessionTag());
      await session.close();
    }
    return await measure(running);
  } finally {
    await Promise.all(running.map((r) => r.proc.stop()));
  }
}

/** The confirmed write, memory vs Redis (needs `env.redis`). */
export async function runConfirmedWrite(
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
): Promise<ConfirmedWriteResult | Failed> {
  progress(`${scenario.backend}: confirmed writes, state in memory vs on Redis (${plan.confirm.writes} each)`);
  try {
    const suts = [withSettings(finmcp, 'finmcp-write', {}), withSettings(finmcpRedis, 'finmcp-redis-write', {})];
    return await withServers(scenario, env, plan, suts, async ([memory, redis]) => {
      if (memory === undefined || redis === undefined) throw new Error('servers not started');
      if (memory.setup === undefined) throw new Error(`${scenario.backend} has no login to sign the writer in`);
      const login = { tool: memory.setup.tool.name, args: memory.setup.args(nextSessionTag()) };
      return measureConfirmedWrites(
        scenario,
        memory.tools,
        { memory: memory.endpoint, redis: redis.endpoint },
        login,
        {
          ...plan.confirm,
          timeoutMs: CALL_LIMIT_MS,
        },
        (operation) => stubCount(env, scenario.backend, operation),
      );
    });
  } catch (error) {
    progress(`${scenario.backend}: confirmed writes failed: ${message(error)}`);
    return { error: message(error) };
  }
}

/** How many requests the run's stub received for an operation (`POST /path`), null when it cannot tell. */
async function stubCount(env: BenchEnv, backend: string, operation: string): Promise<number | null> {
  try {
    const response = await fetch(`${env.stubOrigin(backend)}/__bench/stats`, { signal: AbortSignal.timeout(5000) });
    const stats = (await response.json()) as { byOperation?: Record<string, number> };
    return stats.byOperation?.[operation] ?? 0;
  } catch {
    return null;
  }
}

/** The number of lines of a file, or null when it cannot be read. */
async function lineCount(file: string): Promise<number | null> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return null;
  }
}

/** The probe with the audit trail off vs to a file. */
export async function runAuditCost(scenario: Scenario, env: BenchEnv, plan: Plan): Promise<AuditCostResult | Failed> {
  const a = plan.audit;
  progress(`${scenario.backend}: audit trail off vs to a file (${a.calls} calls, ${a.clients} clients × ${a.rounds})`);
  const dir = await mkdtemp(join(tmpdir(), 'finmcp-bench-audit-'));
  const file = join(dir, 'audit.jsonl');
  try {
    const suts = [
      withSettings(finmcp, 'finmcp-audit-off', { FINMCP_AUDIT: 'off' }),
      withSettings(finmcp, 'finmcp-audit-file', { FINMCP_AUDIT: `file:${file}` }),
    ];
    let audited: RunningHttp | undefined;
    const result = await withServers(scenario, env, plan, suts, async ([off, on]) => {
      if (off === undefined || on === undefined) throw new Error('servers not started');
      audited = on;
      const target = (r: RunningHttp, id: string) =>
        httpTarget(id, scenario, r.endpoint, r.proc.pid, r.tool, r.setup, CALL_LIMIT_MS);
      // The readiness session's sign-in (withServers) is one audited call too.
      const setupCalls = on.setup === undefined ? 0 : 1;
      const counted = countingTarget(target(on, 'finmcp-audit-file'), setupCalls, setupCalls);
      // Records are counted once the audited server has stopped (it flushes its trail on the way out).
      return measureAuditCost(scenario.backend, on.tool.name, target(off, 'finmcp-audit-off'), counted, a, async () => {
        await audited?.proc.stop();
        return lineCount(file);
      });
    });
    return result;
  } catch (error) {
    progress(`${scenario.backend}: audit cost failed: ${message(error)}`);
    return { error: message(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
