/**
 * Metrics and traces cost a server that does not use them nothing at start-up (stdio cold start is a benchmarked
 * target): with neither FINMCP_METRICS nor OTEL_EXPORTER_OTLP_ENDPOINT, the serve command's modules, both transports
 * and the tool service load neither prom-client nor OpenTelemetry, and `openObservers` loads nothing; each setting
 * then loads its own library only. Run in a fresh Node process over dist/ (`npm run build` first) with a module log
 * (test/helpers/module-log.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LOADED_IN_CHILD, ModuleLog } from '../helpers/module-log.js';

const run = promisify(execFile);

const LIBRARIES = { promClient: '/node_modules/prom-client/', openTelemetry: '/node_modules/@opentelemetry/' };

const CHILD = `
${LOADED_IN_CHILD}
const LIBRARIES = ${JSON.stringify(LIBRARIES)};
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
steps.neither = await loaded(LIBRARIES);
await open({ FINMCP_METRICS: '1' });
steps.metrics = await loaded(LIBRARIES);
await open({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
steps.traces = await loaded(LIBRARIES);
for (const close of closers) await close();
process.stdout.write(JSON.stringify(steps));
`;

const log = new ModuleLog();
afterAll(() => log.remove());

describe('metrics and traces are loaded only when configured', () => {
  it('loads prom-client with FINMCP_METRICS and OpenTelemetry with OTEL_EXPORTER_OTLP_ENDPOINT, else neither', async () => {
    const { stdout } = await run(process.execPath, [...log.execArgv, '--input-type=module', '-e', CHILD], {
      cwd: process.cwd(),
      timeout: 60_000,
      env: { ...process.env, ...log.env, FINMCP_METRICS: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    });
    expect(JSON.parse(stdout)).toEqual({
      neither: { promClient: false, openTelemetry: false },
      metrics: { promClient: true, openTelemetry: expect.any(Boolean) },
      traces: { promClient: true, openTelemetry: true },
    });
  });
});
