/**
 * Writes BENCHMARKS.md from a run's results: machine and command first, the targets with ✔/✘, then per
 * backend the latency, throughput, start-up/size/memory and correctness tables, and how each figure was made.
 * Everything in it comes from results.json of the same run.
 */
import { renderProfile } from './measure/profile.js';
import type { BackendResult, ServerBackendResult } from './backend-run.js';
import type { RatioBackendResult } from './ratio-run.js';
import type { Derived, LatencyRow, SharedStateRow, ThroughputRow } from './derive.js';
import type { GenerateResult } from './measure/generate.js';
import { loadErrors } from './measure/load.js';
import type { LargeGenerateResult } from './measure/generate-large.js';
import type { MachineInfo } from './machine.js';
import type { Plan } from './plan.js';
import { fuzzMarkdown, type FuzzResults } from '../fuzz/summary.js';
import { type CodeModeResults, renderCodeMode } from './measure/code-mode.js';
import { type AuditCostResult, auditCostTarget, renderAuditCost } from './measure/audit-cost.js';
import { type MetricsCostResult, metricsCostTargets, renderMetricsCost } from './measure/metrics-cost.js';
import { type ConfirmedWriteResult, confirmedWriteTarget, renderConfirmedWrite } from './measure/confirmed-write.js';
import type { CorpusResults } from './measure/corpus.js';
import { renderCorpus } from './measure/corpus-report.js';

/** The whole results document (results.json). */
export interface RunResults {
  meta: {
    machine: MachineInfo;
    command: string;
    mode: 'full' | 'smoke';
    plan: Omit<Plan, 'out' | 'markdown'>;
    durationSec: number;
    loadAverageAtEnd: number;
    /** CPU other processes used during the run (machine busy time minus this benchmark's own process tree). */
    otherCpu: { seconds: number; shareOfMachine: number } | null;
    notes: string[];
  };
  floor: { coldStartMs: number | null; rssIdleBytes: number | null };
  servers: Array<{ id: string; label: string; role: string; notes: string[] }>;
  backends: BackendResult[];
  generate: {
    finmcp: GenerateResult | { error: string };
    peers: Record<string, number | null>;
    large?: LargeGenerateResult | { error: string };
  };
  derived: Derived;
  /** Code mode's task set in three modes (bench/measure/code-mode.ts); absent in runs that skip it. */
  codeMode?: CodeModeResults | { error: string };
  /** A confirmed B4B write, state in memory vs on Redis (bench/measure/confirmed-write.ts; issue 21). */
  confirmedWrite?: ConfirmedWriteResult | { error: string };
  /** The audit trail off vs to a file (bench/measure/audit-cost.ts; issue 21). */
  auditCost?: AuditCostResult | { error: string };
  /** FINMCP_METRICS off vs on per backend, interleaved pairs (bench/measure/metrics-cost.ts; issue 26). */
  metricsCost?: Array<MetricsCostResult | { error: string; backend: string }>;
  /** finmcp beside the reference alone (`--only ratio`, bench/ratio-run.ts; issue 27). */
  ratio?: RatioBackendResult[];
  /** The public API corpus, one description at a time (bench/measure/corpus.ts; issue 23). */
  corpus?: CorpusResults | { error: string };
}

