/**
 * A web-standard handler, `(request: Request) => Promise<Response>` (WHATWG Fetch), for runtimes that hand the
 * server one request at a time: AWS Lambda behind API Gateway, Cloudflare Workers, Deno, Bun. It serves the same
 * Streamable HTTP pipeline as the node:http server (MCP 2026-07-28 and 2025-11-25), with two differences that
 * follow from not owning a socket: the accepted `Host` values must be configured, and the caller's address comes
 * from `clientAddress` (behind a gateway, only it knows).
 *
 * State (legacy sessions, backend sign-ins of 2026-07-28 callers) lives in `sessionStore`: with more than one
 * instance (Lambda scales out), that must be a shared store.
 */
import { readStreamUpTo } from '../../web-stream.js';
import type { SessionStore } from '../../state/session.js';
import type { RequestStateSeal } from '../../protocol/request-state.js';
import type { InteractionStore } from '../../state/interaction-store.js';
import type { AuditLog } from '../../audit/audit-record.js';
import type { Logger } from '../../log.js';
import { createHostMatcher } from '../http-guards.js';
import type { RateLimitOptions } from '../../state/rate-limit.js';
import { MemorySessionStore } from '../../state/session-store.js';
import { BodyTooLargeError, type HttpRequestLike } from './exchange.js';
import { HttpPipeline, type HttpBackend } from './pipeline.js';

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  backends: HttpBackend[];
  /** Accepted `Host` values (DNS rebinding protection): `name:port` exactly, or `name` on any port. Required. */
  allowedHosts: string[];
  /** Origins browsers may call from; requests with any other `Origin` get 403. */
  allowedOrigins?: string[];
  /** Largest accepted request body; 8 MiB by default. */
  maxBodyBytes?: number;
  /** Per-caller limit (600/min, burst 60 by default), per instance; `false` disables it. */
  rateLimit?: RateLimitOptions | false;
  /** Where legacy sessions and per-caller state live; in-memory (this instance only) by default. */
  sessionStore?: SessionStore;
  /** Where confirmation nonces, one-time pages and pending questions live; this process's memory by default. */
  interactions?: InteractionStore;
  /** The `requestState` key (from FINMCP_STATE_KEY); a random one of this process by default. */
  seal?: RequestStateSeal;
  /** The caller's address, for rate limiting unauthenticated requests (e.g. from the gateway's event). */
  clientAddress?: (request: Request) => string | undefined;
  logger: Logger;
  /** Records refused credentials and 429s (FINMCP_AUDIT). */
  audit?: AuditLog;
}

/** A fetch handler and how to stop it. */
export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
  /** Aborts running calls and frees the handler's own store. */
  close(): Promise<void>;
}

/** Creates the handler. Stateful backends need an inbound credential: a public endpoint has no loopback. */
export function createFetchHandler(options: FetchHandlerOptions): FetchHandler {
  const unsafe = options.backends.find((b) => b.service.stateful && b.inboundAuth === undefined);
  if (unsafe !== undefined) {
    throw new Error(
      `backend ${unsafe.service.backend} keeps per-caller state: configure an inbound credential (OAuth or API keys) to serve it from a fetch handler`,
    );
  }
  if (options.allowedHosts.length === 0)
    throw new Error('allowedHosts must name the host(s) clients use to reach the handler');
  const ownStore = options.sessionStore === undefined;
  const store = options.sessionStore ?? new MemorySessionStore();
  const pipeline = new HttpPipeline({ ...options, allowedOrigins: options.allowedOrigins ?? [], store });
  pipeline.hostAllowed = createHostMatcher(options.allowedHosts);
  return {
    async fetch(request: Request): Promise<Response> {
      const answer = await pipeline.handle(new FetchRequest(request, options.clientAddress?.(request) ?? 'unknown'));
      const body = answer.stream === undefined ? (answer.body ?? null) : eventStream(answer.stream);
      return new Response(body, { status: answer.status, headers: answer.headers });
    },
    async close(): Promise<void> {
      pipeline.close();
      if (ownStore) await (store as MemorySessionStore).close();
    },
  };
}

/** A web-standard request as the pipeline sees it. */
class FetchRequest implements HttpRequestLike {
  readonly method: string;
  readonly path: string;
  readonly remoteAddress: string;
  readonly #request: Request;

  constructor(request: Request, remoteAddress: string) {
    this.#request = request;
    this.method = request.method.toUpperCase();
    this.path = new URL(request.url).pathname;
    this.remoteAddress = remoteAddress;
  }

  header(name: string): string | undefined {
    // `Host` is not a header a Request carries on every runtime: the URL's host stands in for it.
    return this.#request.headers.get(name) ?? (name === 'host' ? new URL(this.#request.url).host : undefined);
  }

  attach(controller: { abort(): void }): void {
    this.#request.signal.addEventListener('abort', () => controller.abort(), { once: true });
  }

  /** Reads the body stream, stopping as soon as it passes `limit` bytes. */
  async readBody(limit: number): Promise<string> {
    const body = this.#request.body;
    if (body === null) return '';
    const bytes = await readStreamUpTo(body, limit);
    if (bytes === undefined) throw new BodyTooLargeError(limit);
    return bytes.toString('utf8');
  }
}

/** An SSE answer's events as a web stream. */
function eventStream(events: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
}
