/**
 * Backend HTTP client: one keep-alive undici `Pool` per backend origin on Node, the runtime's own WHATWG `fetch`
 * elsewhere (Deno, Bun, Cloudflare Workers: Bun's built-in `undici` answers `Pool.request` differently, and workerd
 * has no sockets of ours), with the same connect and total timeouts, body limit, and retries with exponential
 * backoff and full jitter.
 *
 * Retry semantics follow RFC 9110 §9.2.2 (idempotent methods may be retried automatically) and §15.6.4
 * (503 Service Unavailable) / RFC 6585 §4 (429 Too Many Requests) with `Retry-After` (RFC 9110 §10.2.3, seconds
 * or HTTP-date). A non-idempotent request is retried only when the failure proves it never reached the backend.
 * JSON bodies (`application/json`, `application/*+json`, RFC 8259 / RFC 6839 §3.1) are parsed here, once.
 */
import type { Dispatcher, Pool } from 'undici';
import { SETTINGS } from '../config.js';
import { readStreamUpTo } from '../web-stream.js';
import type { Logger } from '../log.js';
import { onNode } from '../runtime.js';
import type { BackendHttp, BackendHttpResponse, BackendRequest } from './backend-types.js';
import { dispatchCollect, PooledResponse, rawHeader } from './pool-dispatch.js';

export type { BackendHttp, BackendHttpResponse, BackendRequest } from './backend-types.js';

/** Options for {@link createBackendHttp}. */
export interface BackendHttpOptions {
  /** Backend base URL; its path is a prefix of every request path (e.g. `http://127.0.0.1:4010/api/v1`). */
  baseUrl: string;
  /** Time allowed to open a TCP/TLS connection. Default: FINMCP_CONNECT_TIMEOUT_MS's. */
  connectTimeoutMs?: number;
  /** Time allowed for one attempt, from sending to the last body byte. Default: FINMCP_TIMEOUT_MS's. */
  timeoutMs?: number;
  /** Attempts in all, the first one included. Default: FINMCP_MAX_ATTEMPTS's. */
  maxAttempts?: number;
  /** Base of the exponential backoff. Default 200 ms. */
  retryBaseDelayMs?: number;
  /** Cap of one backoff; a `Retry-After` above it is not waited for. Default 5000 ms. */
  retryMaxDelayMs?: number;
  /** Keep-alive connections per origin. Default 32. */
  connections?: number;
  /** Largest response body read; bigger ones fail instead of filling memory. Default 32 MiB. */
  maxBodyBytes?: number;
  /** How requests are sent: undici's pool (Node) or the runtime's `fetch`. Default: {@link defaultBackendClient}. */
  client?: BackendClientKind;
  logger?: Logger;
}

/** How backend requests are sent. */
type BackendClientKind = 'undici' | 'fetch';

/** undici on Node itself; the runtime's `fetch` on Deno, Bun and Cloudflare Workers. */
function defaultBackendClient(): BackendClientKind {
  return onNode() ? 'undici' : 'fetch';
}

/** Why a backend request failed without a usable HTTP response. */
export type BackendHttpErrorKind =
  | 'connect'
  | 'timeout'
  | 'reset'
  | 'malformed'
  | 'too-large'
  | 'aborted'
  | 'invalid'
  | 'network';

/** A transport-level backend failure. Its message is safe to show to users: no URL, no header, no stack. */
export class BackendHttpError extends Error {
  /** What went wrong, for callers that branch on it. */
  readonly kind: BackendHttpErrorKind;
  /** Attempts made before giving up. */
  readonly attempts: number;
  /** HTTP status, when the failure came after a status line (malformed or too large body). */
  readonly status?: number;

  constructor(kind: BackendHttpErrorKind, message: string, attempts: number, status?: number) {
    super(message);
    this.name = 'BackendHttpError';
    this.kind = kind;
    this.attempts = attempts;
    if (status !== undefined) this.status = status;
  }
}

