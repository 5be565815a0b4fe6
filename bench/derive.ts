/**
 * Turns raw measurements into the report's figures: added latency (server − floor), ratios to the floor and
 * to the best peer on the same backend and transport, correctness totals, and the targets with pass/fail.
 * Targets are judged on the mean of the two rounds where there are rounds (both rounds are reported).
 */
import type { BackendResult } from './backend-run.js';
import type { TallyCounts } from './check.js';
import type { GenerateResult } from './measure/generate.js';
import { ratio } from './stats.js';
import type { TargetLabel } from './targets.js';

/** What every row names (a variant, e.g. `unique ids`, is a peer loaded without id collisions between sessions). */
interface RowLabel extends TargetLabel {
  backend: string;
  role: 'floor' | 'subject' | 'peer' | 'reference';
}

/** One latency row. Times in ms. */
export interface LatencyRow extends RowLabel {
  calls: number;
  p50: number;
  p99: number;
  addedP50: number | null;
  addedP99: number | null;
  /** p50 / floor p50. */
  xFloor: number | null;
  /** added p50 / best peer's added p50 (same backend and transport). */
  xBestPeer: number | null;
  bestPeer: string | null;
  mismatches: number;
  errors: number;
}

/** One throughput row (one server, transport, variant and concurrency, all rounds). */
export interface ThroughputRow extends RowLabel {
  concurrency: number;
  /** Correct calls per second, per round. */
  rounds: number[];
  mean: number;
  xFloor: number | null;
  xBestPeer: number | null;
  bestPeer: string | null;
  /** Server CPU ms per call, per round. */
  cpuMsPerCall: Array<number | null>;
  cpuMean: number | null;
  /** Load generator and stub CPU per call (means over rounds), ms: where the rest of the two cores went. */
  clientCpuMean: number | null;
  stubCpuMean: number | null;
  mismatches: number;
  errors: number;
}

/** Start-up, size and memory of one server on one backend, with ratios (smaller is better for all of them). */
interface StartupRow {
  backend: string;
  server: string;
  role: 'subject' | 'peer' | 'reference';
  coldStartMs: number | null;
  coldStartXFloor: number | null;
  coldStartXBestPeer: number | null;
  toolsBytes: number | null;
  toolsBytesXBestPeer: number | null;
  /** RSS after the load, stdio process (every server has one). */
  rssAfterLoadStdioBytes: number | null;
  rssAfterLoadXFloor: number | null;
  rssAfterLoadXBestPeer: number | null;
  perSessionBytes: number | null;
  perSessionXBestPeer: number | null;
}

/** One target with its verdict (null: not measured). */
interface TargetRow {
  target: string;
  scope: string;
  measured: string;
  pass: boolean | null;
}

/** Correctness over every call a server answered in the run. */
interface CorrectnessRow {
  backend: string;
  server: string;
  transport: string;
  variant?: string;
  calls: number;
  ok: number;
  wrongData: number;
  wrongId: number;
  strays: number;
  mismatches: number;
  errors: number;
  samples: string[];
}

/**
 * finmcp with its state in Redis (`finmcp-redis`) next to finmcp with state in memory, on one backend over HTTP:
 * what sharing state between instances costs. Null where one side was not measured.
 */
export interface SharedStateRow {
  backend: string;
  p50Memory: number | null;
  p50Redis: number | null;
  /** p50 over Redis − p50 in memory, ms. */
  addedP50: number | null;
  /** Calls/s (mean of rounds) per concurrency: [memory, redis]. */
  callsPerSec: Array<{ concurrency: number; memory: number | null; redis: number | null }>;
  /** Redis `used_memory` growth per signed-in session, bytes. */
  redisBytesPerSession: number | null;
}

/** Everything derived. */
export interface Derived {
  startup: StartupRow[];
  latency: LatencyRow[];
  throughput: ThroughputRow[];
  correctness: CorrectnessRow[];
  targets: TargetRow[];
  sharedState: SharedStateRow[];
}

/** Id of the finmcp variant that keeps its state in Redis (bench/servers/finmcp.ts). */
const REDIS_VARIANT = 'finmcp-redis';
/** Most p50 that keeping state in Redis may add per call (issue 12). */
const REDIS_ADDED_P50_TARGET_MS = 0.2;

