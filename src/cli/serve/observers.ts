/**
 * Step 1b of `finmcp serve`: what operators observe. Prometheus metrics (FINMCP_METRICS, served at `/metrics` by the
 * HTTP server only: stdio has no endpoint for them, so the setting is ignored there with a warning) and
 * OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT, any transport). Each library is imported only when its setting
 * is on: a server with neither loads nothing for them (stdio cold start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, SETTINGS, type Settings } from '../../config.js';
import type { Logger } from '../../log.js';
import type { CallMetrics, CallTracer, MetricsExposition } from '../../observability/call-observer.js';
import { projectRoot } from '../../paths.js';
import type { ServeConfig } from './serve-config.js';

/** Shortest `FINMCP_METRICS_TOKEN` accepted. */
const MIN_TOKEN_LENGTH = 16;

/** The metrics and tracer of one `serve`, when configured. */
export interface Observers {
  /** Recorders for the tool services and the text of `/metrics`. */
  metrics?: CallMetrics & MetricsExposition;
  /** The bearer token `/metrics` requires (FINMCP_METRICS_TOKEN). */
  metricsToken?: string;
  tracer?: CallTracer;
}

/** Opens what the settings ask for; `onClose` gets the tracer's flush. */
export async function openObservers(
  config: Pick<ServeConfig, 'transport' | 'fetchHandler'>,
  settings: Settings,
  logger: Logger,
  onClose: (close: () => Promise<void>) => void,
): Promise<Observers> {
  const observers: Observers = {};
  if (settings.read(SETTINGS.metrics)) {
    if (config.transport !== 'http' || config.fetchHandler) {
      logger.warn(
        `FINMCP_METRICS is ignored ${config.fetchHandler ? 'by the fetch handler' : 'over stdio'}: /metrics is served by the HTTP server only`,
      );
    } else {
      const token = settings.read(SETTINGS.metricsToken);
      if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
        throw new ConfigError(`FINMCP_METRICS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long`);
      const { PrometheusMetrics } = await import('../../observability/metrics.js');
      observers.metrics = new PrometheusMetrics();
      if (token !== undefined) observers.metricsToken = token;
    }
  }
  const endpoint = settings.read(SETTINGS.otlpEndpoint);
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^/]/i.test(endpoint) || !URL.canParse(endpoint))
      throw new ConfigError(
        `OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (got "${endpoint.slice(0, 80)}")`,
      );
    const { startTracing } = await import('../../observability/tracing.js');
    const tracing = startTracing(endpoint, finmcpVersion());
    onClose(() => tracing.shutdown());
    observers.tracer = tracing;
    logger.info({ collector: new URL(endpoint).origin }, 'tracing tool calls (OTLP/HTTP)');
  }
  return observers;
}

/** finmcp's version (the `service.version` of its spans). */
function finmcpVersion(): string {
  const manifest = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}
