/**
 * Metrics and traces cost a server that does not use them nothing at start-up (stdio cold start is a benchmarked
 * target): with neither FINMCP_METRICS nor OTEL_EXPORTER_OTLP_ENDPOINT, the serve command's modules, both transports
 * and the tool service load neither prom-client nor OpenTelemetry, and `openObservers` loads nothing; each setting
 * then loads its own library only. Run in a fresh Node process over dist/ (`npm run build` first) that records every
 * module it resolves (Node.js "Customization Hooks").
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

const HOOKS = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

const CHILD = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
let marked;
port1.on('message', (url) => {
  urls.push(url);
  if (url.startsWith('data:') && url.includes('marker')) marked();
});
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
let markers = 0;
const loaded = async () => {
  const back = new Promise((resolve) => (marked = resolve));
  await import('data:text/javascript,//marker' + markers++);
  await back;
  const has = (part) => urls.some((u) => u.includes(part));
  return { promClient: has('/node_modules/prom-client/'), openTelemetry: has('/node_modules/@opentelemetry/') };
};
const root = process.cwd();
await import(root + '/dist/src/cli/serve.js');
await import(root + '/dist/src/transport/stdio.js');
await import(root + '/dist/src/transport/http.js');
await import(root + '/dist/src/core/tool-service.js');
const { openObservers } = await import(root + '/dist/src/cli/serve/observers.js');
const { Settings } = await import(root + '/dist/src/config.js');
const { createLogger } = await import(root + '/dist/src/log.js');
const logger = createLogger({ level: 'silent' });
const closers = [];
const open = (env) => openObservers({ transport: 'http', fetchHandler: false }, new Settings(env), logger, (c) => closers.push(c));
const steps = {};
await open({});
steps.neither = await loaded();
await open({ FINMCP_METRICS: '1' });
steps.metrics = await loaded();
await open({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
steps.traces = await loaded();
for (const close of closers) await close();
port1.close();
process.stdout.write(JSON.stringify(steps));
`;

describe('metrics and traces are loaded only when configured', () => {
  it('loads prom-client with FINMCP_METRICS and OpenTelemetry with OTEL_EXPORTER_OTLP_ENDPOINT, else neither', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: process.cwd(),
      timeout: 60_000,
      env: { ...process.env, FINMCP_METRICS: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    });
    expect(JSON.parse(stdout)).toEqual({
      neither: { promClient: false, openTelemetry: false },
      metrics: { promClient: true, openTelemetry: expect.any(Boolean) },
      traces: { promClient: true, openTelemetry: true },
    });
  });
});
