/**
 * The "metrics on vs off" rows of BENCHMARKS.md (bench/metrics-cost.ts): `finmcp-metrics` paired with `finmcp` on
 * the same transport and client count, ratios and the 5 % verdict from throughput and server CPU per call.
 */
import { describe, expect, it } from 'vitest';
import type { ThroughputRow } from '../../bench/derive.js';
import { metricsCostRows, metricsCostSection } from '../../bench/metrics-cost.js';

function row(server: string, concurrency: number, mean: number, cpuMean: number | null): ThroughputRow {
  return {
    backend: 'b4b',
    role: 'subject',
    server,
    transport: 'http',
    client: 'lean HTTP/1.1',
    concurrency,
    rounds: [mean],
    mean,
    xFloor: null,
    xBestPeer: null,
    bestPeer: null,
    cpuMsPerCall: [cpuMean],
    cpuMean,
    clientCpuMean: null,
    stubCpuMean: null,
    mismatches: 0,
    errors: 0,
  };
}

describe('metrics on vs off', () => {
  it('pairs the variant with finmcp per client count and judges the 5 % target', () => {
    const rows = metricsCostRows([
      row('finmcp', 16, 5000, 0.16),
      row('finmcp-metrics', 16, 4900, 0.165),
      row('finmcp', 64, 6000, 0.15),
      row('finmcp-metrics', 64, 5000, 0.15),
      row('ivotoby', 16, 2000, 0.4),
    ]);
    expect(rows.map((r) => [r.concurrency, r.callsOff, r.callsOn])).toEqual([
      [16, 5000, 4900],
      [64, 6000, 5000],
    ]);
    const section = metricsCostSection(rows);
    expect(section.rows.map((r) => [r[4], r[7], r[8]])).toEqual([
      ['0.980', '1.031', 'yes'],
      ['0.833', '1.000', 'no'],
    ]);
  });

  it('has no rows when the variant did not run', () => {
    expect(metricsCostRows([row('finmcp', 16, 5000, 0.16)])).toEqual([]);
  });
});
