/**
 * The bench plan's load section (issue 14): 1,000 HTTP clients for 60 s in the full run, a tiny version in the
 * smoke run, and `--only load` running nothing else, with its own results file and no report.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../bench/plan.js';

const ROOT = '/repo';

describe('bench plan: many-client load', () => {
  it('is 1,000 clients for 60 s on B4B in the full run, with a generous per-call limit', () => {
    const plan = makePlan([], {}, ROOT);
    expect(plan.only).toBeNull();
    expect(plan.load).toMatchObject({ clients: 1000, durationMs: 60_000, backends: ['b4b'] });
    expect(plan.load.callTimeoutMs).toBeGreaterThan(plan.callTimeoutMs);
    expect(plan.markdown).toBe(join(ROOT, 'BENCHMARKS.md'));
  });

  it('is tiny in the smoke run', () => {
    const plan = makePlan(['--smoke'], {}, ROOT);
    expect(plan.load.clients).toBeLessThanOrEqual(50);
    expect(plan.load.durationMs).toBeLessThanOrEqual(2000);
  });

  it('--only load runs finmcp alone, into bench/results.load.json, without rewriting BENCHMARKS.md', () => {
    const plan = makePlan(['--only', 'load'], {}, ROOT);
    expect(plan.only).toBe('load');
    expect(plan.servers).toEqual(['finmcp']);
    expect(plan.out).toBe(join(ROOT, 'bench', 'results.load.json'));
    expect(plan.markdown).toBeNull();
  });

  it('--only confirm, audit and metrics write their own results files, without rewriting BENCHMARKS.md', () => {
    for (const part of ['confirm', 'audit', 'metrics']) {
      const plan = makePlan(['--only', part], {}, ROOT);
      expect(plan.only).toBe(part);
      expect(plan.out).toBe(join(ROOT, 'bench', `results.${part}.json`));
      expect(plan.markdown).toBeNull();
    }
    expect(makePlan(['--smoke'], {}, ROOT).confirm.writes).toBeLessThanOrEqual(20);
  });

  it('measures metrics on vs off in interleaved pairs, not as throughput rows of a server variant', () => {
    const full = makePlan([], {}, ROOT);
    expect(full.servers).not.toContain('finmcp-metrics');
    expect(full.metrics).toMatchObject({ clients: [16, 64], rounds: 20, durationMs: 1000, together: true });
    expect(full.metrics.icount).toMatchObject({ warmup: 1000, calls: 400, rounds: 5 });
    const only = makePlan(
      ['--only', 'metrics'],
      { BENCH_METRICS_ROUNDS: '10', BENCH_METRICS_PROFILE: '1', BENCH_METRICS_TOGETHER: '0' },
      ROOT,
    );
    expect(only.servers).toEqual(['finmcp']);
    expect(only.metrics).toMatchObject({ rounds: 10, profile: true, together: false });
    expect(makePlan(['--smoke'], {}, ROOT).metrics).toMatchObject({ rounds: 1, icount: null });
    expect(makePlan(['--only', 'metrics'], { BENCH_METRICS_ICOUNT: '0' }, ROOT).metrics.icount).toBeNull();
  });

  it('--only ratio runs finmcp and the reference at 16 clients; profiles and instruction counts only when asked', () => {
    const plan = makePlan(['--only', 'ratio'], {}, ROOT);
    expect(plan.servers).toEqual(['finmcp', 'reference']);
    expect(plan.concurrency).toEqual([16]);
    expect(plan.out).toBe(join(ROOT, 'bench', 'results.ratio.json'));
    expect(plan.markdown).toBeNull();
    expect(plan.profile).toBe(false);
    expect(plan.icount).toBeNull();
    const counted = makePlan(['--only', 'ratio'], { BENCH_ICOUNT: '1', BENCH_ICOUNT_TRANSPORTS: 'stdio' }, ROOT);
    expect(counted.icount).toMatchObject({ transports: ['stdio'], eras: ['2025-11-25', '2026-07-28'] });
    expect(makePlan([], { BENCH_ICOUNT: '1' }, ROOT).icount).toBeNull();
  });

  it('refuses an unknown section and takes the knobs from the environment', () => {
    expect(() => makePlan(['--only', 'latency'], {}, ROOT)).toThrow(/load/);
    const plan = makePlan(
      [],
      { BENCH_LOAD_CLIENTS: '200', BENCH_LOAD_DURATION_MS: '5000', BENCH_LOAD_BACKENDS: 'finopps,b4b' },
      ROOT,
    );
    expect(plan.load).toMatchObject({ clients: 200, durationMs: 5000, backends: ['finopps', 'b4b'] });
  });
});
