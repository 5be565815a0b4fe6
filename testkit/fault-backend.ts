/**
 * The one fake backend of the project: a tiny scripted HTTP/1.1 server (RFC 9112) on 127.0.0.1, for what Prism cannot
 * produce — 5xx, 429 with `Retry-After`, slow answers, connection resets, malformed JSON, wrong content types, bodies
 * echoing the request, stateful answers (tokens issued per login) — and for observing what a client sent.
 *
 * Scripts are keyed by `METHOD /path` or by `/path` (any method; the method-specific one wins); each key holds a queue
 * of replies whose last one repeats. A request without a script gets the `fallback` (a 404 problem by default), which
 * is where a configuration puts its own behaviour (test/security/b4b-backend.ts: a stateful B4B; bench/stub/server.ts:
 * every operation of a spec answered from its examples). Requests are recorded unless `record` is off (the bench).
 *
 * Usage:
 * ```ts
 * const backend = await startFaultBackend();
 * backend.script('/items', reply.status(503), reply.json(200, { ok: true }));
 * // … call backend.url + '/items' …
 * expect(backend.requestsTo('/items')).toHaveLength(2);
 * await backend.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the backend received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  /** Lower-case header names, as Node parsed them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The bearer token of the `Authorization` header (RFC 6750 §2.1), if any. */
  token: string | undefined;
  /** The `x-request-id` header, if any. */
  requestId: string | undefined;
}

/** How the backend answers one request. Build them with {@link reply}. */
export type Reply =
  | { kind: 'send'; status: number; headers: Record<string, string>; body: string; delayMs: number }
  | { kind: 'reset'; delayMs: number; afterHeaders: boolean }
  | { kind: 'echo'; status: number }
  | { kind: 'reflect'; status: number; render: (request: RecordedRequest) => unknown }
  | { kind: 'hang' }
  | { kind: 'fallback' }
  | { kind: 'after'; gate: Promise<void>; then: Reply }
  | { kind: 'forward'; to: string };

/** Builders for {@link Reply}s. */
export const reply = {
  /** A JSON body with `application/json` (or another JSON type via `headers`). */
  json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    return {
      kind: 'send',
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      delayMs: 0,
    };
  },
  /** An RFC 9457 `application/problem+json` body. */
  problem(status: number, problem: Record<string, unknown>): Reply {
    return reply.json(status, { status, ...problem }, { 'content-type': 'application/problem+json' });
  },
  /** A bare status, e.g. `reply.status(429, { 'retry-after': '1' })`; empty body unless given. */
  status(status: number, headers: Record<string, string> = {}, body = ''): Reply {
    return { kind: 'send', status, headers, body, delayMs: 0 };
  },
  /** Any body with any content type (e.g. HTML where JSON was expected). */
  text(status: number, contentType: string, body: string): Reply {
    return { kind: 'send', status, headers: { 'content-type': contentType }, body, delayMs: 0 };
  },
  /** A body that claims to be JSON and is not. */
  malformedJson(status = 200): Reply {
    return {
      kind: 'send',
      status,
      headers: { 'content-type': 'application/json' },
      body: '{"items": [1, 2,',
      delayMs: 0,
    };
  },
  /** Answers `inner` only after `ms` (use beyond a client's timeout to test it). */
  slow(ms: number, inner: Reply): Reply {
    return inner.kind === 'send' || inner.kind === 'reset' ? { ...inner, delayMs: ms } : inner;
  },
  /** Destroys the socket without answering (after `delayMs`), or after sending the headers when `afterHeaders`. */
  reset(options: { delayMs?: number; afterHeaders?: boolean } = {}): Reply {
    return { kind: 'reset', delayMs: options.delayMs ?? 0, afterHeaders: options.afterHeaders ?? false };
  },
  /** Answers with a JSON copy of what was received: `{ method, path, query, headers, body, … }`. */
  echo(status = 200): Reply {
    return { kind: 'echo', status };
  },
  /**
   * Answers what `render` makes of the request: a string as `text/plain`, anything else as JSON (e.g. an error
   * body quoting the request's `Authorization` header, as careless backends do).
   */
  reflect(status: number, render: (request: RecordedRequest) => unknown): Reply {
    return { kind: 'reflect', status, render };
  },
  /** Never answers (until the backend is closed). */
  hang(): Reply {
    return { kind: 'hang' };
  },
  /** What an unscripted request gets: the configuration's own behaviour. */
  fallback(): Reply {
    return { kind: 'fallback' };
  },
  /**
   * Passes the request on to the server at `baseUrl` (same method, path, query, headers and body) and relays its
   * status, content type and body: a recording front for a real server (a Prism mock) when a test must count
   * what reached the backend. A server that cannot be reached resets the connection.
   */
  forward(baseUrl: string): Reply {
    return { kind: 'forward', to: baseUrl };
  },
  /** Answers `then` (the fallback by default) once `gate` settles, to hold a request in flight. */
  after(gate: Promise<void>, then: Reply = reply.fallback()): Reply {
    return { kind: 'after', gate, then };
  },
};

