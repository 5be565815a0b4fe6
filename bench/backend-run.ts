/**
 * Everything measured for one backend, in an order that keeps figures comparable: cold starts first (nothing
 * else running), then every server started once per transport and held for the whole backend; idle memory;
 * sequential latency per target; throughput points run round by round, interleaved across servers (so JIT
 * warm-up and machine noise hit every server alike); memory after the load; B4B session memory last.
 */
import { checkAnswer } from './check.js';
import { toolCallParams } from './clients/jsonrpc.js';
import { McpHttpSession, type McpHttpEndpoint } from './clients/mcp-http.js';
import { StdioMcpProcess } from './clients/mcp-stdio.js';
import { measureColdStart, type ColdStartResult } from './measure/coldstart.js';
import { measureLatency, type LatencyResult } from './measure/latency.js';
import { monotonicUs, profileDir, profiledServer, summariseProfile, type ProfileSummary } from './measure/profile.js';
import { loadErrors, measureLoad, type LoadResult } from './measure/load.js';
import { measureSessionMemory, type SessionMemoryResult } from './measure/sessions.js';
import { measureThroughput, type ThroughputResult } from './measure/throughput.js';
import { toolsListSize, type ToolsListSize } from './measure/tools.js';
import type { Plan } from './plan.js';
import { readRssBytes } from './proc.js';
import { findTool, loginBody, nextSessionTag, toolArguments, type ListedTool, type Scenario } from './scenario.js';
import { ServerProcess } from './server-process.js';
import { isUnavailable, type BenchEnv, type ServerUnderTest } from './servers/types.js';
import {
  MODERN_VARIANT,
  floorTarget,
  httpTarget,
  stdioTarget,
  type LoadTarget,
  type SessionSetupCall,
} from './targets.js';

/** What happened to one transport of one server. */
interface TransportStatus {
  /** Why it was not measured (a limitation of that server), if it was not. */
  unavailable?: string;
  /** Why it failed (a fault during the run), if it did. */
  error?: string;
  rssIdleBytes?: number | null;
  rssAfterLoadBytes?: number | null;
  /** Non-JSON lines its stdout carried (stdio only): each would break a strict client. */
  nonJsonLines?: number;
}

/** One server's results for one backend (latency and throughput are in the backend's lists). */
export interface ServerBackendResult {
  id: string;
  label: string;
  role: ServerUnderTest['role'];
  coldStart: (Omit<ColdStartResult, 'tools'> & { starts: number }) | { unavailable?: string; error?: string };
  toolsList: ToolsListSize | null;
  stdio: TransportStatus;
  http: TransportStatus;
  sessions?: SessionMemoryResult | { error: string };
}

/** All results of one backend. */
export interface BackendResult {
  backend: string;
  probe: { operationId?: string; method: string; path: string; echoParam: string };
  servers: ServerBackendResult[];
  latency: LatencyResult[];
  throughput: ThroughputResult[];
  /** Many concurrent HTTP clients against finmcp, when this backend is in the plan's load list. */
  load?: LoadResult | { error: string };
  /** finmcp's CPU profile over stdio at 16 in flight (one extra point on a process of its own). */
  profile?: ProfileSummary | { error: string };
  stub: unknown;
}

export interface RunningStdio {
  proc: StdioMcpProcess;
  tool: ListedTool;
  /** Session tag of its login (0: none). */
  tag: number;
}

