/**
 * Derived figures: added latency is server − floor, ratios go to the floor and to the best peer of the same
 * transport (a peer's unique-id variant counts), and targets get ✔/✘ from the means of the rounds.
 */
import { describe, expect, it } from 'vitest';
import type { BackendResult } from '../../bench/backend-run.js';
import { Tally, type TallyCounts } from '../../bench/check.js';
import { derive } from '../../bench/derive.js';
import type { LatencyResult } from '../../bench/measure/latency.js';
import type { ThroughputResult } from '../../bench/measure/throughput.js';

const clean: TallyCounts = { ...new Tally().snapshot(), ok: 100 };

function latency(server: string, transport: string, median: number, p99: number): LatencyResult {
  return {
    server,
    transport,
    client: 'c',
    warmup: 0,
    summary: { n: 100, median, p99, mean: median, min: median, max: p99 },
    outcomes: clean,
  };
}

function point(
  server: string,
  transport: string,
  concurrency: number,
  round: number,
  callsPerSec: number,
  variant?: string,
): ThroughputResult {
  return {
    server,
    transport,
    ...(variant === undefined ? {} : { variant }),
    client: 'c',
    concurrency,
    round,
    durationMs: 1000,
    callsPerSec,
    cpuMsPerCall: server === 'floor' ? null : 0.2,
    clientCpuMsPerCall: 0.03,
    stubCpuMsPerCall: 0.02,
    outcomes:
      server === 'peer' && variant === undefined ? { ...clean, wrongData: 5, strays: 5, mismatches: 10 } : clean,
  };
}

const backend: BackendResult = {
  backend: 'b',
  probe: { method: 'GET', path: '/x/{id}', echoParam: 'id' },
  servers: [
    {
      id: 'finmcp',
      label: 'finmcp',
      role: 'subject',
      coldStart: { samplesMs: [200], medianMs: 200, starts: 1 },
      toolsList: null,
      stdio: { rssAfterLoadBytes: 90 * 2 ** 20 },
      http: { rssAfterLoadBytes: 120 * 2 ** 20 },
    },
    {
      id: 'peer',
      label: 'peer',
      role: 'peer',
      coldStart: { samplesMs: [100], medianMs: 100, starts: 1 },
      toolsList: null,
      stdio: { rssAfterLoadBytes: 80 * 2 ** 20 },
      http: {},
    },
  ],
  latency: [
    latency('floor', 'direct', 0.1, 1),
    latency('finmcp', 'stdio', 0.4, 2),
    latency('finmcp', 'http', 0.6, 3),
    latency('peer', 'http', 1.1, 4),
  ],
  throughput: [
    point('floor', 'direct', 16, 1, 20_000),
    point('floor', 'direct', 16, 2, 30_000),
    point('finmcp', 'http', 16, 1, 5_000),
    point('finmcp', 'http', 16, 2, 7_000),
    point('peer', 'http', 16, 1, 100),
    point('peer', 'http', 16, 2, 100),
    point('peer', 'http', 16, 1, 2_000, 'unique ids'),
    point('peer', 'http', 16, 2, 4_000, 'unique ids'),
  ],
  stub: undefined,
};

describe('derive', () => {
  const derived = derive(
    [backend],
    { mode: 'check', runsMs: [1000], medianMs: 1000, exitCode: 0 },
    { coldStartMs: 50, rssIdleBytes: 40 * 2 ** 20 },
  );

  it('computes added latency and its ratios', () => {
    const http = derived.latency.find((r) => r.server === 'finmcp' && r.transport === 'http');
    expect(http?.addedP50).toBeCloseTo(0.5);
    expect(http?.addedP99).toBeCloseTo(2);
    expect(http?.xFloor).toBeCloseTo(6);
    expect(http?.bestPeer).toBe('peer');
    expect(http?.xBestPeer).toBeCloseTo(0.5);
  });

  it('compares throughput with the best peer, its unique-id variant included', () => {
    const row = derived.throughput.find((r) => r.server === 'finmcp' && r.transport === 'http');
    expect(row?.mean).toBe(6_000);
    expect(row?.xFloor).toBeCloseTo(0.24);
    expect(row?.bestPeer).toBe('peer, unique ids');
    expect(row?.xBestPeer).toBeCloseTo(2);
    const faulty = derived.correctness.find(
      (r) => r.server === 'peer' && r.variant === undefined && r.transport === 'http',
    );
    expect(faulty?.mismatches).toBe(20);
  });

  it('judges the targets', () => {
    const verdict = (text: string): boolean | null | undefined =>
      derived.targets.find((t) => t.target.startsWith(text))?.pass;
    expect(verdict('added p50 over stdio')).toBe(true);
    expect(verdict('added p50 over http')).toBe(true);
    expect(verdict('throughput at 16 clients ≥ 2× best peer (http)')).toBe(true);
    expect(verdict('throughput at 16 clients ≥ 2× best peer (stdio)')).toBeNull();
    expect(verdict('0 mismatched')).toBe(true);
    expect(verdict('cold start')).toBe(true);
    expect(verdict('RSS after load ≤ 100 MB (http)')).toBe(false);
    expect(verdict('`finmcp generate`')).toBe(true);
    const startup = derived.startup.find((r) => r.server === 'finmcp');
    expect(startup?.coldStartXFloor).toBeCloseTo(4);
    expect(startup?.coldStartXBestPeer).toBeCloseTo(2);
  });
});

