/**
 * What FINMCP_METRICS costs (issue 26: throughput and server CPU per call within 5 % of metrics off): the
 * `finmcp-metrics` variant's throughput rows beside `finmcp`'s, same run, backend, transport and client count.
 * Only HTTP has the variant (stdio serves no /metrics). The report renders the rows as a table.
 */
import type { ThroughputRow } from './derive.js';

/** Id of the finmcp variant with FINMCP_METRICS on (bench/servers/finmcp.ts). */
const METRICS_VARIANT = 'finmcp-metrics';
/** Most that counting every call may cost in throughput or server CPU per call (issue 26). */
const TARGET = 0.05;

/** One client count, metrics off vs on. */
export interface MetricsCostRow {
  transport: string;
  concurrency: number;
  callsOff: number;
  callsOn: number;
  cpuOff: number | null;
  cpuOn: number | null;
}

/** The off/on pairs among one backend's throughput rows (none when the variant did not run). */
export function metricsCostRows(throughput: readonly ThroughputRow[]): MetricsCostRow[] {
  const rows: MetricsCostRow[] = [];
  for (const on of throughput) {
    if (on.server !== METRICS_VARIANT || on.variant !== undefined) continue;
    const off = throughput.find(
      (r) =>
        r.server === 'finmcp' &&
        r.variant === undefined &&
        r.transport === on.transport &&
        r.concurrency === on.concurrency,
    );
    if (off === undefined) continue;
    rows.push({
      transport: on.transport,
      concurrency: on.concurrency,
      callsOff: off.mean,
      callsOn: on.mean,
      cpuOff: off.cpuMean,
      cpuOn: on.cpuMean,
    });
  }
  return rows.sort((a, b) => a.transport.localeCompare(b.transport) || a.concurrency - b.concurrency);
}

/** The section's words and its table's head and rows, for the report to lay out. */
export function metricsCostSection(rows: readonly MetricsCostRow[]): {
  intro: string[];
  head: string[];
  rows: string[][];
} {
  const ratio = (on: number | null, off: number | null): number | null =>
    on === null || off === null || off === 0 ? null : on / off;
  const shown = (value: number | null, digits: number): string => (value === null ? 'n/a' : value.toFixed(digits));
  return {
    intro: [
      '### Metrics on vs off',
      '',
      'The same finmcp with `FINMCP_METRICS=1` (every call counted and timed for `/metrics`, not scraped during the',
      `run) next to metrics off, same run and client. Target: throughput and server CPU per call within ${TARGET * 100} %.`,
      '',
    ],
    head: [
      'transport',
      'clients',
      'calls/s off',
      'calls/s on',
      'on ÷ off',
      'CPU ms/call off',
      'CPU ms/call on',
      'on ÷ off',
      'within 5 %',
    ],
    rows: rows.map((r) => {
      const calls = ratio(r.callsOn, r.callsOff);
      const cpu = ratio(r.cpuOn, r.cpuOff);
      const within = calls === null || cpu === null ? 'n/a' : calls >= 1 - TARGET && cpu <= 1 + TARGET ? 'yes' : 'no';
      return [
        r.transport,
        String(r.concurrency),
        shown(r.callsOff, 0),
        shown(r.callsOn, 0),
        shown(calls, 3),
        shown(r.cpuOff, 3),
        shown(r.cpuOn, 3),
        shown(cpu, 3),
        within,
      ];
    }),
  };
}