/** The Redis-vs-memory rows of every backend where the Redis variant ran. */
function sharedState(
  backends: readonly BackendResult[],
  latency: readonly LatencyRow[],
  throughput: readonly ThroughputRow[],
): SharedStateRow[] {
  const rows: SharedStateRow[] = [];
  for (const backend of backends) {
    const b = backend.backend;
    const redisServer = backend.servers.find((s) => s.id === REDIS_VARIANT);
    if (redisServer === undefined || redisServer.http.unavailable !== undefined) continue;
    const p50 = (server: string): number | null =>
      latency.find((l) => l.backend === b && l.server === server && l.transport === 'http')?.p50 ?? null;
    const calls = (server: string, concurrency: number): number | null =>
      throughput.find(
        (t) =>
          t.backend === b &&
          t.server === server &&
          t.transport === 'http' &&
          t.concurrency === concurrency &&
          t.variant === undefined,
      )?.mean ?? null;
    const concurrencies = [
      ...new Set(throughput.filter((t) => t.backend === b && t.server === REDIS_VARIANT).map((t) => t.concurrency)),
    ].sort((x, y) => x - y);
    const p50Memory = p50('finmcp');
    const p50Redis = p50(REDIS_VARIANT);
    const sessions = redisServer.sessions;
    rows.push({
      backend: b,
      p50Memory,
      p50Redis,
      addedP50: p50Memory === null || p50Redis === null ? null : p50Redis - p50Memory,
      callsPerSec: concurrencies.map((concurrency) => ({
        concurrency,
        memory: calls('finmcp', concurrency),
        redis: calls(REDIS_VARIANT, concurrency),
      })),
      redisBytesPerSession:
        sessions !== undefined && 'storePerSessionBytes' in sessions ? (sessions.storePerSessionBytes ?? null) : null,
    });
  }
  return rows;
}

function errorsOf(counts: TallyCounts): number {
  return counts.rpcErrors + counts.toolErrors + counts.httpErrors + counts.timeouts + counts.transportErrors;
}