describe('derive: state on Redis vs memory', () => {
  const withRedis: BackendResult = {
    ...backend,
    servers: [
      ...backend.servers,
      {
        id: 'finmcp-redis',
        label: 'finmcp (state on Redis)',
        role: 'subject',
        coldStart: { unavailable: 'stdio' },
        toolsList: null,
        stdio: { unavailable: 'stdio' },
        http: {},
        sessions: {
          sessions: 100,
          failed: 0,
          rssBeforeBytes: 1,
          rssAfterBytes: 2,
          perSessionBytes: 0.01,
          warmupSessions: 5,
          storePerSessionBytes: 700,
        },
      },
    ],
    latency: [...backend.latency, latency('finmcp-redis', 'http', 0.75, 3)],
    throughput: [
      ...backend.throughput,
      point('finmcp-redis', 'http', 16, 1, 4_000),
      point('finmcp-redis', 'http', 16, 2, 5_000),
    ],
  };
  const derived = derive(
    [withRedis],
    { mode: 'check', runsMs: [1000], medianMs: 1000, exitCode: 0 },
    { coldStartMs: 50, rssIdleBytes: 40 * 2 ** 20 },
  );

  it('reports the added p50, calls/s of both stores and Redis memory per session, and judges the 0.2 ms target', () => {
    expect(derived.sharedState).toHaveLength(1);
    const row = derived.sharedState[0]!;
    expect(row.addedP50).toBeCloseTo(0.15);
    expect(row.callsPerSec).toEqual([{ concurrency: 16, memory: 6_000, redis: 4_500 }]);
    expect(row.redisBytesPerSession).toBe(700);
    const target = derived.targets.find((t) => t.target.startsWith('state on Redis'));
    expect(target).toMatchObject({ scope: 'b', measured: '0.150 ms', pass: true });
  });

  it('has no Redis row when the Redis variant did not run', () => {
    const plain = derive(
      [backend],
      { mode: 'check', runsMs: [1000], medianMs: 1000, exitCode: 0 },
      { coldStartMs: 50, rssIdleBytes: 40 * 2 ** 20 },
    );
    expect(plain.sharedState).toEqual([]);
    expect(plain.targets.some((t) => t.target.startsWith('state on Redis'))).toBe(false);
  });
});

describe('derive: finmcp next to the reference server', () => {
  const cpu = (p: ThroughputResult, ms: number): ThroughputResult => ({ ...p, cpuMsPerCall: ms });
  const withReference: BackendResult = {
    ...backend,
    servers: [
      ...backend.servers,
      {
        id: 'reference',
        label: 'reference',
        role: 'reference',
        coldStart: { samplesMs: [90], medianMs: 90, starts: 1 },
        toolsList: null,
        stdio: {},
        http: {},
      },
    ],
    throughput: [
      ...backend.throughput,
      cpu(point('finmcp', 'http', 16, 1, 5_000, '2026-07-28'), 0.3),
      cpu(point('finmcp', 'http', 16, 2, 5_000, '2026-07-28'), 0.3),
      cpu(point('reference', 'http', 16, 1, 8_000), 0.1),
      cpu(point('reference', 'http', 16, 2, 7_000), 0.2),
    ],
  };
  const derived = derive(
    [withReference],
    { mode: 'check', runsMs: [1000], medianMs: 1000, exitCode: 0 },
    { coldStartMs: 50, rssIdleBytes: 40 * 2 ** 20 },
  );
  const target = (text: string) => derived.targets.find((t) => t.target === text);

  it('judges CPU per call (≤ 1.3×) and throughput (≥ 0.8×) against the reference, per era', () => {
    // finmcp 0.2 ms vs the reference's mean 0.15 ms; 6,000 vs 7,500 calls/s.
    expect(target('server CPU per call ≤ 1.3× reference (http, 16 clients)')).toMatchObject({
      measured: '1.33× (0.200 ms vs 0.150 ms)',
      pass: false,
    });
    expect(target('throughput ≥ 0.8× reference (http, 16 clients)')?.pass).toBe(true);
    expect(target('server CPU per call ≤ 1.3× reference (http, 16 clients, 2026-07-28)')?.pass).toBe(false);
    expect(target('throughput ≥ 0.8× reference (http, 16 clients, 2026-07-28)')).toMatchObject({
      measured: '0.67× (5000 vs 7500 calls/s)',
      pass: false,
    });
    // No reference over stdio in this run: no stdio rows.
    expect(derived.targets.some((t) => t.target.includes('reference (stdio'))).toBe(false);
  });

  it('keeps the reference out of the best-peer ratios', () => {
    const row = derived.throughput.find((r) => r.server === 'finmcp' && r.transport === 'http' && !r.variant);
    expect(row?.bestPeer).toBe('peer, unique ids');
  });
});
