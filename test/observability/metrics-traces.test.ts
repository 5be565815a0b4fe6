/**
 * Issue 26 part 5 acceptance, from outside: the real CLI (`finmcp serve b4b --transport http`, which runs dist/:
 * `npm run build` first) with FINMCP_METRICS on and OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector of this
 * test (a node:http server decoding OTLP/HTTP JSON, as a real collector receives it), against the Prism mock of
 * specs/b4b.yaml behind a recording proxy (Prism cannot report the headers it received). Calls made over
 * Streamable HTTP are then read back: `GET /metrics` counts each tool's calls by outcome and its latency histogram
 * holds as many observations, the backend's answers are counted by status, the state store is up with the session; a call that came with a `traceparent` header (and one with `_meta.traceparent`) is
 * a server span of that trace with the backend request as its child span, and the backend received a
 * `traceparent` naming that child span. `/metrics` keeps the Host and Origin rules of the MCP endpoints, and a
 * server reachable beyond loopback refuses to serve it without FINMCP_METRICS_TOKEN.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';
import { openSession, startInstance, type Instance } from '../state/instances.js';

const run = promisify(execFile);
const KEY = `metrics-${randomBytes(16).toString('hex')}`;
const PASSWORD = 'SecurePassword123@';
/** The trace the traced calls belong to, as their caller (an instrumented client) would send it. */
const TRACE_ID = randomBytes(16).toString('hex');
const PARENT_SPAN_ID = randomBytes(8).toString('hex');
const META_TRACE_ID = randomBytes(16).toString('hex');
const META_PARENT_SPAN_ID = randomBytes(8).toString('hex');
const ENTITY = { entity_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6' };

/** A request the backend received through the recording proxy. */
interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** One span as OTLP/HTTP JSON carries it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

let prism: PrismServer | undefined;
let proxy: Server | undefined;
let collector: Server | undefined;
let instance: Instance | undefined;
const received: Received[] = [];
const exports: string[] = [];
let metricsText = '';
let metricsType: string | null = null;
let guardStatuses: Record<string, number> = {};
let spans: OtlpSpan[] = [];

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Forwards every request to `target`, recording its method, path and headers first. */
function recordingProxy(target: string): Server {
  const to = new URL(target);
  return createServer((req, res) => {
    received.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
}

/** An OTLP/HTTP receiver: keeps each JSON body POSTed to /v1/traces and answers as a collector does. */
function otlpCollector(): Server {
  return createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') exports.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
}

let nextId = 100;
let sessionId = '';

/** `tools/call` in the caller's session, with extra headers or `_meta`; answers whether the result is an error. */
async function call(
  name: string,
  args: Record<string, unknown>,
  extra: { headers?: Record<string, string>; meta?: Record<string, unknown> } = {},
): Promise<boolean> {
  const response = await fetch(instance!.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${KEY}`,
      'mcp-protocol-version': '2025-11-25',
      'mcp-session-id': sessionId,
      ...extra.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name, arguments: args, ...(extra.meta === undefined ? {} : { _meta: extra.meta }) },
    }),
  });
  const body = (await response.json()) as { result?: { isError?: boolean } };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.result?.isError === true;
}

/** GET on the instance with a raw `Host` header (fetch cannot set one), answering the status. */
async function getStatus(path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(instance!.endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  prism = await startPrism({ specFile: join(projectRoot(), 'specs', 'b4b.yaml'), startTimeoutMs: 120_000 });
  proxy = recordingProxy(prism.url);
  const proxyOrigin = await listen(proxy);
  collector = otlpCollector();
  const collectorUrl = await listen(collector);
  const basePath = new URL(prism.url).pathname.replace(/\/+$/, '');
  instance = await startInstance('metrics', 'b4b', ['--backend-url', `${proxyOrigin}${basePath}`], {
    FINMCP_METRICS: '1',
    FINMCP_API_KEYS: `scraper-test:${KEY}`,
    FINMCP_RATE_LIMIT_PER_MINUTE: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_SERVICE_NAME: 'finmcp-test',
  });
  sessionId = await openSession(instance.endpoint, KEY);
  expect(await call('login', { phone: '+84909495665', password: PASSWORD })).toBe(false);
  for (let i = 0; i < 3; i++) expect(await call('list_entities', {})).toBe(false);
  expect(await call('list_vendors', ENTITY)).toBe(false);
  expect(await call('list_vendors', ENTITY, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` } })).toBe(
    false,
  );
  expect(
    await call('list_products', ENTITY, { meta: { traceparent: `00-${META_TRACE_ID}-${META_PARENT_SPAN_ID}-01` } }),
  ).toBe(false);
  for (let i = 0; i < 2; i++) expect(await call('get_entity', { entity_id: 'not-a-uuid' })).toBe(true);

  const wrongKey = await fetch(instance.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer wrong-key',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  expect(wrongKey.status).toBe(401);
  const scraped = await fetch(new URL('/metrics', instance.endpoint));
  metricsType = scraped.headers.get('content-type');
  metricsText = await scraped.text();
  expect(scraped.status, metricsText).toBe(200);
  const host = new URL(instance.endpoint).host;
  guardStatuses = {
    loopbackHost: await getStatus('/metrics', { host }),
    foreignHost: await getStatus('/metrics', { host: 'evil.example' }),
    foreignOrigin: await getStatus('/metrics', { host, origin: 'https://evil.example' }),
  };
  // SIGTERM flushes the spans still batched (the tracer's shutdown runs when the server closes).
  await instance.stop('SIGTERM');
  spans = exports.flatMap((body) =>
    (
      JSON.parse(body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      }
    ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
  );
}, 240_000);

afterAll(async () => {
  await instance?.stop('SIGKILL');
  await prism?.stop();
  proxy?.close();
  collector?.close();
});

/** Samples of the Prometheus text format: name, labels, value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/** The value of the sample with exactly these labels; undefined when there is none. */
function sample(name: string, labels: Record<string, string>): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples(metricsText).find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)
    ?.value;
}