/** Statuses worth another attempt of an idempotent request (RFC 9110 §15.6, RFC 6585 §4). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Error codes proving no byte of the request reached the backend: safe to retry any method. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  // Bun's fetch
  'ConnectionRefused',
  'FailedToOpenSocket',
]);

/** Error codes of a connection lost after the request may have been sent. */
const RESET_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // Bun's fetch
  'ConnectionClosed',
]);

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const TEXT_TYPE =
  /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:xml|x-www-form-urlencoded|javascript|yaml|x-yaml)\s*(?:;|$))/i;

type Undici = typeof import('undici');
let undici: Undici | undefined;
let undiciLoading: Promise<Undici> | undefined;

/**
 * Loads undici once (≈ 65 ms of module evaluation): not at start-up, so that a stdio server answers `initialize` and
 * `tools/list` without it, but on the first backend call, whose wait it adds to once per process.
 */
function loadUndici(): Promise<Undici> {
  return (undiciLoading ??= import('undici').then((loaded) => (undici = loaded)));
}

/** Creates the pooled client for one backend. */
export function createBackendHttp(options: BackendHttpOptions): BackendHttp {
  return new PooledBackendHttp(options);
}

/** The limits of one backend's client, with their defaults filled in. */
interface ClientLimits {
  connectTimeoutMs: number;
  timeoutMs: number;
  maxAttempts: number;
  baseDelay: number;
  maxDelay: number;
  maxBodyBytes: number;
}

function clientLimits(options: BackendHttpOptions): ClientLimits {
  return {
    connectTimeoutMs: options.connectTimeoutMs ?? SETTINGS.connectTimeoutMs.default,
    timeoutMs: options.timeoutMs ?? SETTINGS.timeoutMs.default,
    maxAttempts: Math.max(1, options.maxAttempts ?? SETTINGS.maxAttempts.default),
    baseDelay: options.retryBaseDelayMs ?? 200,
    maxDelay: options.retryMaxDelayMs ?? 5000,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
  };
}

/**
 * What aborts one attempt (its timer, or the caller's cancellation), in an EventEmitter shape (pool-dispatch.ts's
 * `AbortSource`): one listener, no `AbortController`/`AbortSignal` and no event-target machinery per attempt.
 */
class AttemptAbort {
  aborted = false;
  #listener: (() => void) | undefined;

  once(_event: 'abort', listener: () => void): this {
    this.#listener = listener;
    return this;
  }

  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    if (this.#listener === listener) this.#listener = undefined;
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }

  /** A web `AbortSignal` following this one, for `fetch` (which takes nothing else). */
  webSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort();
    else this.once('abort', () => controller.abort());
    return controller.signal;
  }
}

/** One attempt's request as sent: the full path, the headers with the request id, and what aborts it. */
interface Sent {
  req: BackendRequest;
  fullPath: string;
  headers: Record<string, string>;
  abort: AttemptAbort;
  attemptNo: number;
}

/** The client of one backend: undici's pool for its origin (created on the first request), or the runtime's fetch. */
class PooledBackendHttp implements BackendHttp {
  readonly baseUrl: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #limits: ClientLimits;
  readonly #connections: number;
  readonly #useFetch: boolean;
  readonly #logger: Logger | undefined;
  #pool: Pool | undefined;
  #closed = false;

  constructor(options: BackendHttpOptions) {
    const url = new URL(options.baseUrl);
    this.baseUrl = options.baseUrl;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#limits = clientLimits(options);
    this.#connections = options.connections ?? 32;
    this.#useFetch = (options.client ?? defaultBackendClient()) === 'fetch';
    this.#logger = options.logger;
  }

