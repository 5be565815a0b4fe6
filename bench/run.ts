/**
 * `npm run bench` (= `npm run build && node dist/bench/run.js`): finmcp vs the floor vs two peers, same run.
 *
 * Starts the stub backend (its own process) for every spec, prepares what each server needs (sandbox OAuth
 * for finmcp's FinOpps users, a stub-issued token for the peers, the generated peer), times `finmcp
 * generate`, runs every measurement per backend (backend-run.ts), then writes bench/results.json and
 * BENCHMARKS.md. `--smoke` / BENCH_SMOKE=1 runs a tiny version for the test suite; `--only load` runs only the
 * many-client HTTP load (bench/results.load.json), `--only confirm` / `--only audit` only issue 21's confirmed
 * write and audit cost (write-audit-run.ts; bench/results.confirm.json, results.audit.json), `--only corpus` only
 * issue 23's public API corpus (measure/corpus.ts; bench/results.corpus.json). Everything listens and
 * connects on 127.0.0.1 only; every loop is bounded in count and time; every process it starts is stopped.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBackend, progress, type BackendResult } from './backend-run.js';
import { StdioMcpProcess } from './clients/mcp-stdio.js';
import { derive } from './derive.js';
import { machineInfo } from './machine.js';
import { measureCodeMode, renderCodeMode } from './measure/code-mode.js';
import { measureColdStart } from './measure/coldstart.js';
import { type CorpusResults, corpusOptions, measureCorpus } from './measure/corpus.js';
import { renderCorpus } from './measure/corpus-report.js';
import { measureGenerate, type GenerateResult } from './measure/generate.js';
import { measureLargeGenerate, type LargeGenerateResult } from './measure/generate-large.js';
import { makePlan, type Plan } from './plan.js';
import { freePort } from './ports.js';
import { readRssBytes, readSelfTreeCpuMs, readSystemBusyMs } from './proc.js';
import { readCorpusBefore, renderBenchmarksFile } from './benchmarks-file.js';
import type { RunResults } from './report.js';
import { loadScenario, type Scenario } from './scenario.js';
import { taggedLoginBody } from './spec.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { WRITE_AUDIT_BACKEND, runAuditCost, runConfirmedWrite } from './write-audit-run.js';
import { METRICS_SERVERS, runMetricsCost } from './metrics-run.js';
import { ratioBackend, renderRatio, type RatioBackendResult } from './ratio-run.js';
import { finmcp, finmcpBase, finmcpMetrics, finmcpNode, finmcpRedis } from './servers/finmcp.js';
import { finmcpKey, prepareFinmcpAuth, type FinmcpAuth } from './servers/finmcp-auth.js';
import { generator } from './servers/generator.js';
import { ivotoby } from './servers/ivotoby.js';
import { reference } from './servers/reference.js';
import type { BenchEnv, ServerUnderTest } from './servers/types.js';
import { tokenFromLoginAnswer } from './stub/server.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Every server the harness knows, by id. */
export const SERVERS: readonly ServerUnderTest[] = [
  finmcp,
  finmcpNode,
  finmcpBase,
  finmcpRedis,
  finmcpMetrics,
  ivotoby,
  generator,
  reference,
];

/** Operations to probe per backend, best first (the spec's "get one invoice"). */
const PROBES: Record<string, string[]> = { finopps: ['get_invoice'], b4b: ['get_invoice'] };

/** The project root: the nearest folder above this module whose package.json is named finmcp. */
export function findRoot(start: string = HERE): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'finmcp')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the finmcp project root');
    dir = parent;
  }
}