const f1 = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(1);
const f2 = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(2);
const f3 = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3);
const x = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`;
const mb = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : (v / 2 ** 20).toFixed(1));
const int = (v: number): string => Math.round(v).toLocaleString('en-US');

function label(results: RunResults, server: string): string {
  if (server === 'floor') return '**floor** (undici → stub)';
  const s = results.servers.find((entry) => entry.id === server);
  return s?.role === 'subject' ? `**${s.label}**` : (s?.label ?? server);
}

/** Which client produced a figure, in a word (the long description is in results.json and below the tables). */
function clientOf(transport: string): string {
  return transport === 'direct' ? 'undici Pool' : transport === 'http' ? 'lean HTTP/1.1' : 'stdio pipe';
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function latencyTable(results: RunResults, rows: readonly LatencyRow[]): string {
  return table(
    [
      'server',
      'transport',
      'client',
      'calls',
      'p50 ms',
      'p99 ms',
      'added p50 ms',
      'added p99 ms',
      'p50 × floor',
      'added p50 × best peer',
      'mismatches',
      'errors',
    ],
    rows.map((r) => [
      r.variant === undefined ? label(results, r.server) : `${label(results, r.server)}, ${r.variant}`,
      r.transport,
      clientOf(r.transport),
      int(r.calls),
      f3(r.p50),
      f3(r.p99),
      r.role === 'floor' ? '0 (floor)' : f3(r.addedP50),
      r.role === 'floor' ? '0 (floor)' : f3(r.addedP99),
      r.role === 'floor' ? '1×' : x(r.xFloor),
      r.bestPeer === null ? '—' : `${x(r.xBestPeer)} (${r.bestPeer})`,
      String(r.mismatches),
      String(r.errors),
    ]),
  );
}

function throughputTable(results: RunResults, rows: readonly ThroughputRow[]): string {
  const sorted = [...rows].sort((a, b) => a.concurrency - b.concurrency || a.transport.localeCompare(b.transport));
  return table(
    [
      'clients',
      'server',
      'transport',
      'load client',
      'calls/s per round',
      'mean calls/s',
      '× floor',
      '× best peer',
      'server CPU ms/call per round',
      'load-generator / stub CPU ms/call',
      'mismatches',
      'errors',
    ],
    sorted.map((r) => [
      String(r.concurrency),
      r.variant === undefined ? label(results, r.server) : `${label(results, r.server)}, ${r.variant}`,
      r.transport,
      clientOf(r.transport),
      r.rounds.map((v) => int(v)).join(' / '),
      int(r.mean),
      r.role === 'floor' ? '1×' : x(r.xFloor),
      r.bestPeer === null ? '—' : `${x(r.xBestPeer)} (${r.bestPeer})`,
      r.role === 'floor' ? '—' : r.cpuMsPerCall.map((v) => f3(v)).join(' / '),
      `${f3(r.clientCpuMean)} / ${f3(r.stubCpuMean)}`,
      String(r.mismatches),
      String(r.errors),
    ]),
  );
}

function transportCell(status: ServerBackendResult['stdio'], field: 'rssIdleBytes' | 'rssAfterLoadBytes'): string {
  if (status.unavailable !== undefined) return 'n/a¹';
  if (status.error !== undefined) return 'failed²';
  return mb(status[field]);
}

function startupTable(results: RunResults, backend: BackendResult): string {
  const rows = backend.servers.map((s) => {
    const d = results.derived.startup.find((r) => r.backend === backend.backend && r.server === s.id);
    const cold =
      'medianMs' in s.coldStart
        ? `${f1(s.coldStart.medianMs)} (${s.coldStart.samplesMs.map((v) => Math.round(v)).join(', ')})`
        : s.coldStart.unavailable !== undefined
          ? 'n/a¹'
          : 'failed²';
    const sessions =
      s.sessions === undefined
        ? '—'
        : 'error' in s.sessions
          ? 'failed²'
          : `${f1((s.sessions.perSessionBytes ?? NaN) / 1024)} KB ${x(d?.perSessionXBestPeer)}; RSS ${mb(s.sessions.rssBeforeBytes)} → ${mb(s.sessions.rssAfterBytes)} MB` +
            ` with ${s.sessions.sessions} sessions${s.sessions.failed > 0 ? ` (${s.sessions.failed} failed)` : ''}`;
    return [
      label(results, s.id),
      cold,
      `${x(d?.coldStartXFloor)} / ${x(d?.coldStartXBestPeer)}`,
      s.toolsList === null ? '—' : String(s.toolsList.tools),
      s.toolsList === null ? '—' : `${int(s.toolsList.bytes)} (${x(d?.toolsBytesXBestPeer)})`,
      s.toolsList === null ? '—' : int(s.toolsList.approxTokens),
      `${transportCell(s.stdio, 'rssIdleBytes')} / ${transportCell(s.http, 'rssIdleBytes')}`,
      `${transportCell(s.stdio, 'rssAfterLoadBytes')} / ${transportCell(s.http, 'rssAfterLoadBytes')}`,
      `${x(d?.rssAfterLoadXFloor)} / ${x(d?.rssAfterLoadXBestPeer)}`,
      sessions,
    ];
  });
  rows.unshift([
    label(results, 'floor').replace('undici → stub', 'bare Node stdio responder'),
    f1(results.floor.coldStartMs),
    '1× / —',
    '0',
    '—',
    '—',
    `${mb(results.floor.rssIdleBytes)} / —`,
    '—',
    '—',
    '—',
  ]);
  return table(
    [
      'server',
      'cold start ms, median (each start)',
      'cold start × floor / × best peer',
      'tools',
      'tools/list bytes (× best peer)',
      '≈ tokens',
      'RSS idle MB stdio / http',
      'RSS after load MB stdio / http',
      'RSS after load (stdio) × floor idle / × best peer',
      'memory per session × best peer; RSS before → after the sessions',
    ],
    rows,
  );
}

function footnotes(backend: BackendResult): string[] {
  const notes: string[] = [];
  for (const s of backend.servers) {
    for (const transport of ['stdio', 'http'] as const) {
      const status = s[transport];
      if (status.unavailable !== undefined) notes.push(`¹ ${s.label} over ${transport}: ${status.unavailable}.`);
      if (status.error !== undefined)
        notes.push(`² ${s.label} over ${transport} failed: ${status.error.split('\n')[0] ?? ''}`);
      if (status.nonJsonLines !== undefined && status.nonJsonLines > 0) {
        notes.push(
          `${s.label} printed ${status.nonJsonLines} non-JSON line(s) on stdout (a strict stdio client would fail).`,
        );
      }
    }
    if ('unavailable' in s.coldStart && s.coldStart.unavailable !== undefined) {
      notes.push(`¹ ${s.label} cold start: ${s.coldStart.unavailable}.`);
    }
    if ('error' in s.coldStart && s.coldStart.error !== undefined)
      notes.push(`² ${s.label} cold start failed: ${s.coldStart.error.split('\n')[0] ?? ''}`);
    if (s.sessions !== undefined && 'error' in s.sessions)
      notes.push(`² ${s.label} sessions failed: ${s.sessions.error}`);
    if (s.sessions !== undefined && 'firstError' in s.sessions && s.sessions.firstError !== undefined) {
      notes.push(`${s.label}: ${s.sessions.failed} session(s) failed to open, first: ${s.sessions.firstError}`);
    }
  }
  return [...new Set(notes)];
}

/** finmcp with state in Redis vs in memory (same run, same backend, HTTP). */
function sharedStateSection(row: SharedStateRow): string[] {
  const num = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));
  const rows: string[][] = [
    [
      'p50 per call (1 client)',
      `${num(row.p50Memory, 3)} ms`,
      `${num(row.p50Redis, 3)} ms`,
      `${num(row.addedP50, 3)} ms`,
    ],
    ...row.callsPerSec.map((c) => [
      `calls/s at ${c.concurrency} clients`,
      num(c.memory, 0),
      num(c.redis, 0),
      c.memory === null || c.redis === null || c.memory === 0
        ? 'n/a'
        : `${(((c.redis - c.memory) / c.memory) * 100).toFixed(1)} %`,
    ]),
    [
      'Redis memory per signed-in session',
      '–',
      row.redisBytesPerSession === null ? 'n/a' : `${Math.round(row.redisBytesPerSession)} B`,
      '',
    ],
  ];
  return [
    '### State on Redis vs in memory',
    '',
    'The same finmcp with `FINMCP_STATE_STORE` set to a local redis-server (sessions, sign-ins and the rate limit in',
    'Redis, values encrypted) next to the default in-memory store. Each call then makes two Redis commands (rate',
    'limit, session read-and-touch), overlapped: one round trip. Server CPU per call of both is in the table above.',
    '',
    table(['', 'memory', 'Redis', 'Redis − memory'], rows),
    '',
  ];
}

/** The many-client HTTP load section (issue 14: 1,000 clients for 60 s, 0 errors, 0 mismatches). */
function loadSection(results: RunResults): string[] {
  const runs = results.backends.filter((b) => b.load !== undefined);
  if (runs.length === 0) return [];
  const out: string[] = ['## Many concurrent HTTP clients', ''];
  out.push(
    'Each client is its own MCP session on its own keep-alive connection (lean HTTP/1.1 client; B4B sessions call `login`',
    'first, with their own tag), all in a closed loop for the whole window, every answer checked like the throughput points.',
    'Latency is per call under that load (a closed loop of N clients queues: latency ≈ N / throughput). RSS of the server',
    'process: before the sessions were opened (after the throughput points), peak sampled every 250 ms, and after.',
    'Target: 0 errors and 0 mismatched answers.',
    '',
  );
  const rows = runs.map((b) => {
    const load = b.load;
    if (load === undefined || 'error' in load)
      return [
        b.backend,
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        `failed: ${load?.error.split('\n')[0] ?? ''}`,
        '✘',
      ];
    const errors = loadErrors(load);
    const pass = errors === 0 && load.outcomes.mismatches === 0 && load.calls > 0;
    return [
      b.backend,
      int(load.clients),
      `${f1(load.durationMs / 1000)} s (sessions opened in ${f1(load.openMs / 1000)} s)`,
      int(load.calls),
      int(load.callsPerSec),
      f1(load.p50Ms),
      f1(load.p99Ms),
      f1(load.maxMs),
      String(errors),
      String(load.outcomes.mismatches),
      `${mb(load.rssBeforeBytes)} / ${mb(load.rssPeakBytes)} / ${mb(load.rssAfterBytes)}`,
      `cap ${load.connectionCap === null ? 'none' : int(load.connectionCap)}; client fd limit ${load.fdLimit === null ? '?' : int(load.fdLimit)}` +
        (load.outcomes.samples.length > 0
          ? `; first failures: ${load.outcomes.samples.join('; ').replace(/\|/g, '\\|').slice(0, 200)}`
          : ''),
      pass ? '✔' : '✘',
    ];
  });
  out.push(
    table(
      [
        'backend',
        'clients',
        'window',
        'calls',
        'correct calls/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'errors',
        'mismatches',
        'RSS MB before / peak / after',
        'connections',
        '',
      ],
      rows,
    ),
    '',
  );
  return out;
}

/** Renders BENCHMARKS.md. */
export function renderMarkdown(
  results: RunResults,
  history?: string,
  fuzz?: FuzzResults,
  corpusBefore?: CorpusResults,
): string {
  const m = results.meta.machine;
  const p = results.meta.plan;
  const d = results.derived;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    'finmcp against **the floor** (the same backend request made directly with undici keep-alive, no MCP) and two',
    'peers serving the same OpenAPI specs against the same stub backend, all measured in the same run on loopback.',
    'This file is written by `npm run bench` from `bench/results.json`; do not edit it by hand.',
    '',
  );
  out.push('## Run', '');
  out.push(
    table(
      ['', ''],
      [
        ['machine', `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}`],
        ['Node', m.node],
        ['date', m.date],
        [
          'other work on the machine',
          `${
            results.meta.otherCpu === null
              ? 'unknown'
              : `${f1(results.meta.otherCpu.seconds)} CPU-s by other processes during the run (${f1(results.meta.otherCpu.shareOfMachine * 100)} % of the machine)` +
                (
                  results.meta.otherCpu.shareOfMachine > 0.05
                    ? ' — **other work competed with the run: treat the figures as noisy**'
                    : ' — quiet'
                )
          }; 1-min load average ${f2(m.loadAverageAtStart)} at start`,
        ],
        ['command', `\`${results.meta.command}\``],
        ['mode', results.meta.mode],
        ['wall time', `${f1(results.meta.durationSec)} s (whole harness, after the build)`],
        [
          'sizes',
          `latency: ${p.latency.warmup} warm-up + ${p.latency.calls} sequential calls per target; throughput: ${p.durationMs / 1000} s per point at ` +
            `${p.concurrency.join('/')} clients (peers over HTTP also with unique ids at ${p.uniqueIdConcurrency.join('/')}), rounds: ${p.rounds}, ` +
            `interleaved across servers; cold starts: ${p.coldStarts} per server; sessions: ${p.sessions}`,
        ],
      ],
    ),
    '',
  );
  out.push(
    '## Targets',
    '',
    'Judged on finmcp; throughput and CPU on the mean of the rounds. Never asserted in tests.',
    '',
  );
  out.push(
    table(
      ['target', 'backend', 'measured', ''],
      [
        ...d.targets.map((t) => [t.target, t.scope, t.measured, t.pass === null ? '–' : t.pass ? '✔' : '✘']),
        ...(results.confirmedWrite === undefined ? [] : [confirmedWriteTarget(results.confirmedWrite)]),
        ...(results.auditCost === undefined ? [] : [auditCostTarget(results.auditCost)]),
        ...(results.metricsCost === undefined ? [] : metricsCostTargets(results.metricsCost)),
      ],
    ),
    '',
  );
  for (const backend of results.backends) {
    const b = backend.backend;
    out.push(`## ${b}`, '');
    out.push(
      `Probe: \`${backend.probe.method} ${backend.probe.path}\` (${backend.probe.operationId ?? 'no operationId'}), every call with a different ` +
        `\`${backend.probe.echoParam}\` that the stub echoes into the answer.`,
      '',
    );
    out.push('### 1. Latency per tool call (one client, sequential)', '');
    out.push(
      'Added = server − floor. p99 on a shared two-core machine is mostly scheduling noise (a few ms); a negative',
      'added p99 means the floor had the worse tail in its own window.',
      '',
    );
    out.push(
      latencyTable(
        results,
        d.latency.filter((r) => r.backend === b),
      ),
      '',
    );
    out.push('### 2–4. Throughput, server CPU and correctness under load', '');
    out.push(
      'Calls/s count correct answers only. HTTP sessions reuse the same JSON-RPC ids on purpose; a peer row marked',
      '*unique ids* is the same peer loaded with a separate id range per session (no collisions), so that',
      '"× best peer" compares with the peer at its best. Clients: floor = undici Pool; http = lean HTTP/1.1 client,',
      'one session and keep-alive connection per client; stdio = N requests in flight on the one pipe.',
      '',
    );
    out.push(
      throughputTable(
        results,
        d.throughput.filter((r) => r.backend === b),
      ),
      '',
    );
    out.push(...renderProfile(backend.profile));
    const shared = d.sharedState?.find((r) => r.backend === b);
    if (shared !== undefined) out.push(...sharedStateSection(shared));
    out.push('### 5–7. Cold start, `tools/list` size, memory', '');
    out.push(startupTable(results, backend), '');
    const corr = d.correctness.filter((c) => c.backend === b && (c.mismatches > 0 || c.errors > 0));
    if (corr.length > 0) {
      out.push(
        'Mismatches and errors (every call of the run, latency and load). *Stray answers* arrived on a session',
        'where no request with that id was waiting (a server that cannot tell sessions apart delivers them elsewhere,',
        'or to every open session).',
        '',
      );
      out.push(
        table(
          ['server', 'transport', 'calls', 'wrong data', 'wrong id', 'stray answers', 'errors', 'first failures'],
          corr.map((c) => [
            c.variant === undefined ? label(results, c.server) : `${label(results, c.server)}, ${c.variant}`,
            c.transport,
            int(c.calls),
            String(c.wrongData),
            String(c.wrongId),
            String(c.strays),
            String(c.errors),
            c.samples.join('; ').replace(/\|/g, '\\|').slice(0, 300),
          ]),
        ),
        '',
      );
    } else {
      out.push('No mismatched answers and no errors on this backend.', '');
    }
    const stub = backend.stub as
      | { requests?: number; unauthorized?: number; sessionMismatches?: number; notFound?: number }
      | undefined;
    if (stub !== undefined) {
      out.push(
        `Stub backend: ${int(stub.requests ?? 0)} requests, ${stub.unauthorized ?? 0} refused for a missing or unknown token, ` +
          `${stub.sessionMismatches ?? 0} made with another session's credentials, ${stub.notFound ?? 0} to no operation.`,
        '',
      );
    }
    const notes = footnotes(backend);
    if (notes.length > 0) out.push(...notes.map((n) => `- ${n}`), '');
  }
  out.push(...loadSection(results));
  if (results.confirmedWrite !== undefined) out.push(renderConfirmedWrite(results.confirmedWrite));
  if (results.auditCost !== undefined) out.push(renderAuditCost(results.auditCost));
  if (results.metricsCost !== undefined) out.push(renderMetricsCost(results.metricsCost));
  if (fuzz !== undefined) out.push(fuzzMarkdown(fuzz));
  if (results.codeMode !== undefined)
    out.push(
      'error' in results.codeMode
        ? `## Code mode\n\nNot measured: ${results.codeMode.error}\n`
        : renderCodeMode(results.codeMode),
    );
  out.push('## 8. Generate time', '');
  const g = results.generate.finmcp;
  const genRows: string[][] = [
    [
      '**finmcp generate** (both specs)',
      'medianMs' in g
        ? `${f2(g.medianMs / 1000)} s (${g.runsMs.map((v) => f2(v / 1000)).join(', ')}) — ${g.mode === 'scratch-copy' ? 'in a scratch copy of specs/' : '`generate --check`'}${g.exitCode === 0 ? '' : `, exit ${String(g.exitCode)}`}`
        : `failed: ${g.error}`,
    ],
  ];
  const large = results.generate.large;
  if (large !== undefined) {
    genRows.push([
      `**finmcp generate** (GitHub REST, \`${'spec' in large ? large.spec : 'api.github.com'}\`)`,
      'wallSeconds' in large
        ? `${f2(large.wallSeconds)} s, peak ${int(large.peakRssMb)} MB, ${int(large.tools)} tools${large.exitCode === 0 ? '' : `, exit ${String(large.exitCode)}`} (targets: ≤ 20 s, ≤ 500 MB)`
        : `failed: ${large.error}`,
    ]);
  }
  for (const [peer, value] of Object.entries(results.generate.peers)) {
    genRows.push([`${peer} (generate + transpile, per spec)`, value === null ? '—' : `${f2(value / 1000)} s`]);
  }
  out.push(table(['generator', 'time'], genRows), '');
  if (results.corpus !== undefined) out.push(renderCorpus(results.corpus, corpusBefore));
  out.push('## How each figure is made', '');
  out.push(
    "- **Stub backend**: `bench/stub/` — `node:http` in its own process, answers every operation of the spec with the first named example of its success response, routed by method + path template; echoes the requested id into the answer; B4B `login` issues a distinct token per call and other B4B calls must carry an issued token. Each logged-in session uses its own tag (in the login phone number and in every id it asks for); a call made with another session's token is answered with data for an id nobody asked for, so credential mix-ups between sessions show up as mismatches.",
    '- **Floor**: undici `Pool` (keep-alive, one connection per client) sending exactly the backend request the probe tool makes. Added latency = server − floor (p50 − p50, p99 − p99).',
    '- **HTTP load**: a lean HTTP/1.1 client (`bench/clients/http1.ts`: raw `net` sockets, keep-alive, JSON-RPC bodies written by hand), one session and one connection per client, closed loop. The SDK client is never the load generator (it spends 1–2.5 ms CPU per call here).',
    '- **stdio load**: one server process, N requests in flight on its pipe (unique ids), newline-delimited JSON-RPC written by hand.',
    "- **Correctness**: every answer must carry its request's JSON-RPC id, be a non-error tool result, and contain the id that request asked for. HTTP sessions reuse the same JSON-RPC ids (each numbers 1, 2, 3…) on purpose. Wrong data, wrong id and answers arriving where no request waits (strays) are mismatches.",
    '- **Server CPU per call**: utime+stime of the server process from `/proc/<pid>/stat` before and after each load point, divided by the calls answered (10 ms tick resolution, over thousands of calls).',
    '- **Cold start**: spawn → `initialize` → `tools/list` answered, over stdio, median of the starts; the floor is a bare Node stdio responder without SDK or spec.',
    '- **tools/list size**: the `tools` array serialized compactly, UTF-8 bytes; tokens ≈ bytes / 4 (common rule of thumb for BPE tokenizers on English text; JSON tokenizes denser, so it is a lower bound, the same formula for everyone).',
    `- **Memory**: VmRSS from \`/proc/<pid>/status\`: idle (after the handshake), after all load points, and per session = (RSS after opening the sessions − before) / sessions, B4B only (stateful, each session logged in for finmcp), on a freshly started server after ${p.sessionWarmup} warm-up sessions (so garbage from the load runs is not freed in the middle of it). RSS moves with garbage collection: a negative or tiny per-session figure means the collector returned more than the sessions took.`,
    `- **JIT**: after its servers start, each backend waits ${p.settleMs} ms, then loads every target for ${p.loadWarmupMs} ms unrecorded; every latency run has its own ${p.latency.warmup}-call warm-up; each load point runs in every round, rounds interleaved across servers; both rounds are shown.`,
    '',
  );
  out.push('## Configuration of each server', '');
  for (const s of results.servers) {
    out.push(`- **${s.label}**`);
    for (const note of s.notes) out.push(`  - ${note}`);
  }
  if (results.meta.notes.length > 0) out.push('', ...results.meta.notes.map((n) => `- ${n}`));
  if (history !== undefined && history.trim() !== '') {
    // Hand-written record of what was changed when a target was missed (bench/HISTORY.md), kept across runs.
    out.push('', history.trim());
  }
  out.push(
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci            # installs the peers too (exact-pinned devDependencies)',
    'npm run bench     # = npm run build && node dist/bench/run.js; writes bench/results.json and BENCHMARKS.md',
    'BENCH_SMOKE=1 node dist/bench/run.js   # tiny run (what test/bench/smoke.test.ts does), finmcp + floor only',
    '```',
    '',
    'Knobs (environment): `BENCH_BACKENDS`, `BENCH_SERVERS`, `BENCH_CALLS`, `BENCH_WARMUP`, `BENCH_DURATION_MS`, `BENCH_CONCURRENCY`,',
    '`BENCH_UNIQUE_ID_CONCURRENCY`, `BENCH_ROUNDS`, `BENCH_SETTLE_MS`, `BENCH_LOAD_WARMUP_MS`, `BENCH_COLD_STARTS`, `BENCH_SESSIONS`,',
    '`BENCH_SESSION_WARMUP`, `BENCH_GENERATE_RUNS`, `BENCH_CALL_TIMEOUT_MS`, `BENCH_OUT`, `BENCH_MARKDOWN` (`none`: no report),',
    '`BENCH_LOAD_CLIENTS`, `BENCH_LOAD_DURATION_MS`, `BENCH_LOAD_BACKENDS` (default `b4b`), `BENCH_LOAD_CALL_TIMEOUT_MS`,',
    '`BENCH_PEERS=1` (peers in a smoke run). Server ids for `BENCH_SERVERS`: `finmcp`, `finmcp-redis`,',
    '`ivotoby`, `openapi-mcp-generator` (the default), `finmcp-metrics` (FINMCP_METRICS on), and `finmcp-node` — finmcp as a bare `node bin/finmcp.js`, without the Node flags of its launcher (or with',
    '`BENCH_FINMCP_NODE_FLAGS` instead) — for an A/B.',
    "`reference` (in the default run; a smoke run with `--peers`) is the hand-rolled JSON-RPC server finmcp's CPU per call and",
    'throughput are judged against (bench/reference/server.ts); `BENCH_PROFILE=0` skips the CPU profile point (`1`: in a smoke run too).',
    'Run it on a quiet machine: the figures share two cores with the load generator and the stub.',
    '`npm run bench -- --only load` runs only the many-client load (into `bench/results.load.json`, no report);',
    '`--only confirm` (confirmed write, memory vs Redis) and `--only audit` (audit trail off vs on) likewise, into',
    '`bench/results.confirm.json` and `bench/results.audit.json` (knobs: `BENCH_CONFIRM_WRITES`, `BENCH_CONFIRM_WARMUP`,',
    '`BENCH_AUDIT_CALLS`, `BENCH_AUDIT_WARMUP`, `BENCH_AUDIT_CLIENTS`, `BENCH_AUDIT_DURATION_MS`, `BENCH_AUDIT_ROUNDS`);',
    '`--only metrics` (FINMCP_METRICS off vs on, interleaved pairs) into `bench/results.metrics.json` (knobs:',
    '`BENCH_METRICS_CLIENTS`, `BENCH_METRICS_DURATION_MS`, `BENCH_METRICS_ROUNDS`, `BENCH_METRICS_WARMUP_CALLS`,',
    '`BENCH_METRICS_TOGETHER=0` (one side at a time), `BENCH_METRICS_BACKENDS`,',
    '`BENCH_METRICS_PROFILE=1` for a CPU profile of each side, `BENCH_METRICS_ICOUNT=0` to skip the callgrind counts,',
    '`BENCH_METRICS_ICOUNT_WARMUP`, `BENCH_METRICS_ICOUNT_CALLS`, `BENCH_METRICS_ICOUNT_ROUNDS`); a report',
    "written while the last full run lacks those sections takes them from these files, as it does code mode's from",
    '`bench/results.code.json` (`--only code`).',
    '`npm run bench -- --only corpus` measures only the public API corpus (into `bench/results.corpus.json`; knobs:',
    '`BENCH_CORPUS_SPECS` (backends, default all), `BENCH_CORPUS_GENERATE_HEAP_MB`, `BENCH_CORPUS_GENERATE_TIMEOUT_MS`,',
    '`BENCH_CORPUS_START_TIMEOUT_MS`; `BENCH_CORPUS=0` leaves it out of the full run). The before record was made with the',
    'same command, `BENCH_CORPUS_ROOT=<a build of the older commit> BENCH_CORPUS_COMMIT=<commit>` and',
    '`--out bench/corpus-before.json`.',
    '`npm run fuzz` rewrites this file too, adding its section from `fuzz/results.json` to the last `bench/results.json`.',
    '',
    'Adding a server under test: implement `ServerUnderTest` (`bench/servers/types.ts`: how to start it over stdio and',
    'HTTP against the stub, and whether sessions log in) in a module of `bench/servers/`, and list it in `SERVERS`',
    '(`bench/run.ts`); every measurement, check and table picks it up.',
    '',
  );
  return out.join('\n');
}