  /** Sends one request, retrying as allowed (a bound function: callers may pass it on). */
  readonly send = async (req: BackendRequest): Promise<BackendHttpResponse> => {
    const fullPath = this.#basePath + req.path + (req.query ? `?${req.query}` : '');
    // Caller headers first, then ours: the request id is always the one we log. A copy (callers may reuse theirs),
    // unless the caller's headers carry that id already (the tool service's own requests do).
    const given = req.headers;
    const headers = given['x-request-id'] === req.requestId ? given : { ...given, 'x-request-id': req.requestId };
    const { maxAttempts, baseDelay, maxDelay } = this.#limits;
    for (let n = 1; ; n++) {
      if (cancelled(req)) throw new BackendHttpError('aborted', 'request cancelled', n - 1);
      let res: BackendHttpResponse;
      try {
        res = await this.#attempt(req, fullPath, headers, n);
      } catch (err) {
        const e = err as BackendHttpError;
        const retryable =
          n < maxAttempts &&
          (e.kind === 'connect' || (e.kind === 'reset' && req.idempotent) || (e.kind === 'network' && req.idempotent));
        if (!retryable) throw e;
        const delay = backoff(n, baseDelay, maxDelay);
        this.#logger?.debug({ requestId: req.requestId, attempt: n, error: e.kind, delayMs: delay }, 'backend retry');
        await sleep(delay, signalOf(req), n);
        continue;
      }
      if (!req.idempotent || n >= maxAttempts || !RETRY_STATUSES.has(res.status)) return res;
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (retryAfter !== undefined && retryAfter > maxDelay) return res;
      const delay = retryAfter ?? backoff(n, baseDelay, maxDelay);
      this.#logger?.debug(
        { requestId: req.requestId, attempt: n, status: res.status, delayMs: delay },
        'backend retry',
      );
      await sleep(delay, signalOf(req), n);
    }
  };

  readonly close = async (): Promise<void> => {
    this.#closed = true;
    await this.#pool?.close();
  };

  /** One attempt, bounded by the per-attempt timer and the caller's cancellation. */
  async #attempt(
    req: BackendRequest,
    fullPath: string,
    headers: Record<string, string>,
    attemptNo: number,
  ): Promise<BackendHttpResponse> {
    const { timeoutMs, connectTimeoutMs } = this.#limits;
    const abort = new AttemptAbort();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const stopListening = onCancel(req, () => abort.abort());
    try {
      if (this.#closed)
        throw new BackendHttpError(
          'reset',
          'backend closed the connection before answering (UND_ERR_CLOSED)',
          attemptNo,
        );
      const sent: Sent = { req, fullPath, headers, abort, attemptNo };
      return this.#useFetch ? await this.#viaFetch(sent) : await this.#viaPool(sent);
    } catch (err) {
      if (err instanceof BackendHttpError) throw err;
      if (cancelled(req)) throw new BackendHttpError('aborted', 'request cancelled', attemptNo);
      if (timedOut) {
        throw new BackendHttpError('timeout', `backend did not answer within ${timeoutMs} ms`, attemptNo);
      }
      throw classify(err, attemptNo, connectTimeoutMs);
    } finally {
      clearTimeout(timer);
      stopListening?.();
    }
  }

  /** Sends through the runtime's fetch (Deno, Bun, Cloudflare Workers). */
  async #viaFetch({ req, fullPath, headers, abort, attemptNo }: Sent): Promise<BackendHttpResponse> {
    const res = await fetch(this.#origin + fullPath, {
      method: req.method.toUpperCase(),
      headers,
      body: req.body ?? null,
      signal: abort.webSignal(),
      // As undici's pool does: a redirect is the backend's answer, not something to follow.
      redirect: 'manual',
    });
    const bytes = await readWebBody(res, this.#limits.maxBodyBytes, attemptNo);
    const record = webHeaders(res.headers);
    const status = res.status;
    if (req.raw === true) return { status, headers: record, body: undefined, raw: bytes, attempts: attemptNo };
    const { body, text, json } = readBodyAs(record['content-type'], bytes, status, attemptNo);
    return { status, headers: record, body, text, json, attempts: attemptNo };
  }

  /** Sends through undici's pool (Node), with a handler of our own (pool-dispatch.ts). */
  async #viaPool({ req, fullPath, headers, abort, attemptNo }: Sent): Promise<BackendHttpResponse> {
    // Only the first call of the process waits for undici; later ones find the pool (no await, no allocation).
    const dispatcher = this.#pool ?? this.#createPool(undici ?? (await loadUndici()));
    const limit = this.#limits.maxBodyBytes;
    const answer = await dispatchCollect(
      dispatcher,
      {
        method: req.method.toUpperCase() as Dispatcher.HttpMethod,
        path: fullPath,
        headers,
        body: req.body ?? null,
        idempotent: req.idempotent,
      },
      abort,
      limit,
      (status) => tooLarge(limit, attemptNo, status),
    );
    const { status, rawHeaders, body } = answer;
    if (req.raw === true) return new PooledResponse(status, rawHeaders, attemptNo, NO_BODY, body);
    const read = readBodyAs(rawHeader(rawHeaders, 'content-type'), body, status, attemptNo);
    return new PooledResponse(status, rawHeaders, attemptNo, read, undefined);
  }

  #createPool(loaded: Undici): Pool {
    const { connectTimeoutMs, timeoutMs } = this.#limits;
    this.#pool ??= new loaded.Pool(this.#origin, {
      connections: this.#connections,
      connect: { timeout: connectTimeoutMs },
      // The per-attempt timer below is the real limit; these only keep undici from using its 300 s defaults.
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 4000,
    });
    return this.#pool;
  }
}

