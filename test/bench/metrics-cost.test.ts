/**
 * The "metrics on vs off" section of BENCHMARKS.md (bench/measure/metrics-cost.ts): per client count, interleaved
 * off/on pairs summarised as on ÷ off ratios (median, lowest, highest), the 5 % verdict judged on the medians.
 */
import { describe, expect, it } from 'vitest';
import {
  type MetricsCostResult,
  metricsCostTargets,
  renderMetricsCost,
  summarizeIcount,
  summarizeLevel,
  summarizeRatios,
  sumSamples,
} from '../../bench/measure/metrics-cost.js';

const point = (callsPerSec: number, cpuMsPerCall: number | null) => ({ callsPerSec, cpuMsPerCall });

describe('metrics on vs off', () => {
  it('summarises ratios by their median and spread', () => {
    expect(summarizeRatios([1.2, 0.9, 1.0])).toEqual({ median: 1, min: 0.9, max: 1.2 });
    expect(summarizeRatios([1, 2, 3, 4])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(summarizeRatios([])).toBeNull();
  });

  it('pairs each round, judges the medians and renders both sides with the spread', () => {
    const level = summarizeLevel(16, [
      { onFirst: false, off: point(5000, 0.16), on: point(4900, 0.164) },
      { onFirst: true, off: point(4000, 0.2), on: point(4100, 0.2) },
      { onFirst: false, off: point(5000, 0.16), on: point(3000, 0.3) },
    ]);
    expect(level.callsRatio).toEqual({ median: 0.98, min: 0.6, max: 1.025 });
    expect(level.cpuRatio).toEqual({ median: 1.025, min: 1, max: 1.875 });
    expect([level.callsOff, level.callsOn, level.cpuOff]).toEqual([4667, 4000, 0.173]);
    const result: MetricsCostResult = {
      backend: 'b4b',
      tool: 'get_invoice',
      sizes: { clients: [16], durationMs: 2000, rounds: 3, warmupCalls: 100, warmupMaxMs: 1000, together: true },
      loadAverage: { start: 1, end: 2 },
      levels: [level],
    };
    const text = renderMetricsCost([result, { backend: 'finopps', error: 'boom' }]);
    expect(text).toContain('| 16 | 4667 | 4000 | 0.980 (0.600–1.025) | 0.173 |');
    expect(text).toContain('| yes | 0 / 0 |');
    expect(text).toContain('Not measured: boom');
    const [b4b, finopps] = metricsCostTargets([result, { backend: 'finopps', error: 'boom' }]);
    expect(b4b?.at(-1)).toBe('✔');
    expect(finopps?.at(-1)).toBe('–');
  });

  it('sums the samples of a metric in the exposition, by labels', () => {
    const text = [
      '# TYPE finmcp_tool_calls_total counter',
      'finmcp_tool_calls_total{backend="b4b",tool="get_invoice",outcome="ok"} 41',
      'finmcp_tool_calls_total{backend="b4b",tool="get_invoice",outcome="tool_error"} 1',
      'finmcp_tool_calls_total{backend="b4b",tool="login",outcome="ok"} 5',
      'finmcp_tool_calls_total_other 9',
    ].join('\n');
    expect(sumSamples(text, 'finmcp_tool_calls_total', { tool: 'get_invoice' })).toBe(42);
    expect(sumSamples(text, 'finmcp_tool_calls_total')).toBe(47);
    expect(sumSamples(text, 'nodejs_gc_duration_seconds_count')).toBe(0);
  });

  it('misses the target when either median is more than 5 % off', () => {
    const level = summarizeLevel(64, [{ onFirst: false, off: point(5000, 0.1), on: point(5000, 0.106) }]);
    expect(
      renderMetricsCost([
        {
          backend: 'b4b',
          tool: 't',
          sizes: { clients: [64], durationMs: 1, rounds: 1, warmupCalls: 0, warmupMaxMs: 0, together: false },
          loadAverage: { start: 0, end: 0 },
          levels: [level],
        },
      ]),
    ).toContain('| no |');
  });

  it('judges the target on the instruction counts when both sides were counted, the timed medians beside them', () => {
    const level = summarizeLevel(64, [{ onFirst: false, off: point(5000, 0.1), on: point(4500, 0.12) }]);
    const icount = summarizeIcount(
      { warmup: 100, calls: 300, clients: 16 },
      [
        { off: 500_000, on: 502_000, offAll: 600_000, onAll: 640_000 },
        { off: 500_000, on: 501_000, offAll: 700_000, onAll: 600_000 },
        { off: 510_000, on: 600_000, offAll: 620_000, onAll: 700_000 },
      ],
      0,
    );
    expect(icount).toMatchObject({ off: 500_000, on: 502_000, ratio: { median: 1.004, min: 1.002, max: 1.176 } });
    expect(icount.all).toMatchObject({ off: 620_000, on: 640_000 });
    const result: MetricsCostResult = {
      backend: 'b4b',
      tool: 'get_invoice',
      sizes: { clients: [64], durationMs: 1000, rounds: 1, warmupCalls: 0, warmupMaxMs: 0, together: true },
      loadAverage: { start: 0, end: 0 },
      levels: [level],
      icount,
    };
    const [row] = metricsCostTargets([result]);
    expect(row?.[0]).toContain('judged on instructions per call under callgrind');
    expect(row?.[2]).toContain('instructions/call 502,000 on vs 500,000 off: 1.004 (1.002–1.176)');
    expect(row?.[2]).toContain('timed: 64 clients 0.900');
    expect(row?.at(-1)).toBe('✔');
    expect(renderMetricsCost([result])).toContain('main thread, medians: off 500,000, on 502,000, on ÷ off 1.004');
    // A failed call makes the counts incomparable: the timed medians decide (here: no).
    const [fallback] = metricsCostTargets([{ ...result, icount: { ...icount, failed: 1 } }]);
    expect(fallback?.[0]).toContain('timed, median of pairs');
    expect(fallback?.at(-1)).toBe('✘');
    const [over] = metricsCostTargets([
      { ...result, icount: { ...icount, ratio: { median: 1.06, min: 1.05, max: 1.07 } } },
    ]);
    expect(over?.at(-1)).toBe('✘');
    expect(renderMetricsCost([{ ...result, icount: { error: 'valgrind missing' } }])).toContain(
      'not counted (valgrind missing)',
    );
  });
});