export interface RunningHttp {
  proc: ServerProcess;
  endpoint: McpHttpEndpoint;
  tool: ListedTool;
  /** Its whole tools/list. */
  tools: ListedTool[];
  setup?: SessionSetupCall;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Logs progress on stderr (stdout stays clean for the caller). */
export function progress(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** The login call a session must make on this server, when it must. */
function loginSetup(
  sut: ServerUnderTest,
  scenario: Scenario,
  tools: readonly ListedTool[],
): SessionSetupCall | undefined {
  if (!sut.logsInPerSession(scenario) || scenario.login === undefined) return undefined;
  const tool = findTool(tools, scenario.login.operation);
  if (tool === undefined)
    throw new Error(`no tool for ${scenario.login.operation.operationId ?? 'login'} in tools/list`);
  return { tool, args: (tag) => toolArguments(tool, loginBody(scenario, tag)) };
}

function probeTool(tools: readonly ListedTool[], scenario: Scenario): ListedTool {
  const tool = findTool(tools, scenario.probe);
  if (tool === undefined) {
    throw new Error(
      `no tool for ${scenario.probe.operationId ?? scenario.probe.path} among ${tools.map((t) => t.name).join(', ')}`,
    );
  }
  return tool;
}

export async function startStdio(
  sut: ServerUnderTest,
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  readyMs = 15_000,
): Promise<RunningStdio> {
  const launch = sut.stdio(scenario, env);
  if (isUnavailable(launch)) throw new Error(launch.unavailable);
  const proc = StdioMcpProcess.spawn(launch);
  try {
    await proc.initialize(readyMs);
    const list = await proc.request('tools/list', undefined, plan.callTimeoutMs);
    const tools = (list.message.result?.tools as ListedTool[] | undefined) ?? [];
    const tool = probeTool(tools, scenario);
    const setup = loginSetup(sut, scenario, tools);
    let tag = 0;
    if (setup !== undefined) {
      tag = nextSessionTag();
      const id = proc.allocateId();
      const answer = await proc.requestWithId(
        id,
        'tools/call',
        toolCallParams(setup.tool.name, setup.args(tag)),
        plan.callTimeoutMs,
      );
      const outcome = checkAnswer(answer.message, answer.raw, id);
      if (outcome.kind !== 'ok') throw new Error(`login failed: ${outcome.detail ?? outcome.kind}`);
    }
    return { proc, tool, tag };
  } catch (error) {
    const stderr = proc.stderr();
    await proc.close();
    throw new Error(`${message(error)}${stderr === '' ? '' : `\n${stderr}`}`);
  }
}

/** Starts a server over HTTP on `port` and waits until it answers `initialize` and `tools/list`. */
export async function startHttp(
  sut: ServerUnderTest,
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
  port: number,
  readyMs = 20_000,
): Promise<RunningHttp> {
  const launch = sut.http(scenario, env, port);
  if (isUnavailable(launch)) throw new Error(launch.unavailable);
  const endpoint: McpHttpEndpoint = {
    host: '127.0.0.1',
    port: launch.port,
    path: launch.path,
    ...(launch.headers === undefined ? {} : { headers: launch.headers }),
    ...(launch.answersOnGetStream === true ? { answersOnGetStream: true } : {}),
  };
  const proc = new ServerProcess(launch.launch);
  const deadline = performance.now() + readyMs;
  let lastError = 'not started';
  try {
    while (performance.now() < deadline) {
      if (proc.hasExited) throw new Error(`exited during start-up: ${proc.output()}`);
      const session = new McpHttpSession(endpoint);
      try {
        await session.initialize(readyMs / 10);
        const list = await session.request(1, 'tools/list', undefined, plan.callTimeoutMs);
        await session.close();
        if (list.message.error !== undefined) throw new Error(`tools/list failed: ${list.message.error.message}`);
        const tools = (list.message.result?.tools as ListedTool[] | undefined) ?? [];
        const tool = probeTool(tools, scenario);
        const setup = loginSetup(sut, scenario, tools);
        return { proc, endpoint, tool, tools, ...(setup === undefined ? {} : { setup }) };
      } catch (error) {
        session.disconnect();
        lastError = message(error);
        // Connection refused while the server boots is expected; anything else will repeat until the deadline.
        await sleep(100);
      }
    }
    throw new Error(`not ready within ${readyMs / 1000} s: ${lastError}`);
  } catch (error) {
    const output = proc.output();
    await proc.stop();
    throw new Error(`${message(error)}${output === '' ? '' : `\n${output}`}`);
  }
}

/** PROFILE_CLIENTS requests in flight on a fresh stdio process run under `node --cpu-prof`, summarised. */
const PROFILE_CLIENTS = 16;

async function profileStdio(
  sut: ServerUnderTest,
  scenario: Scenario,
  env: BenchEnv,
  plan: Plan,
): Promise<ProfileSummary> {
  const dir = await profileDir();
  const profiled = profiledServer(sut, dir);
  let calls = 0;
  const window = { fromUs: 0, toUs: 0 };
  const running = await startStdio(profiled, scenario, env, plan);
  try {
    const target = stdioTarget(sut.id, scenario, running.proc, running.tool, plan.callTimeoutMs, running.tag);
    // Warmed up like the measured points, so that the profile shows the steady state, not the JIT's first passes.
    if (plan.loadWarmupMs > 0) await measureThroughput(target, PROFILE_CLIENTS, plan.loadWarmupMs, 0);
    window.fromUs = monotonicUs();
    const point = await measureThroughput(target, PROFILE_CLIENTS, plan.durationMs, 0);
    window.toUs = monotonicUs();
    calls = point.outcomes.ok;
  } finally {
    // Closing stdin ends the server, which writes its profile as it exits.
    await running.proc.close();
  }
  return summariseProfile(dir, calls, PROFILE_CLIENTS, window);
}

/** Options of {@link benchBackend} that come from the run. */
export interface BackendRunOptions {
  plan: Plan;
  env: BenchEnv;
  servers: readonly ServerUnderTest[];
  /** Process id of the stub backend (its CPU is reported per call too). */
  stubPid?: number;
  /** Free port for a server's HTTP transport on this backend. */
  httpPort(server: ServerUnderTest, backend: string): Promise<number>;
}

/** Runs every measurement for one backend. */
export async function benchBackend(scenario: Scenario, options: BackendRunOptions): Promise<BackendResult> {
  const { plan, env, servers } = options;
  /** Everything, or (`--only load`) the finmcp HTTP server and the many-client load alone. */
  const full = plan.only === null;
  const results = new Map<string, ServerBackendResult>();
  for (const sut of servers) {
    results.set(sut.id, {
      id: sut.id,
      label: sut.label,
      role: sut.role,
      coldStart: {},
      toolsList: null,
      stdio: {},
      http: {},
    });
  }
  const resultOf = (sut: ServerUnderTest): ServerBackendResult => results.get(sut.id) as ServerBackendResult;

  // 1. Cold starts and tools/list, with nothing else running.
  for (const sut of full ? servers : []) {
    const launch = sut.stdio(scenario, env);
    const result = resultOf(sut);
    if (isUnavailable(launch)) {
      result.coldStart = { unavailable: launch.unavailable };
      continue;
    }
    progress(`${scenario.backend}: cold start ×${plan.coldStarts} ${sut.id}`);
    try {
      const cold = await measureColdStart(launch, plan.coldStarts, 20_000);
      result.coldStart = { samplesMs: cold.samplesMs, medianMs: cold.medianMs, starts: cold.samplesMs.length };
      result.toolsList = toolsListSize(cold.tools);
    } catch (error) {
      result.coldStart = { error: message(error) };
    }
  }

  // 2. Start every server once per transport.
  const stdio = new Map<string, RunningStdio>();
  const http = new Map<string, RunningHttp>();
  const latency: LatencyResult[] = [];
  const throughput: ThroughputResult[] = [];
  let stub: unknown;
  let load: LoadResult | { error: string } | undefined;
  let profile: ProfileSummary | { error: string } | undefined;
  try {
    for (const sut of servers) {
      const result = resultOf(sut);
      const stdioLaunch = sut.stdio(scenario, env);
      if (isUnavailable(stdioLaunch)) {
        result.stdio.unavailable = stdioLaunch.unavailable;
      } else if (full) {
        progress(`${scenario.backend}: starting ${sut.id} (stdio)`);
        try {
          const running = await startStdio(sut, scenario, env, plan);
          stdio.set(sut.id, running);
          result.stdio.rssIdleBytes = readRssBytes(running.proc.pid);
        } catch (error) {
          result.stdio.error = message(error);
        }
      }
      const port = await options.httpPort(sut, scenario.backend);
      const httpLaunch = sut.http(scenario, env, port);
      if (isUnavailable(httpLaunch)) {
        result.http.unavailable = httpLaunch.unavailable;
      } else {
        progress(`${scenario.backend}: starting ${sut.id} (http :${port})`);
        try {
          const running = await startHttp(sut, scenario, env, plan, port);
          http.set(sut.id, running);
          result.http.rssIdleBytes = readRssBytes(running.proc.pid);
        } catch (error) {
          result.http.error = message(error);
        }
      }
    }

    // 3. Targets: the floor, then each running server per transport.
    const authorization = `Bearer ${env.staticBackendToken(scenario.backend)}`;
    const targets: LoadTarget[] = [
      floorTarget(scenario, env.stubOrigin(scenario.backend), authorization, plan.callTimeoutMs),
    ];
    for (const sut of servers) {
      const s = stdio.get(sut.id);
      if (s !== undefined) targets.push(stdioTarget(sut.id, scenario, s.proc, s.tool, plan.callTimeoutMs, s.tag));
      const h = http.get(sut.id);
      if (h !== undefined)
        targets.push(httpTarget(sut.id, scenario, h.endpoint, h.proc.pid, h.tool, h.setup, plan.callTimeoutMs));
      // finmcp also serves MCP 2026-07-28 requests: their own rows, on the same processes.
      if (sut.role === 'subject' && s !== undefined)
        targets.push(stdioTarget(sut.id, scenario, s.proc, s.tool, plan.callTimeoutMs, s.tag, true));
      if (sut.role === 'subject' && h !== undefined) {
        targets.push(
          httpTarget(sut.id, scenario, h.endpoint, h.proc.pid, h.tool, h.setup, plan.callTimeoutMs, MODERN_VARIANT),
        );
      }
    }
    // Peers over HTTP also run without id collisions between sessions (throughput points only), so that the
    // best-peer comparison is against the peer at its best, not only at its known fault.
    const uniqueIdTargets: LoadTarget[] = [];
    for (const sut of servers) {
      const h = http.get(sut.id);
      if (h !== undefined && sut.role === 'peer') {
        uniqueIdTargets.push(
          httpTarget(sut.id, scenario, h.endpoint, h.proc.pid, h.tool, h.setup, plan.callTimeoutMs, 'unique ids'),
        );
      }
    }

    if (!full) targets.length = 0;
    if (!full) uniqueIdTargets.length = 0;

    // 4. Let freshly started processes finish their start-up work (background compilation, GC), then warm
    //    every target up under load (JIT for the concurrent paths of servers and load generator alike).
    //    Nothing of this is recorded; both measured rounds still show what warm-up remains.
    if (full) await sleep(plan.settleMs);
    if (full && plan.loadWarmupMs > 0) {
      const warmupClients = Math.min(16, Math.max(...plan.concurrency));
      progress(`${scenario.backend}: warm-up, ${plan.loadWarmupMs} ms × ${warmupClients} clients per target`);
      // A peer known to misroute colliding ids warms up without collisions: its time-outs would only stall.
      const warmupTargets = targets.map(
        (t) => uniqueIdTargets.find((u) => u.server === t.server && u.transport === t.transport) ?? t,
      );
      for (const target of warmupTargets) {
        await measureThroughput(target, warmupClients, plan.loadWarmupMs, 0).catch(() => undefined);
      }
    }

    // 5. Sequential latency.
    for (const target of targets) {
      progress(`${scenario.backend}: latency ${target.server}/${target.transport} (${plan.latency.calls} calls)`);
      try {
        latency.push(await measureLatency(target, plan.latency.warmup, plan.latency.calls, plan.latency.maxMs));
      } catch (error) {
        progress(`  failed: ${message(error)}`);
      }
    }

    // 6. Throughput, round by round, interleaved across servers.
    for (let round = 1; round <= plan.rounds; round += 1) {
      for (const concurrency of plan.concurrency) {
        const pointTargets = plan.uniqueIdConcurrency.includes(concurrency)
          ? [...targets, ...uniqueIdTargets]
          : targets;
        for (const target of pointTargets) {
          const name = `${target.server}/${target.transport}${target.variant === undefined ? '' : ` (${target.variant})`}`;
          try {
            const point = await measureThroughput(target, concurrency, plan.durationMs, round, options.stubPid);
            throughput.push(point);
            progress(
              `${scenario.backend}: round ${round} ${name} ×${concurrency}: ` +
                `${Math.round(point.callsPerSec)} calls/s, mismatches ${point.outcomes.mismatches}`,
            );
          } catch (error) {
            progress(`${scenario.backend}: round ${round} ${name} ×${concurrency} failed: ${message(error)}`);
          }
        }
      }
    }

    // 6b. Where the subject's CPU goes: one more stdio point on a profiled process of its own.
    const profiled = servers.find((sut) => sut.role === 'subject');
    if (full && plan.profile && profiled !== undefined && stdio.has(profiled.id)) {
      progress(`${scenario.backend}: CPU profile of ${profiled.id}/stdio ×16 for ${plan.durationMs} ms`);
      profile = await profileStdio(profiled, scenario, env, plan).catch((error: unknown) => ({
        error: message(error),
      }));
    }

    // 7. Memory after the load.
    for (const sut of servers) {
      const result = resultOf(sut);
      const s = stdio.get(sut.id);
      if (s !== undefined) {
        result.stdio.rssAfterLoadBytes = readRssBytes(s.proc.pid);
        result.stdio.nonJsonLines = s.proc.nonJsonLines;
      }
      const h = http.get(sut.id);
      if (h !== undefined) result.http.rssAfterLoadBytes = readRssBytes(h.proc.pid);
    }

    // 7b. Many concurrent HTTP clients against finmcp (after the throughput points, on the same process).
    const subject = servers.find((sut) => sut.role === 'subject');
    const subjectHttp = subject === undefined ? undefined : http.get(subject.id);
    if (plan.load.backends.includes(scenario.backend) && subject !== undefined) {
      if (subjectHttp === undefined) {
        load = {
          error: `${subject.id} over HTTP is not running: ${resultOf(subject).http.error ?? resultOf(subject).http.unavailable ?? 'not started'}`,
        };
      } else {
        progress(
          `${scenario.backend}: load, ${plan.load.clients} HTTP clients for ${plan.load.durationMs / 1000} s on ${subject.id}`,
        );
        const target = httpTarget(
          subject.id,
          scenario,
          subjectHttp.endpoint,
          subjectHttp.proc.pid,
          subjectHttp.tool,
          subjectHttp.setup,
          plan.load.callTimeoutMs,
        );
        try {
          load = await measureLoad(
            target,
            scenario.backend,
            plan.load.clients,
            plan.load.durationMs,
            subject.connectionCap ?? null,
          );
          progress(
            `${scenario.backend}: load: ${Math.round(load.callsPerSec)} calls/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ` +
              `errors ${loadErrors(load)}, ` +
              `mismatches ${load.outcomes.mismatches}`,
          );
        } catch (error) {
          load = { error: message(error) };
          progress(`${scenario.backend}: load failed: ${load.error}`);
        }
      }
    }

    // 8. Memory per open session, for a backend whose users log in (stateful sessions): on a fresh process.
    if (full && scenario.login !== undefined) {
      for (const sut of servers) {
        const loaded = http.get(sut.id);
        // The reference keeps no sessions: nothing to measure.
        if (loaded === undefined || sut.role === 'reference') continue;
        progress(`${scenario.backend}: ${plan.sessions} sessions on a fresh ${sut.id}`);
        // The loaded server has done its part (its memory after load is recorded): replace it on the same
        // port, since finmcp's user tokens name the port in their audience.
        await loaded.proc.stop();
        http.delete(sut.id);
        let fresh: RunningHttp | undefined;
        try {
          fresh = await startHttp(sut, scenario, env, plan, loaded.endpoint.port);
          resultOf(sut).sessions = await measureSessionMemory(
            fresh.proc.pid,
            fresh.endpoint,
            fresh.setup,
            plan.sessions,
            plan.sessionWarmup,
            plan.callTimeoutMs,
            sut.stateStoreBytes === undefined ? undefined : () => sut.stateStoreBytes!(env),
          );
        } catch (error) {
          resultOf(sut).sessions = { error: message(error) };
        } finally {
          await fresh?.proc.stop();
        }
      }
    }

    stub = await fetch(`${env.stubOrigin(scenario.backend)}/__bench/stats`, { signal: AbortSignal.timeout(2000) })
      .then((response) => response.json())
      .catch(() => undefined);
  } finally {
    await Promise.all([...stdio.values()].map((s) => s.proc.close()));
    await Promise.all([...http.values()].map((h) => h.proc.stop()));
  }

  return {
    backend: scenario.backend,
    probe: {
      ...(scenario.probe.operationId === undefined ? {} : { operationId: scenario.probe.operationId }),
      method: scenario.probe.method.toUpperCase(),
      path: scenario.probe.path,
      echoParam: scenario.echoParam,
    },
    servers: [...results.values()],
    latency,
    throughput,
    ...(load === undefined ? {} : { load }),
    ...(profile === undefined ? {} : { profile }),
    stub,
  };
}