/** Whether the caller has cancelled the request. */
function cancelled(req: BackendRequest): boolean {
  return req.cancel?.aborted ?? req.signal?.aborted ?? false;
}

/** The caller's cancellation as an `AbortSignal` (retry waits only: made from `cancel` there). */
function signalOf(req: BackendRequest): AbortSignal | undefined {
  return req.cancel?.signal ?? req.signal;
}

/** Runs `listener` when the caller cancels; returns what stops listening (undefined: nothing to stop). */
function onCancel(req: BackendRequest, listener: () => void): (() => void) | undefined {
  if (req.cancel !== undefined) return req.cancel.onAbort(listener);
  const signal = req.signal;
  if (signal === undefined) return undefined;
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): uniform in [0, min(cap, base·2^(n-1))]. */
function backoff(attemptNo: number, base: number, cap: number): number {
  return Math.floor(Math.random() * Math.min(cap, base * 2 ** (attemptNo - 1)));
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP-dates always name a month; anything else (e.g. "-1") is invalid rather than a year.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal | undefined, attempts: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new BackendHttpError('aborted', 'request cancelled', attempts));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BackendHttpError('aborted', 'request cancelled', attempts));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error for a response body over `limit` bytes, whether its length was declared or counted while reading. */
function tooLarge(limit: number, attemptNo: number, status: number): BackendHttpError {
  return new BackendHttpError('too-large', `backend response is larger than ${limit} bytes`, attemptNo, status);
}

/** A fetch response's body, stopping as soon as it passes `limit` bytes. */
async function readWebBody(res: Response, limit: number, attemptNo: number): Promise<Buffer> {
  if (Number(res.headers.get('content-length')) > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(limit, attemptNo, res.status);
  }
  if (res.body === null) return Buffer.alloc(0);
  const bytes = await readStreamUpTo(res.body, limit);
  if (bytes === undefined) throw tooLarge(limit, attemptNo, res.status);
  return bytes;
}

/** A fetch response's headers as one string per lower-case name (fetch already joins repeated ones). */
function webHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** A response body as read: the value, and the text it came from (JSON text, or text when it is not JSON). */
interface ReadBody {
  body: unknown;
  text: string | undefined;
  json: string | undefined;
}

const NO_BODY: ReadBody = { body: undefined, text: undefined, json: undefined };