function roleOf(backend: BackendResult, server: string): RowLabel['role'] {
  if (server === 'floor') return 'floor';
  return backend.servers.find((s) => s.id === server)?.role ?? 'peer';
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function meanOrNull(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : mean(present);
}

const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? 'n/a' : `${value.toFixed(3)} ms`;
const mb = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Smallest positive value among peers, and which peer has it. */
function bestPeerMin(rows: readonly StartupRow[], pick: (row: StartupRow) => number | null): number | null {
  const values = rows
    .filter((r) => r.role === 'peer')
    .map(pick)
    .filter((v): v is number => v !== null && v > 0);
  return values.length === 0 ? null : Math.min(...values);
}

function startupRows(
  backend: BackendResult,
  floor: { coldStartMs: number | null; rssIdleBytes: number | null },
): StartupRow[] {
  const rows = backend.servers.map((s): StartupRow => {
    const cold = 'medianMs' in s.coldStart ? s.coldStart.medianMs : null;
    const rss = s.stdio.rssAfterLoadBytes ?? null;
    const per = s.sessions !== undefined && 'perSessionBytes' in s.sessions ? s.sessions.perSessionBytes : null;
    return {
      backend: backend.backend,
      server: s.id,
      role: s.role,
      coldStartMs: cold,
      coldStartXFloor: ratio(cold, floor.coldStartMs),
      coldStartXBestPeer: null,
      toolsBytes: s.toolsList?.bytes ?? null,
      toolsBytesXBestPeer: null,
      rssAfterLoadStdioBytes: rss,
      rssAfterLoadXFloor: ratio(rss, floor.rssIdleBytes),
      rssAfterLoadXBestPeer: null,
      perSessionBytes: per,
      perSessionXBestPeer: null,
    };
  });
  const bestCold = bestPeerMin(rows, (r) => r.coldStartMs);
  const bestTools = bestPeerMin(rows, (r) => r.toolsBytes);
  const bestRss = bestPeerMin(rows, (r) => r.rssAfterLoadStdioBytes);
  const bestSession = bestPeerMin(rows, (r) => r.perSessionBytes);
  for (const row of rows) {
    row.coldStartXBestPeer = ratio(row.coldStartMs, bestCold);
    row.toolsBytesXBestPeer = ratio(row.toolsBytes, bestTools);
    row.rssAfterLoadXBestPeer = ratio(row.rssAfterLoadStdioBytes, bestRss);
    row.perSessionXBestPeer = ratio(row.perSessionBytes, bestSession);
  }
  return rows;
}

/** Derives the report's figures from raw results. */
export function derive(
  backends: readonly BackendResult[],
  generate: GenerateResult | { error: string },
  floor: { coldStartMs: number | null; rssIdleBytes: number | null },
): Derived {
  const startup: StartupRow[] = backends.flatMap((backend) => startupRows(backend, floor));
  const latency: LatencyRow[] = [];
  const throughput: ThroughputRow[] = [];
  const correctness: CorrectnessRow[] = [];

  for (const backend of backends) {
    const floor = backend.latency.find((l) => l.server === 'floor');
    const rows = backend.latency.map((l): LatencyRow => {
      const addedP50 = floor === undefined ? null : l.summary.median - floor.summary.median;
      const addedP99 = floor === undefined ? null : l.summary.p99 - floor.summary.p99;
      return {
        backend: backend.backend,
        server: l.server,
        role: roleOf(backend, l.server),
        transport: l.transport,
        ...(l.variant === undefined ? {} : { variant: l.variant }),
        client: l.client,
        calls: l.summary.n,
        p50: l.summary.median,
        p99: l.summary.p99,
        addedP50,
        addedP99,
        xFloor: ratio(l.summary.median, floor?.summary.median),
        xBestPeer: null,
        bestPeer: null,
        mismatches: l.outcomes.mismatches,
        errors: errorsOf(l.outcomes),
      };
    });
    for (const row of rows) {
      const peers = rows.filter((r) => r.role === 'peer' && r.transport === row.transport && r.addedP50 !== null);
      const best = peers.sort((a, b) => (a.addedP50 ?? Infinity) - (b.addedP50 ?? Infinity))[0];
      if (best !== undefined && row.role !== 'floor') {
        row.bestPeer = best.server;
        row.xBestPeer = ratio(row.addedP50, best.addedP50);
      }
    }
    latency.push(...rows);

    const keys = new Map<string, ThroughputRow>();
    const clientCpu = new Map<ThroughputRow, Array<number | null>>();
    const stubCpu = new Map<ThroughputRow, Array<number | null>>();
    for (const point of backend.throughput) {
      const key = `${point.server}|${point.transport}|${point.variant ?? ''}|${point.concurrency}`;
      let row = keys.get(key);
      if (row === undefined) {
        row = {
          backend: backend.backend,
          server: point.server,
          role: roleOf(backend, point.server),
          transport: point.transport,
          ...(point.variant === undefined ? {} : { variant: point.variant }),
          client: point.client,
          concurrency: point.concurrency,
          rounds: [],
          mean: 0,
          xFloor: null,
          xBestPeer: null,
          bestPeer: null,
          cpuMsPerCall: [],
          cpuMean: null,
          clientCpuMean: null,
          stubCpuMean: null,
          mismatches: 0,
          errors: 0,
        };
        keys.set(key, row);
      }
      row.rounds.push(point.callsPerSec);
      row.cpuMsPerCall.push(point.cpuMsPerCall);
      clientCpu.set(row, [...(clientCpu.get(row) ?? []), point.clientCpuMsPerCall]);
      stubCpu.set(row, [...(stubCpu.get(row) ?? []), point.stubCpuMsPerCall]);
      row.mismatches += point.outcomes.mismatches;
      row.errors += errorsOf(point.outcomes);
    }
    const tRows = [...keys.values()];
    for (const row of tRows) {
      row.mean = mean(row.rounds);
      row.cpuMean = meanOrNull(row.cpuMsPerCall);
      row.clientCpuMean = meanOrNull(clientCpu.get(row) ?? []);
      row.stubCpuMean = meanOrNull(stubCpu.get(row) ?? []);
    }
    for (const row of tRows) {
      const floorRow = tRows.find((r) => r.role === 'floor' && r.concurrency === row.concurrency);
      row.xFloor = row.role === 'floor' ? null : ratio(row.mean, floorRow?.mean);
      const peers = tRows.filter(
        (r) => r.role === 'peer' && r.transport === row.transport && r.concurrency === row.concurrency,
      );
      const best = peers.sort((a, b) => b.mean - a.mean)[0];
      if (best !== undefined && row.role !== 'floor') {
        row.bestPeer = best.variant === undefined ? best.server : `${best.server}, ${best.variant}`;
        row.xBestPeer = ratio(row.mean, best.mean);
      }
    }
    throughput.push(...tRows);

    const totals = new Map<string, CorrectnessRow>();
    const add = (server: string, transport: string, variant: string | undefined, counts: TallyCounts): void => {
      const key = `${server}|${transport}|${variant ?? ''}`;
      let row = totals.get(key);
      if (row === undefined) {
        row = {
          backend: backend.backend,
          server,
          transport,
          ...(variant === undefined ? {} : { variant }),
          calls: 0,
          ok: 0,
          wrongData: 0,
          wrongId: 0,
          strays: 0,
          mismatches: 0,
          errors: 0,
          samples: [],
        };
        totals.set(key, row);
      }
      row.calls += counts.ok + counts.wrongData + counts.wrongId + errorsOf(counts);
      row.ok += counts.ok;
      row.wrongData += counts.wrongData;
      row.wrongId += counts.wrongId;
      row.strays += counts.strays;
      row.mismatches += counts.mismatches;
      row.errors += errorsOf(counts);
      for (const sample of counts.samples) if (row.samples.length < 3) row.samples.push(sample);
    };
    for (const l of backend.latency) add(l.server, l.transport, l.variant, l.outcomes);
    for (const p of backend.throughput) add(p.server, p.transport, p.variant, p.outcomes);
    correctness.push(...totals.values());
  }

  const shared = sharedState(backends, latency, throughput);
  return {
    startup,
    latency,
    throughput,
    correctness,
    targets: targets(backends, latency, throughput, correctness, generate, shared),
    sharedState: shared,
  };
}

function targets(
  backends: readonly BackendResult[],
  latency: readonly LatencyRow[],
  throughput: readonly ThroughputRow[],
  correctness: readonly CorrectnessRow[],
  generate: GenerateResult | { error: string },
  shared: readonly SharedStateRow[] = [],
): TargetRow[] {
  const rows: TargetRow[] = [];
  const subject = 'finmcp';
  for (const backend of backends) {
    const b = backend.backend;
    for (const [transport, limit] of [
      ['stdio', 0.5],
      ['http', 1],
    ] as const) {
      const row = latency.find(
        (l) => l.backend === b && l.server === subject && l.transport === transport && l.variant === undefined,
      );
      rows.push({
        target: `added p50 over ${transport} ≤ ${limit} ms`,
        scope: b,
        measured: row === undefined ? 'not measured' : ms(row.addedP50),
        pass: row?.addedP50 === null || row === undefined ? null : (row.addedP50 ?? Infinity) <= limit,
      });
    }
    for (const transport of ['stdio', 'http']) {
      const row = throughputAt(throughput, b, subject, transport, 16);
      rows.push({
        target: `server CPU per call ≤ 0.5 ms (${transport}, 16 clients)`,
        scope: b,
        measured: row === undefined ? 'not measured' : ms(row.cpuMean),
        pass: row?.cpuMean === null || row === undefined ? null : (row.cpuMean ?? Infinity) <= 0.5,
      });
    }
    for (const transport of ['stdio', 'http']) {
      const row = throughputAt(throughput, b, subject, transport, 16);
      const measured =
        row === undefined
          ? 'not measured'
          : row.xBestPeer === null
            ? 'no peer measured'
            : `${row.xBestPeer.toFixed(2)}× ${row.bestPeer ?? ''} (${Math.round(row.mean)} calls/s)`;
      rows.push({
        target: `throughput at 16 clients ≥ 2× best peer (${transport})`,
        scope: b,
        measured,
        pass: row?.xBestPeer === null || row === undefined ? null : (row.xBestPeer ?? 0) >= 2,
      });
    }
    rows.push(...referenceTargets(b, throughput, subject));
    const mismatches = correctness.filter((c) => c.backend === b && c.server === subject);
    rows.push({
      target: '0 mismatched responses',
      scope: b,
      measured:
        mismatches.length === 0
          ? 'not measured'
          : `${mismatches.reduce((n, c) => n + c.mismatches, 0)} of ${mismatches.reduce((n, c) => n + c.calls, 0)} calls`,
      pass: mismatches.length === 0 ? null : mismatches.every((c) => c.mismatches === 0),
    });
    const server = backend.servers.find((s) => s.id === subject);
    const cold = server !== undefined && 'medianMs' in server.coldStart ? server.coldStart.medianMs : null;
    rows.push({
      target: 'cold start ≤ 200 ms (stdio)',
      scope: b,
      measured: ms(cold),
      pass: cold === null ? null : cold <= 200,
    });
    for (const transport of ['stdio', 'http'] as const) {
      const rss = server?.[transport].rssAfterLoadBytes ?? null;
      rows.push({
        target: `RSS after load ≤ 100 MB (${transport})`,
        scope: b,
        measured: mb(rss),
        pass: rss === null ? null : rss <= 100 * 2 ** 20,
      });
    }
    if (server?.sessions !== undefined) {
      const per = 'perSessionBytes' in server.sessions ? server.sessions.perSessionBytes : null;
      const count = 'sessions' in server.sessions ? server.sessions.sessions : 0;
      rows.push({
        target: 'memory per session ≤ 20 KB',
        scope: b,
        measured: per === null ? 'n/a' : `${(per / 1024).toFixed(1)} KB (${count} sessions)`,
        pass: per === null ? null : per <= 20 * 1024,
      });
    }
  }
  for (const row of shared) {
    rows.push({
      target: `state on Redis: added p50 vs memory ≤ ${REDIS_ADDED_P50_TARGET_MS} ms (http)`,
      scope: row.backend,
      measured: ms(row.addedP50),
      pass: row.addedP50 === null ? null : row.addedP50 <= REDIS_ADDED_P50_TARGET_MS,
    });
  }
  const gen = 'medianMs' in generate ? generate.medianMs : null;
  rows.push({
    target: '`finmcp generate` ≤ 3 s',
    scope: 'both specs',
    measured:
      'medianMs' in generate
        ? `${(generate.medianMs / 1000).toFixed(2)} s (${generate.mode})`
        : `failed: ${generate.error}`,
    pass:
      gen === null || !Number.isFinite(gen) || ('exitCode' in generate && generate.exitCode !== 0) ? null : gen <= 3000,
  });
  return rows;
}

/** The throughput point of `server` on `backend` over `transport` at `clients` in flight; the plain run unless `variant`. */
function throughputAt(
  rows: readonly ThroughputRow[],
  backend: string,
  server: string,
  transport: string,
  clients: number,
  variant?: string,
): ThroughputRow | undefined {
  return rows.find(
    (t) =>
      t.backend === backend &&
      t.server === server &&
      t.transport === transport &&
      t.concurrency === clients &&
      t.variant === variant,
  );
}

/** Issue 27: finmcp's server CPU per call and throughput next to the reference's, at 16 clients. */
const REFERENCE_CPU_LIMIT = 1.3;
const REFERENCE_THROUGHPUT_FLOOR = 0.8;
const REFERENCE_ID = 'reference';

/**
 * Per transport and protocol era, finmcp ÷ the reference (bench/servers/reference.ts) at 16 clients on the same
 * transport (a run without a 16-client point, e.g. the smoke run, uses its largest one and says so): server CPU
 * per call ≤ 1.3×, throughput ≥ 0.8× (means of the rounds). The reference speaks one era; finmcp's 2026-07-28
 * rows are judged against the same reference rows.
 */
function referenceTargets(backend: string, throughput: readonly ThroughputRow[], subject: string): TargetRow[] {
  const refs = throughput.filter((t) => t.backend === backend && t.server === REFERENCE_ID && t.variant === undefined);
  if (refs.length === 0) return [];
  const levels = refs.map((t) => t.concurrency);
  const clients = levels.includes(16) ? 16 : Math.max(...levels);
  const at = (server: string, transport: string, variant: string | undefined): ThroughputRow | undefined =>
    throughputAt(throughput, backend, server, transport, clients, variant);
  const rows: TargetRow[] = [];
  for (const transport of ['stdio', 'http']) {
    const ref = at(REFERENCE_ID, transport, undefined);
    if (ref === undefined) continue;
    for (const variant of [undefined, '2026-07-28']) {
      const row = at(subject, transport, variant);
      const scope = `${transport}, ${clients} clients${variant === undefined ? '' : `, ${variant}`}`;
      const cpu = ratio(row?.cpuMean ?? null, ref.cpuMean);
      rows.push({
        target: `server CPU per call ≤ ${REFERENCE_CPU_LIMIT}× reference (${scope})`,
        scope: backend,
        measured:
          cpu === null ? 'not measured' : `${cpu.toFixed(2)}× (${ms(row?.cpuMean ?? null)} vs ${ms(ref.cpuMean)})`,
        pass: cpu === null ? null : cpu <= REFERENCE_CPU_LIMIT,
      });
      const calls = ratio(row?.mean ?? null, ref.mean);
      rows.push({
        target: `throughput ≥ ${REFERENCE_THROUGHPUT_FLOOR}× reference (${scope})`,
        scope: backend,
        measured:
          calls === null
            ? 'not measured'
            : `${calls.toFixed(2)}× (${Math.round(row?.mean ?? 0)} vs ${Math.round(ref.mean)} calls/s)`,
        pass: calls === null ? null : calls >= REFERENCE_THROUGHPUT_FLOOR,
      });
    }
  }
  return rows;
}
