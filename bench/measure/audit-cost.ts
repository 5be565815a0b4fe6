/**
 * What the audit trail costs per tool call (issue 21): the same probe load on two finmcp HTTP processes against
 * the same stub, one with `FINMCP_AUDIT=file:<path>` and one with the audit off — sequential latency (p50/p90),
 * one client per server, calls alternating between the two so that machine noise hits both alike; then server
 * CPU per call under a closed loop of N clients, rounds interleaved between the two. Afterwards the
 * audit file's records are counted against the calls sent to the audited server (one record per call that
 * reached the backend, logins included), so a cheap figure from an audit that wrote nothing would show.
 */
import { Tally, type TallyCounts } from '../check.js';
import { summarize, type Summary } from '../stats.js';
import type { LoadTarget } from '../targets.js';
import { measureThroughput } from './throughput.js';

/** Sizes of the measurement. */
export interface AuditCostSizes {
  warmup: number;
  calls: number;
  maxMs: number;
  clients: number;
  durationMs: number;
  rounds: number;
}

/** One side (audit off or on). */
interface AuditSide {
  audit: 'off' | 'file';
  p50: number | null;
  p90: number | null;
  /** Server CPU ms per call, per round, and their mean. */
  cpuMsPerCall: Array<number | null>;
  cpuMean: number | null;
  /** Correct calls/s per round. */
  callsPerSec: number[];
  mismatches: number;
  errors: number;
}

/** What `--only audit` and the full run record. */
export interface AuditCostResult {
  backend: string;
  tool: string;
  sizes: AuditCostSizes;
  off: AuditSide;
  on: AuditSide;
  /** p50 with the audit on − off, ms. */
  addedP50Ms: number | null;
  /** Server CPU per call on − off (means of rounds), ms. */
  addedCpuMsPerCall: number | null;
  /** Calls sent to the audited server (logins included) and records its audit file holds after it stopped. */
  auditedCalls: number;
  records: number | null;
}

/** Most the audit trail may add to a call's p50 (judged in the Targets table). */
const ADDED_P50_TARGET_MS = 0.1;

/**
 * A target that counts every call its clients make and the setup calls of each session it opens, starting from
 * `earlier` calls made to the same server before.
 */
export function countingTarget(
  target: LoadTarget,
  setupCalls: number,
  earlier = 0,
): { target: LoadTarget; calls(): number } {
  let calls = earlier;
  return {
    calls: () => calls,
    target: {
      ...target,
      async open(count) {
        const opened = await target.open(count);
        calls += count * setupCalls;
        return {
          ...opened,
          clients: opened.clients.map((client) => ({
            call: () => {
              calls += 1;
              return client.call();
            },
          })),
        };
      },
    },
  };
}

const round3 = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;
const errorsOf = (o: TallyCounts): number => o.rpcErrors + o.toolErrors + o.httpErrors + o.timeouts + o.transportErrors;

/** Sequential latency of each target, one client each, calls alternating between them. */
async function alternatingLatency(
  targets: readonly LoadTarget[],
  sizes: AuditCostSizes,
): Promise<Array<{ summary: Summary; outcomes: TallyCounts }>> {
  const opened = await Promise.all(targets.map((t) => t.open(1)));
  const samples = targets.map((): number[] => []);
  const tallies = targets.map(() => new Tally());
  const deadline = performance.now() + sizes.maxMs;
  try {
    for (let i = 0; i < sizes.warmup + sizes.calls && performance.now() < deadline; i++) {
      for (const [index, o] of opened.entries()) {
        const client = o.clients[0];
        if (client === undefined) throw new Error('no client');
        const started = performance.now();
        const outcome = await client.call();
        if (i < sizes.warmup) continue;
        samples[index]?.push(performance.now() - started);
        tallies[index]?.add(outcome);
      }
    }
    for (const [index, o] of opened.entries()) tallies[index]?.addStrays(o.strays());
  } finally {
    await Promise.all(opened.map((o) => o.close()));
  }
  return targets.map((_t, index) => ({
    summary: summarize(samples[index] ?? []),
    outcomes: (tallies[index] as Tally).snapshot(),
  }));
}