/** `bytes` as the body its `contentType` says: parsed JSON (with its text as received), text, or base64 if binary. */
function readBodyAs(contentType: string | undefined, bytes: Buffer, status: number, attempts: number): ReadBody {
  if (bytes.length === 0) return NO_BODY;
  const type = contentType ?? '';
  if (JSON_TYPE.test(type)) {
    const text = bytes.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown, text: undefined, json: text };
    } catch {
      throw new BackendHttpError('malformed', `malformed JSON from backend (HTTP ${status})`, attempts, status);
    }
  }
  if (type === '') {
    // No media type at all: JSON if it parses (sloppy backends), else text. Only a claimed JSON type must parse.
    const text = bytes.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown, text: undefined, json: text };
    } catch {
      return { body: text, text, json: undefined };
    }
  }
  // Text-like bodies stay text; anything else is binary and travels as base64.
  const text = TEXT_TYPE.test(type) ? bytes.toString('utf8') : bytes.toString('base64');
  return { body: text, text, json: undefined };
}

function errorCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  // Happy-eyeballs connects fail with an AggregateError whose parts carry the codes.
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0]);
  if (e.cause !== undefined) return errorCode(e.cause);
  return undefined;
}

/**
 * Codes for failures the other runtimes' `fetch` reports in words only (Deno: "tcp connect error: Connection refused
 * (os error 111)"; Bun: code `ConnectionRefused`; workerd: "Network connection lost"), so that they are retried and
 * reported like Node's.
 */
const MESSAGE_CODES: ReadonlyArray<readonly [RegExp, string]> = [
  [/connection ?refused/i, 'ECONNREFUSED'],
  [/connection ?reset|connection lost|ConnectionClosed/i, 'ECONNRESET'],
  [/failed to lookup|name resolution|not known|dns error|ENOTFOUND/i, 'ENOTFOUND'],
  [/unreachable/i, 'EHOSTUNREACH'],
  [/invalid header|header value|invalid character/i, 'ERR_INVALID_CHAR'],
];

/** The words of the innermost error, without URLs (they may carry a query string): what a failure was, for the user. */
function errorWords(err: unknown): string | undefined {
  let current: unknown = err;
  let words: string | undefined;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as { message?: unknown; name?: unknown; cause?: unknown };
    if (typeof e.message === 'string' && e.message.trim() !== '') words = e.message;
    else if (typeof e.name === 'string') words ??= e.name;
    current = e.cause;
  }
  if (words === undefined && typeof err === 'string') words = err;
  return (
    words
      ?.replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, '<url>')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200) || undefined
  );
}

/** The {@link BackendHttpError} of a failed attempt: its kind (what may be retried) and a message naming the cause. */
export function classify(err: unknown, attempts: number, connectTimeoutMs: number): BackendHttpError {
  const words = errorWords(err);
  const code = errorCode(err) ?? MESSAGE_CODES.find(([pattern]) => words !== undefined && pattern.test(words))?.[1];
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new BackendHttpError('connect', `could not connect to backend within ${connectTimeoutMs} ms`, attempts);
  }
  if (code !== undefined && NEVER_SENT_CODES.has(code)) {
    return new BackendHttpError('connect', `could not connect to backend (${code})`, attempts);
  }
  if (code !== undefined && RESET_CODES.has(code)) {
    return new BackendHttpError('reset', `backend closed the connection before answering (${code})`, attempts);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new BackendHttpError('timeout', 'backend did not answer in time', attempts);
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_ARG_TYPE') {
    // Our request itself is unsendable (e.g. a header value with a control character): retrying cannot help.
    return new BackendHttpError('invalid', 'request could not be sent: an invalid header or body', attempts);
  }
  // Never "(unknown)": the error's own code, else its words.
  return new BackendHttpError(
    'network',
    `backend request failed (${code ?? words ?? 'no cause given by the runtime'})`,
    attempts,
  );
}

/** The fetch adapter lives in its own module; re-exported here so callers find it next to the client. */
export { createBackendFetch } from './backend-fetch.js';