/** Options of {@link startFaultBackend}. */
export interface FaultBackendOptions {
  /** The answer to a request no script covers; a 404 problem when absent. */
  fallback?: (request: RecordedRequest) => Reply;
  /** Whether to keep every request in `requests` (default true; off for long load runs). */
  record?: boolean;
  /** Port to listen on (0 = any free port, the default). */
  port?: number;
  /** Keep-alive timeout of idle client connections (ms); Node's default when absent. */
  keepAliveMs?: number;
}

/** A running fault backend. */
export interface FaultBackend {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (empty when `record` is off). */
  readonly requests: RecordedRequest[];
  /** Sets the replies for `/path` or `METHOD /path` (no query); the last reply repeats. */
  script(key: string, ...replies: Reply[]): void;
  /** Removes every script: all requests get the fallback again. */
  clearScripts(): void;
  /** The recorded requests to `/path` or `METHOD /path`. */
  requestsTo(key: string): RecordedRequest[];
  /** Stops listening, destroys open connections and cancels pending delays. */
  close(): Promise<void>;
}

const notScripted = (request: RecordedRequest): Reply =>
  reply.problem(404, { title: 'Not Found', detail: `fault backend: no script for ${request.method} ${request.path}` });

/** Whether `request` is what `key` (`/path` or `METHOD /path`) names. */
function matches(request: RecordedRequest, key: string): boolean {
  const space = key.indexOf(' ');
  return space === -1
    ? request.path === key
    : request.method === key.slice(0, space) && request.path === key.slice(space + 1);
}

function recordOf(req: IncomingMessage, body: string): RecordedRequest {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const authorization = req.headers.authorization;
  const requestId = req.headers['x-request-id'];
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? raw : raw.slice(0, q),
    query: q === -1 ? '' : raw.slice(q + 1),
    headers: req.headers,
    body,
    token: authorization?.startsWith('Bearer ') === true ? authorization.slice(7) : undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}

/** Writes a whole answer; no `Content-Length` on a 204 (RFC 9110 §8.6). */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, status === 204 ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(status === 204 ? undefined : body);
}

/** Hop-by-hop and framing headers, not passed on by {@link forward}. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** Sends `request` to `baseUrl` and reads the whole answer. */
async function forward(
  baseUrl: string,
  request: RecordedRequest,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  const res = await fetch(`${baseUrl}${request.path}${request.query === '' ? '' : `?${request.query}`}`, {
    method: request.method,
    headers,
    ...(bodyless ? {} : { body: request.body }),
  });
  const contentType = res.headers.get('content-type');
  return {
    status: res.status,
    headers: contentType === null ? {} : { 'content-type': contentType },
    body: await res.text(),
  };
}

/** Starts a fault backend on 127.0.0.1. */
export async function startFaultBackend(options: FaultBackendOptions = {}): Promise<FaultBackend> {
  const scripts = new Map<string, Reply[]>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const fallback = options.fallback ?? notScripted;
  const record = options.record ?? true;

  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const next = (request: RecordedRequest): Reply => {
    if (scripts.size === 0) return fallback(request);
    const queue = scripts.get(`${request.method} ${request.path}`) ?? scripts.get(request.path);
    if (queue === undefined || queue.length === 0) return fallback(request);
    return queue.length > 1 ? (queue.shift() as Reply) : (queue[0] as Reply);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, request: RecordedRequest, r: Reply): void => {
    switch (r.kind) {
      case 'hang':
        return;
      case 'fallback':
        answer(req, res, request, fallback(request));
        return;
      case 'after':
        void r.gate.then(() => answer(req, res, request, r.then));
        return;
      case 'echo':
        send(res, r.status, { 'content-type': 'application/json' }, JSON.stringify(request));
        return;
      case 'reflect': {
        const rendered = r.render(request);
        const text = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
        send(res, r.status, { 'content-type': typeof rendered === 'string' ? 'text/plain' : 'application/json' }, text);
        return;
      }
      case 'reset':
        later(r.delayMs, () => {
          if (r.afterHeaders) {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
            res.write('{"partial":');
            setImmediate(() => req.socket.destroy());
          } else {
            req.socket.destroy();
          }
        });
        return;
      case 'send':
        later(r.delayMs, () => send(res, r.status, r.headers, r.body));
        return;
      case 'forward':
        forward(r.to, request).then(
          (answer) => send(res, answer.status, answer.headers, answer.body),
          () => req.socket.destroy(),
        );
        return;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = recordOf(req, chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
      if (record) requests.push(request);
      answer(req, res, request, next(request));
    });
  });
  if (options.keepAliveMs !== undefined) {
    // Clients that keep connections alive for a whole run must never find the backend closing them.
    server.keepAliveTimeout = options.keepAliveMs;
    server.headersTimeout = options.keepAliveMs + 10_000;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(key, ...replies) {
      scripts.set(key, [...replies]);
    },
    clearScripts() {
      scripts.clear();
    },
    requestsTo(key) {
      return requests.filter((r) => matches(r, key));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