/** Runs the comparison; `audited.calls()` counts what reached the audited server. */
export async function measureAuditCost(
  backend: string,
  tool: string,
  off: LoadTarget,
  audited: { target: LoadTarget; calls(): number },
  sizes: AuditCostSizes,
  countRecords: () => Promise<number | null>,
): Promise<AuditCostResult> {
  const sides = [
    { audit: 'off' as const, target: off },
    { audit: 'file' as const, target: audited.target },
  ];
  const measured = await alternatingLatency(
    sides.map((side) => side.target),
    sizes,
  );
  const latency = new Map(sides.map((side, index) => [side.audit, measured[index]]));
  const points = new Map<string, Awaited<ReturnType<typeof measureThroughput>>[]>();
  for (let round = 1; round <= sizes.rounds; round++) {
    for (const side of sides) {
      const point = await measureThroughput(side.target, sizes.clients, sizes.durationMs, round);
      points.set(side.audit, [...(points.get(side.audit) ?? []), point]);
    }
  }
  const summary = (audit: 'off' | 'file'): AuditSide => {
    const l = latency.get(audit);
    const p = points.get(audit) ?? [];
    const cpu = p.map((point) => round3(point.cpuMsPerCall));
    const known = cpu.filter((v): v is number => v !== null);
    return {
      audit,
      p50: round3(l?.summary.median ?? null),
      p90: round3(l?.summary.p90 ?? null),
      cpuMsPerCall: cpu,
      cpuMean: known.length === 0 ? null : round3(known.reduce((a, b) => a + b, 0) / known.length),
      callsPerSec: p.map((point) => Math.round(point.callsPerSec)),
      mismatches: (l?.outcomes.mismatches ?? 0) + p.reduce((n, point) => n + point.outcomes.mismatches, 0),
      errors: (l === undefined ? 0 : errorsOf(l.outcomes)) + p.reduce((n, point) => n + errorsOf(point.outcomes), 0),
    };
  };
  const [a, b] = [summary('off'), summary('file')];
  const diff = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : round3(y - x));
  return {
    backend,
    tool,
    sizes,
    off: a,
    on: b,
    addedP50Ms: diff(a.p50, b.p50),
    addedCpuMsPerCall: diff(a.cpuMean, b.cpuMean),
    auditedCalls: audited.calls(),
    records: await countRecords(),
  };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(3)} ms`);

/** Its row in the Targets table. */
export function auditCostTarget(result: AuditCostResult | { error: string }): string[] {
  const target = `audit trail (file): added p50 per call ≤ ${ADDED_P50_TARGET_MS} ms (http)`;
  if ('error' in result) return [target, 'b4b', `failed: ${result.error.split('\n')[0] ?? ''}`, '–'];
  const pass = result.addedP50Ms === null ? null : result.addedP50Ms <= ADDED_P50_TARGET_MS;
  return [
    target,
    result.backend,
    `${ms(result.addedP50Ms)}; CPU ${ms(result.addedCpuMsPerCall)} per call`,
    pass === null ? '–' : pass ? '✔' : '✘',
  ];
}

/** The BENCHMARKS.md section. */
export function renderAuditCost(result: AuditCostResult | { error: string }): string {
  const head = '## Audit trail: cost per call';
  if ('error' in result) return `${head}\n\nNot measured: ${result.error}\n`;
  const s = result.sizes;
  const pct = (x: number | null, y: number | null): string =>
    x === null || y === null || x === 0 ? 'n/a' : `${(((y - x) / x) * 100).toFixed(1)} %`;
  const rows = [
    ['p50 per call (1 client, sequential)', ms(result.off.p50), ms(result.on.p50), ms(result.addedP50Ms)],
    [
      'p90 per call',
      ms(result.off.p90),
      ms(result.on.p90),
      ms(result.on.p90 === null || result.off.p90 === null ? null : result.on.p90 - result.off.p90),
    ],
    [
      `server CPU per call, ${s.clients} clients (each round; mean)`,
      `${result.off.cpuMsPerCall.map((v) => ms(v)).join(' / ')}; ${ms(result.off.cpuMean)}`,
      `${result.on.cpuMsPerCall.map((v) => ms(v)).join(' / ')}; ${ms(result.on.cpuMean)}`,
      `${ms(result.addedCpuMsPerCall)} (${pct(result.off.cpuMean, result.on.cpuMean)})`,
    ],
    [
      `calls/s, ${s.clients} clients (each round)`,
      result.off.callsPerSec.join(' / '),
      result.on.callsPerSec.join(' / '),
      '',
    ],
    [
      'mismatches / errors',
      `${result.off.mismatches} / ${result.off.errors}`,
      `${result.on.mismatches} / ${result.on.errors}`,
      '',
    ],
  ];
  const records =
    result.records === null
      ? 'The audit file could not be read.'
      : `The audit file held ${result.records.toLocaleString('en-US')} records for ${result.auditedCalls.toLocaleString('en-US')} tool calls sent to the audited server (logins included)` +
        (result.records === result.auditedCalls ? ': one per call.' : ' — **not one per call**.');
  return [
    head,
    '',
    `The probe (\`${result.tool}\`, ${result.backend}) over HTTP on two finmcp processes against the same stub: \`FINMCP_AUDIT=off\``,
    `and \`FINMCP_AUDIT=file:<tmp>/audit.jsonl\` (hash-chained JSON lines, written in the background). Latency: ${s.warmup} warm-up`,
    `+ ${s.calls} sequential calls each; CPU: utime+stime of the server process over ${s.durationMs / 1000} s at ${s.clients} clients per round,`,
    `${s.rounds} round(s) interleaved between the two.`,
    '',
    '| | audit off | audit to a file | on − off |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    records,
    '',
  ].join('\n');
}
