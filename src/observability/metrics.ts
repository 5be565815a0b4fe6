/**
 * Prometheus metrics (prom-client): `finmcp_tool_calls_total{backend,tool,outcome}`, the histogram
 * `finmcp_tool_call_duration_seconds{backend,tool}`, `finmcp_backend_responses_total{backend,tool,status}` (the
 * backend's HTTP status per call that reached it), `finmcp_http_refusals_total{backend,reason}` (401 and 429
 * answers), the state store's `finmcp_state_store_up{store}` and `finmcp_sessions{store}` (read when scraped), and
 * prom-client's default process and Node.js metrics but its GC histogram (see {@link collectDefaultMetricsButGc}),
 * in a registry of this server's own (not prom-client's global one). Loaded only when FINMCP_METRICS is on.
 *
 * A call costs one map lookup (the tool's series, by the name the tool service already looked up, so its hash is
 * computed), two comparisons (outcome `ok`, the status counted last), a bucket search and a few increments — about
 * 230 instructions (callgrind, a loop of records with fresh name strings; 600 with maps for outcome and status), a
 * few thousandths of a call's. Nothing is allocated: each served tool's series are plain numbers kept here, created
 * at start-up (a status or failure outcome on its first occurrence), and turned into prom-client's metric values
 * only when `/metrics` is read. (prom-client's own Counter and Histogram build a label
 * key string and objects on every update, even through a labelled child; its registry formats any metric object
 * that describes its values, as these do.) The duration is the call's own timing, taken once by the tool service.
 */
import { createRequire } from 'node:module';
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';
import type { BackendCallMetrics, CallMetrics, HttpRefusal, MetricsExposition, StateProbe } from './call-observer.js';