interface StubProcess {
  child: ChildProcessWithoutNullStreams;
  ports: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts the stub backend process for the scenarios and waits for its ports. */
async function startStubProcess(scenarios: readonly Scenario[]): Promise<StubProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./stub/main.js', import.meta.url)), ...scenarios.map((s) => `${s.backend}=${s.specFile}`)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stub did not start within 10 s: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline !== -1) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(out.slice(0, newline)) as { ports: Record<string, number> }).ports);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stub exited (${String(code)}): ${stderr}`));
    });
  });
  return {
    child,
    ports,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Logs in to the stub directly (the spec's login example) and returns the token it issued. */
async function stubLogin(scenario: Scenario, origin: string): Promise<string> {
  const login = scenario.login;
  if (login === undefined) return 'bench-static-token';
  const response = await fetch(`${origin}${scenario.basePath}${login.operation.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Tag 0: a token for servers that send one static credential, checked against no session.
    body: JSON.stringify(taggedLoginBody(login.body, 0)),
    signal: AbortSignal.timeout(5000),
  });
  const token = tokenFromLoginAnswer(await response.json());
  if (token === undefined) throw new Error(`${scenario.backend}: the stub's login answer has no token`);
  return token;
}

/** The floor of cold start and idle memory: a bare Node stdio responder. */
async function floorStartup(starts: number): Promise<{ coldStartMs: number | null; rssIdleBytes: number | null }> {
  const launch = {
    command: process.execPath,
    args: [fileURLToPath(new URL('./floor/stdio-server.js', import.meta.url))],
  };
  const cold = await measureColdStart(launch, starts, 10_000);
  const proc = StdioMcpProcess.spawn(launch);
  try {
    await proc.initialize(10_000);
    return { coldStartMs: cold.medianMs, rssIdleBytes: readRssBytes(proc.pid) };
  } finally {
    await proc.close();
  }
}

/** Runs the benchmark described by `plan` and returns the results (also written to disk). */
export async function runBench(plan: Plan, root: string): Promise<RunResults> {
  const started = performance.now();
  const systemBusyAtStart = readSystemBusyMs();
  const selfAtStart = readSelfTreeCpuMs();
  const machine = machineInfo();
  const servers = plan.servers.map((id) => {
    const server = SERVERS.find((s) => s.id === id);
    if (server === undefined) throw new Error(`unknown server "${id}" (known: ${SERVERS.map((s) => s.id).join(', ')})`);
    return server;
  });
  const notes: string[] = [];
  const scenarios: Scenario[] = [];
  for (const backend of plan.backends) {
    const specFile = join(root, 'specs', `${backend}.yaml`);
    if (!existsSync(specFile)) {
      notes.push(`${backend}: specs/${backend}.yaml does not exist, backend skipped.`);
      continue;
    }
    scenarios.push(loadScenario(backend, specFile, PROBES[backend] ?? []));
  }
  if (scenarios.length === 0) throw new Error('no backend to benchmark');

  const stub = await startStubProcess(scenarios);
  let auth: FinmcpAuth | undefined;
  let redis: RedisServer | undefined;
  try {
    const stubOrigin = (backend: string): string => `http://127.0.0.1:${stub.ports[backend] ?? 0}`;
    const staticTokens = new Map<string, string>();
    for (const scenario of scenarios)
      staticTokens.set(scenario.backend, await stubLogin(scenario, stubOrigin(scenario.backend)));

    const runsMetrics = plan.only === null || plan.only === 'metrics';
    // finmcp's ports are reserved up front: its users' tokens name the port in their audience.
    const finmcpServers = [
      ...new Set([
        ...servers.filter(
          (s) => s === finmcp || s === finmcpNode || s === finmcpBase || s === finmcpRedis || s === finmcpMetrics,
        ),
        ...(runsMetrics ? METRICS_SERVERS : []),
      ]),
    ];
    const finmcpPorts = new Map<string, number>();
    for (const server of finmcpServers) {
      for (const scenario of scenarios) finmcpPorts.set(finmcpKey(server.id, scenario.backend), await freePort());
    }
    const env: BenchEnv = {
      root,
      peersDir: join(root, 'bench', '.peers'),
      stubOrigin,
      staticBackendToken: (backend) => staticTokens.get(backend) ?? 'bench-static-token',
    };
    const writeAudit = scenarios.find((s) => s.backend === WRITE_AUDIT_BACKEND);
    const runsConfirm = writeAudit !== undefined && (plan.only === null || plan.only === 'confirm');
    const runsAudit = writeAudit !== undefined && (plan.only === null || plan.only === 'audit');
    if (servers.includes(finmcpRedis) || runsConfirm) {
      progress('starting redis-server for finmcp on Redis');
      const started = await startRedisServer();
      redis = started;
      env.redis = {
        url: started.url,
        stateKey: randomBytes(32).toString('base64'),
        usedMemoryBytes: async () => {
          const info = await started.cli('INFO', 'memory').catch(() => '');
          const used = /^used_memory:(\d+)/m.exec(info)?.[1];
          return used === undefined ? null : Number(used);
        },
      };
    }
    if (finmcpServers.length > 0) {
      progress('starting the sandbox authorization server for finmcp users');
      auth = await prepareFinmcpAuth(scenarios, finmcpPorts);
      env.finmcp = auth;
    }

    const peerGenerate: Record<string, number | null> = {};
    for (const server of servers) {
      if (server.prepare === undefined) continue;
      progress(`preparing ${server.id}`);
      try {
        peerGenerate[server.id] = (await server.prepare(scenarios, env)) ?? null;
      } catch (error) {
        peerGenerate[server.id] = null;
        notes.push(`${server.label}: preparation failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    let generate: GenerateResult | { error: string };
    if (plan.only !== null) {
      generate = { error: `not measured (--only ${plan.only})` };
    } else if (servers.includes(finmcp)) {
      progress(`timing finmcp generate ×${plan.generateRuns}`);
      generate = await measureGenerate(root, plan.generateRuns).catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      }));
    } else {
      generate = { error: 'finmcp not in this run' };
    }
    let generateLarge: LargeGenerateResult | { error: string } | undefined;
    if (servers.includes(finmcp) && plan.generateLarge && plan.only === null) {
      progress("timing finmcp generate on GitHub's REST description");
      generateLarge = await measureLargeGenerate(root).catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      }));
    }

    let floor: { coldStartMs: number | null; rssIdleBytes: number | null } = { coldStartMs: null, rssIdleBytes: null };
    if (plan.only === null) {
      progress('floor cold start');
      floor = await floorStartup(plan.coldStarts);
    }

    const backends: BackendResult[] = [];
    const ratio: RatioBackendResult[] = [];
    for (const scenario of scenarios) {
      if (plan.only === 'ratio') {
        ratio.push(
          await ratioBackend(scenario, {
            plan,
            env,
            servers,
            ...(stub.child.pid === undefined ? {} : { stubPid: stub.child.pid }),
            httpPort: async (server, backend) => finmcpPorts.get(finmcpKey(server.id, backend)) ?? (await freePort()),
          }),
        );
        continue;
      }
      if (plan.only === 'load' && !plan.load.backends.includes(scenario.backend)) continue;
      if (plan.only === 'confirm' || plan.only === 'audit' || plan.only === 'metrics') continue;
      backends.push(
        await benchBackend(scenario, {
          plan,
          env,
          servers,
          ...(stub.child.pid === undefined ? {} : { stubPid: stub.child.pid }),
          httpPort: async (server, backend) => finmcpPorts.get(finmcpKey(server.id, backend)) ?? (await freePort()),
        }),
      );
    }

    let codeMode: RunResults['codeMode'];
    if (plan.only === null && plan.mode === 'full') {
      progress('code mode: the task set per tool, with --dynamic and with --code');
      codeMode = await measureCodeMode().catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      }));
    }

    // Issue 21: a confirmed write, memory vs Redis; the audit trail off vs on (their own finmcp processes).
    const confirmedWrite = runsConfirm ? await runConfirmedWrite(writeAudit, env, plan) : undefined;
    const auditCost = runsAudit ? await runAuditCost(writeAudit, env, plan) : undefined;
    // Issue 26: FINMCP_METRICS off vs on, per backend.
    const metricsCost: RunResults['metricsCost'] = [];
    for (const scenario of runsMetrics ? scenarios : [])
      metricsCost.push(
        await runMetricsCost(scenario, env, plan, async (server, backend) => {
          return finmcpPorts.get(finmcpKey(server.id, backend)) ?? (await freePort());
        }),
      );
    // Issue 23: the public API corpus, each description generated and served alone (no stub needed).
    let corpus: RunResults['corpus'];
    if (plan.only === null && plan.corpus.run) {
      corpus = await measureCorpus(corpusOptions(plan.corpus, root)).catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      }));
    }

    // Stop what is still running, so that its CPU is counted as this benchmark's (a child's CPU joins ours
    // once it has exited): what the machine did beyond this process tree was other work competing with it.
    await auth?.stop();
    auth = undefined;
    await redis?.close();
    redis = undefined;
    await stub.stop();
    const systemBusyAtEnd = readSystemBusyMs();
    const selfAtEnd = readSelfTreeCpuMs();
    const elapsedMs = performance.now() - started;
    const otherCpuMs =
      systemBusyAtStart === null || systemBusyAtEnd === null || selfAtStart === null || selfAtEnd === null
        ? null
        : Math.max(0, systemBusyAtEnd - systemBusyAtStart - (selfAtEnd - selfAtStart));
    const { out: _out, markdown: _markdown, ...planFacts } = plan;
    const results: RunResults = {
      meta: {
        machine,
        command:
          plan.mode === 'smoke'
            ? 'BENCH_SMOKE=1 node dist/bench/run.js'
            : plan.only === null
              ? 'npm run bench'
              : `npm run bench -- --only ${plan.only}`,
        mode: plan.mode,
        plan: planFacts,
        durationSec: (performance.now() - started) / 1000,
        loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
        otherCpu:
          otherCpuMs === null
            ? null
            : {
                seconds: Math.round(otherCpuMs / 100) / 10,
                shareOfMachine: Math.round((otherCpuMs / (elapsedMs * machine.cores)) * 1000) / 1000,
              },
        notes,
      },
      floor,
      servers: servers.map((s) => ({ id: s.id, label: s.label, role: s.role, notes: s.notes })),
      backends,
      generate: {
        finmcp: generate,
        peers: peerGenerate,
        ...(generateLarge === undefined ? {} : { large: generateLarge }),
      },
      derived: derive(backends, generate, floor),
      ...(codeMode === undefined ? {} : { codeMode }),
      ...(confirmedWrite === undefined ? {} : { confirmedWrite }),
      ...(auditCost === undefined ? {} : { auditCost }),
      ...(metricsCost.length === 0 ? {} : { metricsCost }),
      ...(plan.only === 'ratio' ? { ratio } : {}),
      ...(corpus === undefined ? {} : { corpus }),
    };
    await mkdir(dirname(plan.out), { recursive: true });
    await writeFile(plan.out, `${JSON.stringify(results, null, 2)}\n`);
    // The full run refreshes code mode's own file too, so that `--only code` and the full run never disagree.
    if (codeMode !== undefined && !('error' in codeMode) && plan.out === join(root, 'bench', 'results.json'))
      await writeFile(join(root, 'bench', 'results.code.json'), `${JSON.stringify(codeMode, null, 2)}\n`);
    if (plan.markdown !== null) await renderBenchmarksFile(root, plan.markdown, results);
    if (plan.only === 'ratio') process.stdout.write(`${renderRatio(ratio)}\n`);
    progress(
      `done in ${results.meta.durationSec.toFixed(1)} s: ${plan.out}${plan.markdown === null ? '' : ` and ${plan.markdown}`}`,
    );
    return results;
  } finally {
    await auth?.stop();
    await redis?.close();
    await stub.stop();
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
/** `--only code`: code mode's task set alone, into bench/results.code.json; its BENCHMARKS.md section is printed. */
async function runCodeModeOnly(plan: Plan): Promise<void> {
  progress('code mode: the task set per tool, with --dynamic and with --code');
  const results = await measureCodeMode();
  await mkdir(dirname(plan.out), { recursive: true });
  await writeFile(plan.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderCodeMode(results)}\n`);
  progress(`done: ${plan.out}`);
}

/**
 * `--only corpus`: the public API corpus alone, into bench/results.corpus.json (or `--out`: the before record is
 * written this way with BENCH_CORPUS_ROOT and BENCH_CORPUS_COMMIT); its section is printed, and BENCHMARKS.md
 * rewritten with it only when `--markdown <file>` asks.
 */
async function runCorpusOnly(plan: Plan, root: string): Promise<void> {
  const results: CorpusResults = await measureCorpus(corpusOptions(plan.corpus, root));
  await mkdir(dirname(plan.out), { recursive: true });
  await writeFile(plan.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderCorpus(results, await readCorpusBefore(root))}\n`);
  if (plan.markdown !== null) await renderBenchmarksFile(root, plan.markdown);
  progress(`done in ${results.durationSec.toFixed(1)} s: ${plan.out}`);
}

if (invokedDirectly) {
  const root = findRoot();
  const plan = makePlan(process.argv.slice(2), process.env, root);
  const only = { code: () => runCodeModeOnly(plan), corpus: () => runCorpusOnly(plan, root) } as const;
  (plan.only === 'code' || plan.only === 'corpus' ? only[plan.only]() : runBench(plan, root)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
