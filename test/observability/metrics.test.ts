/**
 * The Prometheus exposition of tool calls (src/observability/metrics.ts), read back as a scraper reads it: each
 * served tool's series exist from the start, outcomes are counted apart, latency lands in the bucket whose bound
 * it does not exceed (cumulative, `+Inf` = count), names the backend does not serve share one `(other)` series,
 * backend statuses are counted per tool, and the state store's gauges are read at each scrape.
 */
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/observability/metrics.js';

async function lines(metrics: PrometheusMetrics): Promise<string[]> {
  return (await metrics.render()).body.split('\n').filter((line) => line.includes('finmcp_tool'));
}

describe('PrometheusMetrics', () => {
  it('counts by outcome and fills the histogram buckets by their upper bounds', async () => {
    const metrics = new PrometheusMetrics();
    const acme = metrics.forBackend('acme', ['list_things', 'get_thing']);
    acme.record('list_things', 'ok', 0.001, 200);
    acme.record('list_things', 'ok', 0.02, 200);
    acme.record('list_things', 'backend_error', 45, 503);
    const text = await lines(metrics);
    expect(text).toEqual(
      expect.arrayContaining([
        'finmcp_tool_calls_total{backend="acme",tool="list_things",outcome="ok"} 2',
        'finmcp_tool_calls_total{backend="acme",tool="list_things",outcome="backend_error"} 1',
        'finmcp_tool_calls_total{backend="acme",tool="get_thing",outcome="ok"} 0',
        'finmcp_tool_call_duration_seconds_bucket{backend="acme",tool="list_things",le="0.001"} 1',
        'finmcp_tool_call_duration_seconds_bucket{backend="acme",tool="list_things",le="0.01"} 1',
        'finmcp_tool_call_duration_seconds_bucket{backend="acme",tool="list_things",le="0.025"} 2',
        'finmcp_tool_call_duration_seconds_bucket{backend="acme",tool="list_things",le="30"} 2',
        'finmcp_tool_call_duration_seconds_bucket{backend="acme",tool="list_things",le="+Inf"} 3',
        'finmcp_tool_call_duration_seconds_sum{backend="acme",tool="list_things"} 45.021',
        'finmcp_tool_call_duration_seconds_count{backend="acme",tool="list_things"} 3',
        'finmcp_tool_call_duration_seconds_count{backend="acme",tool="get_thing"} 0',
      ]),
    );
  });

  it('counts the backend statuses of calls that reached it, per tool', async () => {
    const metrics = new PrometheusMetrics();
    const acme = metrics.forBackend('acme', ['list_things', 'get_thing']);
    acme.record('list_things', 'ok', 0.01, 200);
    acme.record('list_things', 'ok', 0.01, 200);
    acme.record('list_things', 'backend_error', 0.01, 429);
    // Back to a status seen before: counted on with it, not as a new series.
    acme.record('list_things', 'ok', 0.01, 200);
    acme.record('get_thing', 'invalid_arguments', 0.001, undefined);
    const text = (await metrics.render()).body
      .split('\n')
      .filter((l) => l.startsWith('finmcp_backend_responses_total'));
    expect(text.sort()).toEqual([
      'finmcp_backend_responses_total{backend="acme",tool="list_things",status="200"} 3',
      'finmcp_backend_responses_total{backend="acme",tool="list_things",status="429"} 1',
    ]);
  });

  it('reads the state store when scraped: up, and the sessions it can count', async () => {
    const metrics = new PrometheusMetrics();
    let open = 3;
    let up = true;
    metrics.watchState({ store: 'memory', sessions: () => open, up: () => up });
    expect((await metrics.render()).body).toContain('finmcp_sessions{store="memory"} 3');
    open = 5;
    up = false;
    const text = (await metrics.render()).body;
    expect(text).toContain('finmcp_sessions{store="memory"} 5');
    expect(text).toContain('finmcp_state_store_up{store="memory"} 0');
    const redis = new PrometheusMetrics();
    redis.watchState({ store: 'redis', sessions: () => undefined, up: () => true });
    const redisText = (await redis.render()).body;
    expect(redisText).toContain('finmcp_state_store_up{store="redis"} 1');
    expect(redisText).not.toMatch(/^finmcp_sessions\{/m);
  });

  it('counts names the backend does not serve as one (other) series, shown once used', async () => {
    const metrics = new PrometheusMetrics();
    const acme = metrics.forBackend('acme', ['list_things']);
    expect((await lines(metrics)).some((line) => line.includes('(other)'))).toBe(false);
    for (let i = 0; i < 50; i++) acme.record(`made_up_${i}`, 'unknown_tool', 0.0001, undefined);
    const other = (await lines(metrics)).filter((line) => line.includes('made_up'));
    expect(other).toEqual([]);
    expect(await lines(metrics)).toContain(
      'finmcp_tool_calls_total{backend="acme",tool="(other)",outcome="unknown_tool"} 50',
    );
  });

  it("has prom-client's default process and Node.js metrics but the GC histogram (a per-collection observer)", async () => {
    const text = (await new PrometheusMetrics().render()).body;
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
      'nodejs_version_info',
    ])
      expect(text).toMatch(new RegExp(`^${name}[ {]`, 'm'));
    expect(text).not.toContain('nodejs_gc_duration_seconds');
  });

  it('counts HTTP refusals by backend and reason', async () => {
    const metrics = new PrometheusMetrics();
    metrics.refused('acme', 'rate_limited');
    metrics.refused('acme', 'rate_limited');
    metrics.refused('acme', 'unauthenticated');
    const text = (await metrics.render()).body;
    expect(text).toContain('finmcp_http_refusals_total{backend="acme",reason="rate_limited"} 2');
    expect(text).toContain('finmcp_http_refusals_total{backend="acme",reason="unauthenticated"} 1');
  });

  it('escapes label values and keeps backends apart', async () => {
    const metrics = new PrometheusMetrics();
    metrics.forBackend('a', ['x"y']).record('x"y', 'ok', 0.5, 200);
    metrics.forBackend('b', ['x"y']);
    const text = await lines(metrics);
    expect(text).toContain('finmcp_tool_calls_total{backend="a",tool="x\\"y",outcome="ok"} 1');
    expect(text).toContain('finmcp_tool_calls_total{backend="b",tool="x\\"y",outcome="ok"} 0');
  });
});