/** Upper bounds of the latency buckets, in seconds: from a sandbox call (≈ 1 ms) to the backend timeout (30 s). */
const LATENCY_BUCKETS = new Float64Array([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
/** The `tool` label of calls naming a tool the backend does not serve. */
const OTHER_TOOL = '(other)';
/** The outcome of a call that succeeded. */
const OK = 'ok';

const CALLS = 'finmcp_tool_calls_total';
const DURATION = 'finmcp_tool_call_duration_seconds';
const RESPONSES = 'finmcp_backend_responses_total';

/** The calls of one tool answered with one backend status. */
class StatusCount {
  calls = 0;
  constructor(readonly status: number) {}
}

/** One tool's numbers. */
class ToolSeries {
  /** Calls that ended `ok` (nearly all of them: a field, no map lookup), exposed from the start. */
  ok = 0;
  /** Calls by any other outcome (a fixed set named by the tool service). */
  readonly failed = new Map<string, number>();
  /** Calls per latency bucket (not cumulative); the last one is above every bound. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  /** Sum of durations (seconds) and number of calls. */
  sum = 0;
  count = 0;
  /** Calls by the backend's HTTP status (a number from the backend client: bounded, never a client's text). */
  readonly statuses = new Map<number, StatusCount>();
  /** The status counted last: a tool's calls nearly always get the same one, counted without a map lookup. */
  #lastStatus = new StatusCount(-1);

  constructor(
    readonly backend: string,
    readonly tool: string,
  ) {}

  record(outcome: string, seconds: number, status: number | undefined): void {
    if (outcome === OK) this.ok += 1;
    else this.failed.set(outcome, (this.failed.get(outcome) ?? 0) + 1);
    if (status !== undefined) {
      if (this.#lastStatus.status !== status) this.#lastStatus = this.#statusCount(status);
      this.#lastStatus.calls += 1;
    }
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket++;
    this.buckets[bucket]! += 1;
    this.sum += seconds;
    this.count += 1;
  }

  #statusCount(status: number): StatusCount {
    let counted = this.statuses.get(status);
    if (counted === undefined) this.statuses.set(status, (counted = new StatusCount(status)));
    return counted;
  }
}

/** One backend's series, by tool name. */
class BackendSeries implements BackendCallMetrics {
  readonly #tools = new Map<string, ToolSeries>();
  readonly other: ToolSeries;

  constructor(backend: string, tools: Iterable<string>) {
    for (const tool of tools) this.#tools.set(tool, new ToolSeries(backend, tool));
    this.other = new ToolSeries(backend, OTHER_TOOL);
  }

  record(tool: string, outcome: string, seconds: number, status: number | undefined): void {
    (this.#tools.get(tool) ?? this.other).record(outcome, seconds, status);
  }

  /** Every tool's series; the catch-all one only once it counted something. */
  *series(): Iterable<ToolSeries> {
    yield* this.#tools.values();
    if (this.other.count > 0) yield this.other;
  }
}

/**
 * prom-client's default metrics (the collectors `collectDefaultMetrics` runs, each its own module of the pinned
 * prom-client, in its own list) except `gc`: `nodejs_gc_duration_seconds` comes from a `gc` PerformanceObserver, and
 * on Node 20 a GC observer costs about 0.15–0.2 ms of CPU per young-generation collection (measured on the bench
 * machine) — a collection every few dozen calls, so a few % of each call's CPU, the whole 5 % budget of issue 26.
 * Every other default metric is read when `/metrics` is scraped, or by a native timer (event-loop delay).
 */
function collectDefaultMetricsButGc(register: Registry): void {
  const require = createRequire(import.meta.url);
  for (const name of collectDefaultMetrics.metricsList) {
    if (name === 'gc') continue;
    const collect = require(`prom-client/lib/metrics/${name}.js`) as (registry: Registry, config: object) => void;
    // collectDefaultMetrics' own default precision (ms) of the event-loop delay monitor.
    collect(register, { eventLoopMonitoringPrecision: 10 });
  }
}

/** A metric value as prom-client's registry formats it. */
interface Value {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric whose values are read from the series when the registry is scraped (see the module comment). */
function scrapedMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  return metric as unknown as Metric;
}

/** The server's metrics: recorders for the tool services, the text for `/metrics`. */
export class PrometheusMetrics implements CallMetrics, MetricsExposition {
  readonly #registry = new Registry();
  readonly #backends: BackendSeries[] = [];
  /** Refusals are rare and off the calls' path: prom-client's own labelled counter. */
  readonly #refusals = new Counter({
    name: 'finmcp_http_refusals_total',
    help: 'HTTP requests refused before reaching the tools: unauthenticated (401) or rate_limited (429), by backend',
    labelNames: ['backend', 'reason'],
    registers: [this.#registry],
  });

  constructor() {
    collectDefaultMetricsButGc(this.#registry);
    this.#registry.registerMetric(
      scrapedMetric(CALLS, 'Tool calls, by backend, tool and outcome', 'counter', () => this.#callValues()),
    );
    this.#registry.registerMetric(
      scrapedMetric(DURATION, 'Duration of tool calls in seconds, by backend and tool', 'histogram', () =>
        this.#durationValues(),
      ),
    );
    this.#registry.registerMetric(
      scrapedMetric(
        RESPONSES,
        "Backend HTTP responses to tool calls, by backend, tool and status (the last attempt's)",
        'counter',
        () => this.#responseValues(),
      ),
    );
  }

  forBackend(backend: string, tools: Iterable<string>): BackendCallMetrics {
    const series = new BackendSeries(backend, tools);
    this.#backends.push(series);
    return series;
  }

  refused(backend: string, reason: HttpRefusal): void {
    this.#refusals.inc({ backend, reason });
  }

  watchState(state: StateProbe): void {
    const labels = { store: state.store };
    new Gauge({
      name: 'finmcp_state_store_up',
      help: 'Whether the state store (sessions, sign-ins, rate limits) can serve requests: 1 yes, 0 no',
      labelNames: ['store'],
      registers: [this.#registry],
      collect() {
        this.set(labels, state.up() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'finmcp_sessions',
      help: 'Open MCP sessions in this process (memory store; absent where the store cannot count them cheaply)',
      labelNames: ['store'],
      registers: [this.#registry],
      collect() {
        const open = state.sessions();
        if (open !== undefined) this.set(labels, open);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }

  *#allSeries(): Iterable<ToolSeries> {
    for (const backend of this.#backends) yield* backend.series();
  }

  #callValues(): Value[] {
    const values: Value[] = [];
    for (const s of this.#allSeries()) {
      values.push({ labels: { backend: s.backend, tool: s.tool, outcome: OK }, value: s.ok });
      for (const [outcome, value] of s.failed) {
        values.push({ labels: { backend: s.backend, tool: s.tool, outcome }, value });
      }
    }
    return values;
  }

  #responseValues(): Value[] {
    const values: Value[] = [];
    for (const s of this.#allSeries()) {
      for (const [status, counted] of s.statuses) {
        values.push({ labels: { backend: s.backend, tool: s.tool, status: String(status) }, value: counted.calls });
      }
    }
    return values;
  }

  #durationValues(): Value[] {
    const values: Value[] = [];
    for (const s of this.#allSeries()) {
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += s.buckets[i]!;
        const le = i < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[i]) : '+Inf';
        values.push({
          metricName: `${DURATION}_bucket`,
          labels: { backend: s.backend, tool: s.tool, le },
          value: cumulative,
        });
      }
      const labels = { backend: s.backend, tool: s.tool };
      values.push({ metricName: `${DURATION}_sum`, labels, value: s.sum });
      values.push({ metricName: `${DURATION}_count`, labels, value: s.count });
    }
    return values;
  }
}
