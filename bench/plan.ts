/**
 * How big a run is. The full run is sized to finish `npm run bench` in under five minutes on two cores:
 * 2,000 sequential calls per target for latency, 2 s per throughput point (1, 16, 64 clients), each point run
 * twice (interleaved across servers), five cold starts, 1,000 sessions. The smoke run (`--smoke` or
 * BENCH_SMOKE=1) produces every figure from a few hundred calls, finmcp and the floor only unless peers are
 * asked for, for the test suite. Environment variables override single knobs (documented in BENCHMARKS.md).
 * The many-client load (issue 14: 1,000 concurrent HTTP clients for 60 s, B4B) runs in both modes (50 clients
 * for 2 s in the smoke run); `--only load` runs nothing else (results in bench/results.load.json, no report), nor does
 * `--only code` (code mode's task set in three modes: bench/results.code.json, its section printed), nor do
 * `--only confirm` (a confirmed B4B write with the claim in memory vs on Redis: bench/results.confirm.json) and
 * `--only audit` (the audit trail on vs off: bench/results.audit.json); both run in the full and smoke runs too, as
 * does `--only metrics` (FINMCP_METRICS on vs off, rounds interleaved: bench/results.metrics.json; outside the smoke
 * run also each side's instructions per call under callgrind, which takes minutes per backend).
 * `--only ratio` runs finmcp and the reference alone at 16 clients, interleaved (bench/results.ratio.json, the
 * ratio table printed; BENCH_PROFILE=1 adds a profiled point per server and transport): issue 27's figures.
 * The public API corpus (issue 23: generate, generated/ size, start-up and listing per public description; see
 * measure/corpus.ts) runs in the full run and alone with `--only corpus` (bench/results.corpus.json), not in the smoke run.
 */
import { join } from 'node:path';

/** The sections `--only` can run alone. */
const ONLY_PARTS = ['load', 'code', 'confirm', 'audit', 'metrics', 'ratio', 'corpus'] as const;
type OnlyPart = (typeof ONLY_PARTS)[number];

function isOnlyPart(value: string): value is OnlyPart {
  return (ONLY_PARTS as readonly string[]).includes(value);
}

/** The public API corpus: whether it runs, which build is measured, and each step's limits. */
export interface CorpusPlan {
  run: boolean;
  /** The built finmcp measured (BENCH_CORPUS_ROOT; default this project). */
  root: string;
  /** The commit that build is of (BENCH_CORPUS_COMMIT; null: asked of git). */
  commit: string | null;
  /** Backends measured (BENCH_CORPUS_SPECS; empty: all). */
  specs: string[];
  generateHeapMb: number;
  generateTimeoutMs: number;
  startTimeoutMs: number;
}

/** The run's size and scope. */
export interface Plan {
  mode: 'full' | 'smoke';
  /** Run only this section (`--only load`, `--only code`, …); null: everything. */
  only: OnlyPart | null;
  backends: string[];
  servers: string[];
  latency: { warmup: number; calls: number; maxMs: number };
  concurrency: number[];
  /** Concurrency levels at which peers' HTTP servers are also loaded with unique JSON-RPC ids per session. */
  uniqueIdConcurrency: number[];
  rounds: number;
  durationMs: number;
  /** Pause after starting a backend's servers, before anything is measured. */
  settleMs: number;
  /** Unrecorded load per target before the first measurement (0: none). */
  loadWarmupMs: number;
  coldStarts: number;
  sessions: number;
  /** Sessions opened on the fresh server before the session-memory baseline is read. */
  sessionWarmup: number;
  generateRuns: number;
  /** Also time `finmcp generate` on GitHub's REST description (fetched once with npm pack). */
  generateLarge: boolean;
  callTimeoutMs: number;
  /**
   * One extra stdio point of finmcp at 16 in flight under `node --cpu-prof`, summarised (BENCH_PROFILE=0/1); in
   * `--only ratio` (BENCH_PROFILE=1 only) one per server and transport.
   */
  profile: boolean;
  /**
   * `--only ratio` with BENCH_ICOUNT=1: instructions per call under callgrind (bench/measure/icount.ts), after
   * unrecorded calls (5,000: after 2,000, V8's optimising compiler still spent ~150k instructions per counted call on
   * finmcp and ~75k on the reference, swamping the difference); null: not counted.
   */
  icount: {
    warmup: number;
    calls: number;
    clients: number;
    /** BENCH_ICOUNT_TRANSPORTS (stdio,http), BENCH_ICOUNT_ERAS (2025-11-25,2026-07-28: the subject's eras). */
    transports: Array<'stdio' | 'http'>;
    eras: string[];
  } | null;
  /** Confirmed B4B writes per state store (memory, Redis), after unrecorded ones. */
  confirm: { writes: number; warmup: number };
  /** The probe with the audit trail off and on: sequential calls, then CPU under load. */
  audit: { warmup: number; calls: number; maxMs: number; clients: number; durationMs: number; rounds: number };
  /**
   * FINMCP_METRICS off vs on over HTTP, per backend: at each client count, `rounds` pairs of points, both sides loaded
   * at once (BENCH_METRICS_TOGETHER=0: one at a time, alternating the order); `profile` adds one point per side under
   * `node --cpu-prof` (BENCH_METRICS_PROFILE=1).
   */
  metrics: {
    clients: number[];
    durationMs: number;
    rounds: number;
    warmupCalls: number;
    warmupMaxMs: number;
    together: boolean;
    profile: boolean;
    /** Backends measured (the smoke run: B4B alone, to stay short). */
    backends: string[];
    /**
     * Instructions per call of each side under callgrind (BENCH_METRICS_ICOUNT=0: not counted; off in the smoke
     * run): both started, warmed up with `warmup` calls, then `rounds` counts of `calls` calls alternating off/on.
     */
    icount: { warmup: number; calls: number; clients: number; rounds: number } | null;
  };
  /** Many concurrent HTTP clients against finmcp, per backend listed. */
  load: { clients: number; durationMs: number; backends: string[]; callTimeoutMs: number };
  /** The public API corpus: whether it runs, which build is measured, and each step's limits. */
  corpus: CorpusPlan;
  /** Where results.json goes. */
  out: string;
  /** Where the Markdown report goes (null: none). */
  markdown: string | null;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return value;
}