/** The calls made above, by tool and outcome. */
const MADE: Record<string, Record<string, number>> = {
  login: { ok: 1 },
  list_entities: { ok: 3 },
  list_vendors: { ok: 2 },
  list_products: { ok: 1 },
  get_entity: { invalid_arguments: 2 },
  whoami: { ok: 0 },
};

describe('GET /metrics after real calls', () => {
  it('is the Prometheus text format, with process metrics', () => {
    expect(metricsType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample('process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    expect(metricsText).toContain('# TYPE finmcp_tool_calls_total counter');
    expect(metricsText).toContain('# TYPE finmcp_tool_call_duration_seconds histogram');
  });

  it('counts the request refused for its credential', () => {
    expect(sample('finmcp_http_refusals_total', { backend: 'b4b', reason: 'unauthenticated' })).toBe(1);
  });

  it.each(Object.entries(MADE))('counts the calls of %s by outcome, and times each one', (tool, outcomes) => {
    let total = 0;
    for (const [outcome, count] of Object.entries(outcomes)) {
      expect(sample('finmcp_tool_calls_total', { backend: 'b4b', tool, outcome })).toBe(count);
      total += count;
    }
    const labels = { backend: 'b4b', tool };
    expect(sample('finmcp_tool_call_duration_seconds_count', labels)).toBe(total);
    expect(sample('finmcp_tool_call_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(total);
    const sum = sample('finmcp_tool_call_duration_seconds_sum', labels)!;
    expect(total === 0 ? sum === 0 : sum > 0).toBe(true);
    // Buckets are cumulative.
    const buckets = samples(metricsText)
      .filter((s) => s.name === 'finmcp_tool_call_duration_seconds_bucket' && s.labels['tool'] === tool)
      .map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it("counts the backend's answers per tool by status, none for calls that never reached it", () => {
    for (const [tool, outcomes] of Object.entries(MADE)) {
      const reached = outcomes['ok'] ?? 0;
      const statuses = samples(metricsText).filter(
        (s) => s.name === 'finmcp_backend_responses_total' && s.labels['tool'] === tool,
      );
      // Prism answers every valid call 200.
      expect(statuses.map((s) => [s.labels['status'], s.value])).toEqual(reached === 0 ? [] : [['200', reached]]);
    }
  });

  it('reports the state store up and the open session, read at the scrape', () => {
    expect(sample('finmcp_state_store_up', { store: 'memory' })).toBe(1);
    expect(sample('finmcp_sessions', { store: 'memory' })).toBeGreaterThanOrEqual(1);
  });

  it('carries no caller, tenant, argument or secret', () => {
    expect(metricsText).not.toContain(KEY);
    expect(metricsText).not.toContain('scraper-test');
    expect(metricsText).not.toContain(PASSWORD);
    expect(metricsText).not.toContain('not-a-uuid');
  });

  it('keeps the Host and Origin rules of the MCP endpoints', () => {
    expect(guardStatuses).toEqual({ loopbackHost: 200, foreignHost: 403, foreignOrigin: 403 });
  });
});

describe('traces of the same calls', () => {
  const attribute = (span: OtlpSpan, key: string): unknown =>
    Object.values(span.attributes.find((a) => a.key === key)?.value ?? {})[0];

  it.each([
    ['the traceparent header', 'list_vendors', TRACE_ID, PARENT_SPAN_ID],
    ['_meta.traceparent', 'list_products', META_TRACE_ID, META_PARENT_SPAN_ID],
  ])('continue the trace of %s: a server span, the backend request its child', (_, tool, traceId, parentId) => {
    const server = spans.filter((s) => s.traceId === traceId && s.name === `tools/call ${tool}`);
    expect(server).toHaveLength(1);
    expect(server[0]).toMatchObject({ parentSpanId: parentId, kind: 2 });
    expect(attribute(server[0]!, 'gen_ai.tool.name')).toBe(tool);
    expect(attribute(server[0]!, 'finmcp.outcome')).toBe('ok');
    const children = spans.filter((s) => s.parentSpanId === server[0]!.spanId);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ traceId, kind: 3 });
    expect(children[0]!.name).toMatch(/^GET \//);
    expect(attribute(children[0]!, 'http.response.status_code')).toBe(200);
    // The backend received the child span's context: the same trace, the backend span as its parent.
    const sent = received.filter((r) => r.headers['traceparent'] === `00-${traceId}-${children[0]!.spanId}-01`);
    expect(sent).toHaveLength(1);
  });

  it('trace untraced calls too, each backend request carrying its own trace', () => {
    const entities = spans.filter((s) => s.name === 'tools/call list_entities');
    expect(entities).toHaveLength(3);
    expect(new Set(entities.map((s) => s.traceId)).size).toBe(3);
    for (const s of entities) expect(s.parentSpanId ?? '').toBe('');
    const backendCalls = received.filter((r) => r.path.split('?')[0]!.endsWith('/entities'));
    expect(backendCalls.map((r) => String(r.headers['traceparent']).split('-')[1]).sort()).toEqual(
      entities.map((s) => s.traceId).sort(),
    );
    // Invalid arguments reach no backend: a server span with no child.
    const refused = spans.filter((s) => s.name === 'tools/call get_entity');
    expect(refused.map((s) => attribute(s, 'finmcp.outcome'))).toEqual(['invalid_arguments', 'invalid_arguments']);
    for (const s of refused) expect(spans.some((c) => c.parentSpanId === s.spanId)).toBe(false);
  });

  it('name the service and carry no secret', () => {
    const all = exports.join('\n');
    expect(all).toContain('"finmcp-test"');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('scraper-test');
  });
});

describe('/metrics beyond loopback', () => {
  const serve = (env: Record<string, string>) =>
    run(
      process.execPath,
      [join(projectRoot(), 'bin', 'finmcp.js'), 'serve', 'b4b', '--transport', 'http', '--port', '0'],
      {
        env: {
          ...process.env,
          FINMCP_METRICS: '1',
          FINMCP_API_KEYS: `scraper-test:${KEY}`,
          FINMCP_PUBLIC_URL: 'https://mcp.example.com',
          B4B_BACKEND_URL: 'http://127.0.0.1:9',
          ...env,
        },
        timeout: 60_000,
      },
    );

  it('is refused at start-up without FINMCP_METRICS_TOKEN, naming the setting', async () => {
    const failed = await serve({}).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/FINMCP_METRICS_TOKEN/);
    expect(failed?.stderr).toMatch(/https:\/\/mcp\.example\.com/);
  }, 60_000);

  it('with FINMCP_METRICS_TOKEN, answers only that bearer token', async () => {
    const token = randomBytes(24).toString('base64url');
    const guarded = await startInstance('metrics-token', 'b4b', ['--backend-url', 'http://127.0.0.1:9'], {
      FINMCP_METRICS: '1',
      FINMCP_METRICS_TOKEN: token,
      FINMCP_API_KEYS: `scraper-test:${KEY}`,
      FINMCP_PUBLIC_URL: 'https://mcp.example.com',
    });
    try {
      const url = new URL('/metrics', guarded.endpoint);
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect((await fetch(url, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401);
      const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain(
        'finmcp_tool_calls_total{backend="b4b",tool="list_entities",outcome="ok"} 0',
      );
      expect(guarded.logs()).not.toContain(token);
    } finally {
      await guarded.stop('SIGTERM');
    }
  }, 60_000);

  it('refuses a token shorter than 16 characters, naming the rule', async () => {
    const failed = await serve({ FINMCP_METRICS_TOKEN: 'short' }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.stderr).toMatch(/FINMCP_METRICS_TOKEN must be at least 16 characters/);
  }, 60_000);
});
