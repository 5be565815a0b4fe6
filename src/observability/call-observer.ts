/**
 * What the tool service tells operators about each call, as interfaces only: per-tool counters and latency
 * (metrics.ts, Prometheus through prom-client) and a span per call with the backend request as its child
 * (tracing.ts, OpenTelemetry). Both are optional and loaded only when configured, so this module imports nothing:
 * a server with neither pays one `undefined` check per call and loads no library for them.
 */

/** Per-tool call counts and latency of one backend; resolved once per backend at start-up. */
export interface BackendCallMetrics {
  /**
   * Counts one finished call of `tool` by its outcome, observes its duration (the call's own timing: no clock is
   * read for it) and counts the backend's last HTTP status when it answered. A name the backend does not serve is
   * counted under one fixed label, so a client cannot grow the series with made-up names.
   */
  record(tool: string, outcome: string, seconds: number, status: number | undefined): void;
}

/** Where the tool services record their calls: one per process. */
export interface CallMetrics {
  /** The recorder of one backend's calls; `tools` are the names it serves (their series exist from the start). */
  forBackend(backend: string, tools: Iterable<string>): BackendCallMetrics;
}

/** Starts the span of one tool call. */
export interface CallTracer {
  /**
   * A server span for `tools/call <tool>`, the child of the W3C trace context the caller sent (`traceparent`,
   * `tracestate`: from the HTTP request or the request's `_meta`), else a new trace's root.
   */
  startCall(backend: string, tool: string, traceparent: string | undefined, tracestate: string | undefined): CallSpan;
}

/** The span of one tool call. */
export interface CallSpan {
  /** A client span for one backend request (its retries included), the child of this call's span. */
  backendRequest(method: string, route: string): BackendSpan;
  /** Ends the call's span with how the call ended. */
  end(outcome: string, status: number | undefined): void;
}

/** The span of one backend request. */
export interface BackendSpan {
  /** The W3C `traceparent` (and `tracestate`, when the trace has one) the backend request carries. */
  readonly headers: Readonly<Record<string, string>>;
  /** Ends it with the backend's HTTP status and attempts, or the kind of failure when there was no answer. */
  end(status: number | undefined, attempts: number, failure?: string): void;
}

/** Why the HTTP server turned a request away before it reached a backend's tools. */
export type HttpRefusal = 'unauthenticated' | 'rate_limited';

/** The HTTP server's shared state as `/metrics` reads it when scraped (never on a request's path). */
export interface StateProbe {
  /** `memory` or `redis`. */
  readonly store: string;
  /** Open MCP sessions, when the store can count them without a round trip (memory); undefined otherwise. */
  sessions(): number | undefined;
  /** Whether the store can serve requests now (Redis: connected). */
  up(): boolean;
}

/** The metrics as the HTTP transport serves them at `/metrics`, and the refusals it counts into them. */
export interface MetricsExposition {
  /** The current values in the Prometheus text format, with its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Counts one request refused for `reason` at `backend`'s endpoint (401 or 429: not on a call's path). */
  refused(backend: string, reason: HttpRefusal): void;
  /** Reports the state store's health and session count, read at each scrape. */
  watchState(state: StateProbe): void;
}
