/**
 * OpenTelemetry traces of tool calls, exported over OTLP/HTTP (JSON bodies) to the collector that the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` names (`<endpoint>/v1/traces`). Loaded only when that variable is set.
 *
 * Each call is a SERVER span `tools/call <tool>` (the attributes of OpenTelemetry's MCP conventions: `mcp.method.name`,
 * `gen_ai.tool.name`), the child of the W3C trace context the caller sent; each backend request is a CLIENT span
 * `<METHOD> <path template>` under it, whose context the request carries as `traceparent` (W3C Trace Context).
 * Spans are passed explicitly (the call's span in its stats), so no context manager or async hook runs. Spans carry
 * no argument, principal, tenant or query string: the tool, the backend, the outcome and HTTP statuses only.
 */
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { BackendSpan, CallSpan, CallTracer } from './call-observer.js';

/** A running tracer: the tool services' {@link CallTracer}, and the shutdown that sends the last spans. */
export interface Tracing extends CallTracer {
  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/** Longest the last export may take when the server stops. */
const SHUTDOWN_MS = 2_000;

/** Reads a carrier of plain header values (the propagator's getter). */
const getter = {
  keys: (carrier: Record<string, string | undefined>): string[] => Object.keys(carrier),
  get: (carrier: Record<string, string | undefined>, key: string): string | undefined => carrier[key],
};
/** Writes into a carrier of plain header values (the propagator's setter). */
const setter = {
  set: (carrier: Record<string, string>, key: string, value: string): void => {
    carrier[key] = value;
  },
};

/** Starts exporting spans to `<endpoint>/v1/traces`; `version` is finmcp's (the `service.version`). */
export function startTracing(endpoint: string, version: string): Tracing {
  // Standard variables win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) over these defaults.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'finmcp', 'service.version': version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(endpoint) }) })],
  });
  const tracer = provider.getTracer('finmcp', version);
  const propagator = new W3CTraceContextPropagator();
  return {
    startCall(backend, tool, traceparent, tracestate): CallSpan {
      const parent =
        traceparent === undefined
          ? ROOT_CONTEXT
          : propagator.extract(ROOT_CONTEXT, { traceparent, tracestate }, getter);
      const span = tracer.startSpan(
        `tools/call ${tool}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'finmcp.backend': backend },
        },
        parent,
      );
      return new ToolCallSpan(tracer, propagator, span);
    },
    // An unreachable collector must not hold the exit (the exporter's own timeout is 10 s per attempt).
    shutdown: () =>
      Promise.race([provider.shutdown(), new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_MS).unref())]),
  };
}

/** The OTLP/HTTP traces URL of a base endpoint (OpenTelemetry's exporter configuration: `<base>/v1/traces`). */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

class ToolCallSpan implements CallSpan {
  readonly #tracer: Tracer;
  readonly #propagator: W3CTraceContextPropagator;
  readonly #span: Span;
  #context: Context | undefined;

  constructor(tracer: Tracer, propagator: W3CTraceContextPropagator, span: Span) {
    this.#tracer = tracer;
    this.#propagator = propagator;
    this.#span = span;
  }

  backendRequest(method: string, route: string): BackendSpan {
    this.#context ??= trace.setSpan(ROOT_CONTEXT, this.#span);
    const upper = method.toUpperCase();
    const span = this.#tracer.startSpan(
      `${upper} ${route}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': upper, 'url.template': route } },
      this.#context,
    );
    const headers: Record<string, string> = {};
    this.#propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, setter);
    return {
      headers,
      end(status, attempts, failure): void {
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        span.setAttribute('finmcp.attempts', attempts);
        if (failure !== undefined || (status !== undefined && status >= 500)) {
          span.setAttribute('error.type', failure ?? String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  }

  end(outcome: string, status: number | undefined): void {
    this.#span.setAttribute('finmcp.outcome', outcome);
    if (status !== undefined) this.#span.setAttribute('finmcp.backend_status', status);
    if (outcome !== 'ok') {
      this.#span.setAttribute('error.type', outcome);
      this.#span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.#span.end();
  }
}
