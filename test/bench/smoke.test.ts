/**
 * Smoke test of the benchmark harness: runs the compiled harness (`node dist/bench/run.js --smoke`, built by
 * `npm test` before vitest) against finmcp and the floor on every backend, with a few hundred calls, and
 * checks that every figure was produced (issue 21's confirmed write and audit cost, issue 26's metrics cost
 * included) and that no answer was mismatched. No timing is asserted: figures on a shared two-core machine are for
 * BENCHMARKS.md, not for pass/fail.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../bench/report.js';
import { runCompiled } from '../helpers/run-compiled.js';

let dir: string;
let results: RunResults;
let markdown: string;

describe('npm run bench --smoke', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'finmcp-bench-smoke-'));
    const out = join(dir, 'results.json');
    const md = join(dir, 'BENCHMARKS.md');
    const { code, output } = await runCompiled('bench/run.js', ['--smoke', '--out', out, '--markdown', md], {
      // A generous call limit: the smoke run checks the bench's figures are made, not how fast (the default is 3 s).
      env: { BENCH_SMOKE: '1', BENCH_CALL_TIMEOUT_MS: '60000' },
      guardMs: 230_000,
      tailChars: 6000,
    });
    if (code !== 0) throw new Error(`smoke run failed (exit ${String(code)}):\n${output}`);
    results = JSON.parse(await readFile(out, 'utf8')) as RunResults;
    markdown = await readFile(md, 'utf8');
  }, 240_000);

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('covers both backends with finmcp and the floor', () => {
    expect(results.meta.mode).toBe('smoke');
    expect(results.backends.map((b) => b.backend).sort()).toEqual(['b4b', 'finopps']);
    expect(results.servers.map((s) => s.id)).toContain('finmcp');
  });

  it('produces latency for the floor and finmcp over stdio and HTTP, with added latency', () => {
    for (const backend of results.backends) {
      for (const [server, transport] of [
        ['floor', 'direct'],
        ['finmcp', 'stdio'],
        ['finmcp', 'http'],
      ] as const) {
        const row = results.derived.latency.find(
          (l) =>
            l.backend === backend.backend &&
            l.server === server &&
            l.transport === transport &&
            l.variant === undefined,
        );
        expect(row, `${backend.backend} ${server}/${transport}`).toBeDefined();
        expect(row?.calls).toBeGreaterThan(0);
        expect(Number.isFinite(row?.p50)).toBe(true);
        expect(Number.isFinite(row?.p99)).toBe(true);
        expect(row?.addedP50).not.toBeNull();
      }
    }
  });

  it('has rows of MCP 2026-07-28 requests for finmcp over stdio and HTTP, latency and throughput', () => {
    for (const backend of results.backends) {
      for (const transport of ['stdio', 'http']) {
        const latency = results.derived.latency.find(
          (l) =>
            l.backend === backend.backend &&
            l.server === 'finmcp' &&
            l.transport === transport &&
            l.variant === '2026-07-28',
        );
        expect(latency?.calls, `${backend.backend} ${transport}`).toBeGreaterThan(0);
        expect(latency?.addedP50).not.toBeNull();
        const load = results.derived.throughput.find(
          (t) =>
            t.backend === backend.backend &&
            t.server === 'finmcp' &&
            t.transport === transport &&
            t.variant === '2026-07-28',
        );
        expect(load?.mean, `${backend.backend} ${transport}`).toBeGreaterThan(0);
        expect(load?.cpuMean).not.toBeNull();
      }
    }
    expect(markdown).toContain('**finmcp**, 2026-07-28');
  });

  it('produces throughput and server CPU per call', () => {
    for (const backend of results.backends) {
      for (const transport of ['stdio', 'http']) {
        const row = results.derived.throughput.find(
          (t) =>
            t.backend === backend.backend &&
            t.server === 'finmcp' &&
            t.transport === transport &&
            t.variant === undefined,
        );
        expect(row, `${backend.backend} finmcp/${transport}`).toBeDefined();
        expect(row?.mean).toBeGreaterThan(0);
        expect(row?.cpuMean).not.toBeNull();
        expect(row?.xFloor).not.toBeNull();
      }
      const floor = results.derived.throughput.find((t) => t.backend === backend.backend && t.server === 'floor');
      expect(floor?.mean).toBeGreaterThan(0);
    }
  });

  it('has no mismatched answer', () => {
    const rows = results.derived.correctness;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row.mismatches, `${row.backend} ${row.server}/${row.transport}: ${row.samples.join('; ')}`).toBe(0);
  });

  it('produces cold start, tools/list size and memory figures', () => {
    expect(results.floor.coldStartMs).toBeGreaterThan(0);
    expect(results.floor.rssIdleBytes).toBeGreaterThan(0);
    for (const backend of results.backends) {
      const server = backend.servers.find((s) => s.id === 'finmcp');
      expect(server).toBeDefined();
      expect(server && 'medianMs' in server.coldStart ? server.coldStart.medianMs : null).toBeGreaterThan(0);
      expect(server?.toolsList?.bytes).toBeGreaterThan(0);
      expect(server?.toolsList?.approxTokens).toBeGreaterThan(0);
      for (const transport of ['stdio', 'http'] as const) {
        expect(server?.[transport].error, `${backend.backend} ${transport}`).toBeUndefined();
        expect(server?.[transport].rssIdleBytes).toBeGreaterThan(0);
        expect(server?.[transport].rssAfterLoadBytes).toBeGreaterThan(0);
      }
    }
  });

  it('measures memory per B4B session', () => {
    const b4b = results.backends.find((b) => b.backend === 'b4b')?.servers.find((s) => s.id === 'finmcp');
    const sessions = b4b?.sessions;
    expect(sessions).toBeDefined();
    expect(sessions && 'perSessionBytes' in sessions ? sessions.perSessionBytes : null).not.toBeNull();
    expect(sessions && 'failed' in sessions ? sessions.failed : -1).toBe(0);
  });

  it('runs the many-client HTTP load on B4B with no error and no mismatch, and reports p50/p99 and RSS', () => {
    const load = results.backends.find((b) => b.backend === 'b4b')?.load;
    expect(load).toBeDefined();
    if (load === undefined || 'error' in load) throw new Error(`load failed: ${load?.error ?? 'missing'}`);
    expect(load.clients).toBe(results.meta.plan.load.clients);
    expect(load.calls).toBeGreaterThan(0);
    expect(load.outcomes.ok).toBe(load.calls);
    expect(load.outcomes.mismatches, load.outcomes.samples.join('; ')).toBe(0);
    expect(Number.isFinite(load.p50Ms) && Number.isFinite(load.p99Ms)).toBe(true);
    expect(load.rssPeakBytes).toBeGreaterThan(0);
    expect(markdown).toContain('## Many concurrent HTTP clients');
  });

  it('times a confirmed B4B write with the state in memory and on Redis; every replay returns the first result', () => {
    const write = results.confirmedWrite;
    if (write === undefined || 'error' in write) throw new Error(`confirmed write: ${write?.error ?? 'missing'}`);
    expect(write.stores.map((s) => s.store)).toEqual(['memory', 'redis']);
    for (const store of write.stores) {
      expect(store.errors, `${store.store}: ${store.firstError ?? ''}`).toBe(0);
      expect(store.write.n).toBe(results.meta.plan.confirm.writes);
      expect(store.write.p50).toBeGreaterThan(0);
      expect(store.replay.p50).toBeGreaterThan(0);
    }
    expect(write.addedP50Ms).not.toBeNull();
    // One backend POST per confirmation: the replays wrote nothing.
    expect(write.confirmed).toBe(2 * (results.meta.plan.confirm.writes + results.meta.plan.confirm.warmup));
    expect(write.backendPosts).toBe(write.confirmed);
    expect(markdown).toContain('## Confirmed write: the claim on Redis vs in memory');
    expect(markdown).toContain('confirmed write, claim on Redis: added p50 vs memory');
  });

  it('measures the audit trail off and on, with one audit record per call sent to the audited server', () => {
    const audit = results.auditCost;
    if (audit === undefined || 'error' in audit) throw new Error(`audit cost: ${audit?.error ?? 'missing'}`);
    for (const side of [audit.off, audit.on]) {
      expect(side.mismatches).toBe(0);
      expect(side.errors).toBe(0);
      expect(side.p50).toBeGreaterThan(0);
      expect(side.cpuMean).not.toBeNull();
    }
    expect(audit.auditedCalls).toBeGreaterThan(0);
    expect(audit.records).toBe(audit.auditedCalls);
    expect(markdown).toContain('## Audit trail: cost per call');
  });

  it('measures metrics off vs on in pairs (B4B in the smoke run), with no mismatch or error', () => {
    const metrics = results.metricsCost ?? [];
    expect(metrics.map((m) => m.backend)).toEqual(['b4b']);
    for (const m of metrics) {
      if ('error' in m) throw new Error(`metrics cost on ${m.backend}: ${m.error}`);
      for (const level of m.levels) {
        expect(level.pairs).toHaveLength(results.meta.plan.metrics.rounds);
        expect([level.mismatches, level.errors]).toEqual([0, 0]);
        expect(level.callsRatio).not.toBeNull();
        expect(level.cpuRatio).not.toBeNull();
      }
      // The metrics-on server counted every probe call it was sent.
      expect(m.scrape?.sent).toBeGreaterThan(0);
      expect(m.scrape?.counted).toBe(m.scrape?.sent);
    }
    expect(markdown).toContain('## Metrics: cost per call');
  });

  it('times finmcp generate and writes the report with the targets table', () => {
    const generate = results.generate.finmcp;
    expect('medianMs' in generate ? generate.medianMs : null).toBeGreaterThan(0);
    expect(results.derived.targets.length).toBeGreaterThan(0);
    expect(markdown).toContain('## Targets');
    expect(markdown).toContain('## Reproduce');
  });
});
