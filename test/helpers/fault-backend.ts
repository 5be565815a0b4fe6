/**
 * A tiny scripted HTTP/1.1 backend (RFC 9112) on 127.0.0.1, port 0, for faults Prism cannot produce: 5xx, 429 with
 * `Retry-After`, slow answers, connection resets, malformed JSON, wrong content types, bodies echoing the request, and
 * for observing what a client sent. Each path gets a queue of replies; the last one repeats. Every request is recorded.
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
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
}

/** How the backend answers one request. Build them with {@link reply}. */
export type Reply =
  | { kind: 'send'; status: number; headers: Record<string, string>; body: string; delayMs: number }
  | { kind: 'reset'; delayMs: number; afterHeaders: boolean }
  | { kind: 'echo'; status: number }
  | { kind: 'reflect'; status: number; render: (request: RecordedRequest) => unknown }
  | { kind: 'hang' };

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
    return { kind: 'send', status, headers: { 'content-type': 'application/json' }, body: '{"items": [1, 2,', delayMs: 0 };
  },
  /** Answers `inner` only after `ms` (use beyond a client's timeout to test it). */
  slow(ms: number, inner: Reply): Reply {
    return inner.kind === 'send' || inner.kind === 'reset' ? { ...inner, delayMs: ms } : inner;
  },
  /** Destroys the socket without answering (after `delayMs`), or after sending the headers when `afterHeaders`. */
  reset(options: { delayMs?: number; afterHeaders?: boolean } = {}): Reply {
    return { kind: 'reset', delayMs: options.delayMs ?? 0, afterHeaders: options.afterHeaders ?? false };
  },
  /** Answers with a JSON copy of what was received: `{ method, path, query, headers, body }`. */
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
};

/** A running fault backend. */
export interface FaultBackend {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Sets the replies for `path` (without query); the last reply repeats. Unscripted paths answer a 404 problem. */
  script(path: string, ...replies: Reply[]): void;
  /** The recorded requests to `path`. */
  requestsTo(path: string): RecordedRequest[];
  /** Stops listening, destroys open sockets and cancels pending delays. */
  close(): Promise<void>;
}

/** Starts a fault backend on 127.0.0.1 with an OS-chosen port. */
export async function startFaultBackend(): Promise<FaultBackend> {
  const scripts = new Map<string, Reply[]>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

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

  const next = (path: string): Reply => {
    const queue = scripts.get(path);
    if (queue === undefined || queue.length === 0) {
      return reply.problem(404, { title: 'Not Found', detail: `fault backend: no script for ${path}` });
    }
    return queue.length > 1 ? (queue.shift() as Reply) : (queue[0] as Reply);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: q === -1 ? raw : raw.slice(0, q),
      query: q === -1 ? '' : raw.slice(q + 1),
      headers: { ...req.headers },
      body,
    };
    requests.push(recorded);
    const r = next(recorded.path);
    switch (r.kind) {
      case 'hang':
        return;
      case 'echo': {
        const payload = JSON.stringify(recorded);
        res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        return;
      }
      case 'reflect': {
        const rendered = r.render(recorded);
        const text = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
        const type = typeof rendered === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(r.status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
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
        later(r.delayMs, () => {
          if (res.destroyed) return;
          res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) });
          res.end(r.body);
        });
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(path, ...replies) {
      scripts.set(path, [...replies]);
    },
    requestsTo(path) {
      return requests.filter((r) => r.path === path);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