function listFrom(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Builds the plan from command-line flags and environment variables. */
export function makePlan(argv: readonly string[], env: NodeJS.ProcessEnv, root: string): Plan {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1' || env.BENCH_SMOKE === 'true';
  const only = flag('--only') ?? env.BENCH_ONLY;
  if (only !== undefined && !isOnlyPart(only))
    throw new Error(`--only knows these sections: ${ONLY_PARTS.join(', ')} (got "${only}")`);
  const peers = argv.includes('--peers') || env.BENCH_PEERS === '1';
  // Metrics on vs off has a section of its own (`finmcp-metrics` beside `finmcp`, interleaved), not throughput rows.
  const allServers = ['finmcp', 'finmcp-redis', 'ivotoby', 'openapi-mcp-generator', 'reference'];
  const finmcpOnly = only === 'load' || only === 'confirm' || only === 'audit' || only === 'metrics';
  // The smoke run (inside `npm test`) stays finmcp alone; `--peers` adds the peers and the reference.
  const defaultServers =
    only === 'ratio' ? ['finmcp', 'reference'] : finmcpOnly || (smoke && !peers) ? ['finmcp'] : allServers;
  const servers = listFrom(env, 'BENCH_SERVERS', defaultServers);
  const defaultOut = smoke ? 'results.tmp.json' : only === undefined ? 'results.json' : `results.${only}.json`;
  const out = flag('--out') ?? env.BENCH_OUT ?? join(root, 'bench', defaultOut);
  const markdownFlag = flag('--markdown') ?? env.BENCH_MARKDOWN;
  const markdown =
    markdownFlag === 'none'
      ? null
      : (markdownFlag ?? (smoke || only !== undefined ? null : join(root, 'BENCHMARKS.md')));
  return {
    mode: smoke ? 'smoke' : 'full',
    only: only ?? null,
    backends: listFrom(env, 'BENCH_BACKENDS', ['finopps', 'b4b']),
    servers,
    latency: {
      warmup: numberFrom(env, 'BENCH_WARMUP', smoke ? 50 : 300),
      calls: numberFrom(env, 'BENCH_CALLS', smoke ? 200 : 2000),
      // A stuck server must not hold the run: sequential latency stops after this long whatever the count.
      maxMs: numberFrom(env, 'BENCH_LATENCY_MAX_MS', smoke ? 10_000 : 15_000),
    },
    concurrency: listFrom(env, 'BENCH_CONCURRENCY', smoke ? ['4'] : only === 'ratio' ? ['16'] : ['1', '16', '64']).map(
      Number,
    ),
    uniqueIdConcurrency: listFrom(env, 'BENCH_UNIQUE_ID_CONCURRENCY', ['16', '64']).map(Number),
    rounds: numberFrom(env, 'BENCH_ROUNDS', smoke ? 1 : 2),
    durationMs: numberFrom(env, 'BENCH_DURATION_MS', smoke ? 300 : 2000),
    settleMs: numberFrom(env, 'BENCH_SETTLE_MS', smoke ? 0 : 1000),
    loadWarmupMs: numberFrom(env, 'BENCH_LOAD_WARMUP_MS', smoke ? 0 : 500),
    coldStarts: numberFrom(env, 'BENCH_COLD_STARTS', smoke ? 1 : 5),
    sessions: numberFrom(env, 'BENCH_SESSIONS', smoke ? 20 : 1000),
    sessionWarmup: numberFrom(env, 'BENCH_SESSION_WARMUP', smoke ? 5 : 100),
    generateRuns: numberFrom(env, 'BENCH_GENERATE_RUNS', smoke ? 1 : 3),
    generateLarge: env['BENCH_GENERATE_LARGE'] !== undefined ? env['BENCH_GENERATE_LARGE'] === '1' : !smoke,
    callTimeoutMs: numberFrom(env, 'BENCH_CALL_TIMEOUT_MS', 3000),
    // As long as one throughput point, on a process of its own; off in the smoke run unless BENCH_PROFILE=1.
    profile:
      only === 'ratio'
        ? env.BENCH_PROFILE === '1'
        : only === undefined && (env.BENCH_PROFILE === undefined ? !smoke : env.BENCH_PROFILE === '1'),
    icount:
      only === 'ratio' && env.BENCH_ICOUNT === '1'
        ? {
            warmup: numberFrom(env, 'BENCH_ICOUNT_WARMUP', 5000),
            calls: numberFrom(env, 'BENCH_ICOUNT_CALLS', 2000),
            clients: numberFrom(env, 'BENCH_ICOUNT_CLIENTS', 16),
            transports: listFrom(env, 'BENCH_ICOUNT_TRANSPORTS', ['stdio', 'http']).filter(
              (t): t is 'stdio' | 'http' => t === 'stdio' || t === 'http',
            ),
            eras: listFrom(env, 'BENCH_ICOUNT_ERAS', ['2025-11-25', '2026-07-28']),
          }
        : null,
    confirm: {
      writes: numberFrom(env, 'BENCH_CONFIRM_WRITES', smoke ? 10 : 500),
      warmup: numberFrom(env, 'BENCH_CONFIRM_WARMUP', smoke ? 3 : 50),
    },
    audit: {
      warmup: numberFrom(env, 'BENCH_AUDIT_WARMUP', smoke ? 20 : 300),
      calls: numberFrom(env, 'BENCH_AUDIT_CALLS', smoke ? 100 : 2000),
      // Both servers' calls alternate within this bound.
      maxMs: smoke ? 10_000 : 30_000,
      clients: numberFrom(env, 'BENCH_AUDIT_CLIENTS', smoke ? 4 : 16),
      durationMs: numberFrom(env, 'BENCH_AUDIT_DURATION_MS', smoke ? 300 : 2000),
      rounds: numberFrom(env, 'BENCH_AUDIT_ROUNDS', smoke ? 1 : 3),
    },
    metrics: {
      clients: listFrom(env, 'BENCH_METRICS_CLIENTS', smoke ? ['4'] : ['16', '64']).map(Number),
      // Many short pairs: a burst of other work on the machine spoils a few pairs, not the median of them.
      durationMs: numberFrom(env, 'BENCH_METRICS_DURATION_MS', smoke ? 300 : 1000),
      rounds: numberFrom(env, 'BENCH_METRICS_ROUNDS', smoke ? 1 : 20),
      warmupCalls: numberFrom(env, 'BENCH_METRICS_WARMUP_CALLS', smoke ? 50 : 5000),
      warmupMaxMs: smoke ? 2000 : 20_000,
      together: env.BENCH_METRICS_TOGETHER !== '0',
      backends: listFrom(env, 'BENCH_METRICS_BACKENDS', smoke ? ['b4b'] : ['finopps', 'b4b']),
      profile: env.BENCH_METRICS_PROFILE === '1',
      icount:
        (env.BENCH_METRICS_ICOUNT ?? (smoke ? '0' : '1')) === '1'
          ? {
              warmup: numberFrom(env, 'BENCH_METRICS_ICOUNT_WARMUP', 1000),
              calls: numberFrom(env, 'BENCH_METRICS_ICOUNT_CALLS', 400),
              clients: numberFrom(env, 'BENCH_METRICS_ICOUNT_CLIENTS', 16),
              rounds: numberFrom(env, 'BENCH_METRICS_ICOUNT_ROUNDS', 5),
            }
          : null,
    },
    load: {
      clients: numberFrom(env, 'BENCH_LOAD_CLIENTS', smoke ? 50 : 1000),
      durationMs: numberFrom(env, 'BENCH_LOAD_DURATION_MS', smoke ? 2000 : 60_000),
      backends: listFrom(env, 'BENCH_LOAD_BACKENDS', ['b4b']),
      // A thousand clients in a closed loop wait their turn: a call is late only when it is very late.
      callTimeoutMs: numberFrom(env, 'BENCH_LOAD_CALL_TIMEOUT_MS', 30_000),
    },
    corpus: {
      run:
        only === 'corpus' ||
        (only === undefined && (env.BENCH_CORPUS === undefined ? !smoke : env.BENCH_CORPUS === '1')),
      root: env.BENCH_CORPUS_ROOT ?? root,
      commit: env.BENCH_CORPUS_COMMIT ?? null,
      specs: listFrom(env, 'BENCH_CORPUS_SPECS', []),
      generateHeapMb: numberFrom(env, 'BENCH_CORPUS_GENERATE_HEAP_MB', 4096),
      // Generous: a generator that takes minutes or a server that never lists is a figure, not a hung run.
      generateTimeoutMs: numberFrom(env, 'BENCH_CORPUS_GENERATE_TIMEOUT_MS', 600_000),
      startTimeoutMs: numberFrom(env, 'BENCH_CORPUS_START_TIMEOUT_MS', 300_000),
    },
    out,
    markdown,
  };
}
