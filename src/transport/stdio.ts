/**
 * stdio transport (MCP 2026-07-28 and 2025-11-25, Basic / Transports, "stdio"): newline-delimited JSON-RPC on
 * stdin/stdout, one client per process. stdout carries only protocol messages (logs go to the logger, i.e.
 * stderr). This module frames lines and writes answers; the dispatch core (src/protocol/dispatcher.ts) answers.
 *
 * The process is one caller: it gets a fixed random session id whose state lives in a {@link SessionStore}, and
 * both eras use it (a 2025-11-25 `initialize` scopes legacy semantics to the process; 2026-07-28 requests of the
 * same process are the same caller). Each answer is one line; the answers of one event-loop turn go out in one
 * `write` (stdio-lines.ts); while stdout is full, stdin is paused.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Principal } from '../auth/inbound-auth.js';
import type { SessionRecord, SessionStore } from '../state/session.js';
import type { ToolService } from '../core/tool-service-api.js';
import type { Logger } from '../log.js';
import type { Caller } from '../protocol/caller.js';
import {
  CLIENT_CAPABILITIES_STATE_KEY,
  Dispatcher,
  type Era,
  type Reply,
  type ServerInfo,
} from '../protocol/dispatcher.js';
import { elicitationModes } from '../protocol/elicitation.js';
import { ErrorCode, errorSummary } from '../protocol/errors.js';
import { ClientRequests } from './client-requests.js';
import { inspectMessage, type InboundRequest } from '../protocol/messages.js';
import { createSessionHandle, MemorySessionStore } from '../state/session-store.js';
import type { RequestStateSeal } from '../protocol/request-state.js';
import { MemoryInteractionStore, type InteractionStore } from '../state/interaction-store.js';
import { LineSplitter, LineWriter } from './stdio-lines.js';

/** Options for {@link serveStdio}. */
export interface StdioOptions {
  /** Who the local user is (established by the CLI: a configured identity or the sandbox's). */
  principal: Principal;
  logger: Logger;
  info: ServerInfo;
  /** Tools per `tools/list` page (the settings table's default). */
  listPageSize?: number;
  /** Where the process's state lives; an in-memory store without idle expiry by default. */
  sessionStore?: SessionStore;
  /** Where confirmation nonces, one-time pages and pending questions live; this process's memory by default. */
  interactions?: InteractionStore;
  /** The `requestState` key (from FINMCP_STATE_KEY); a random one of this process by default. */
  seal?: RequestStateSeal;
  /** Streams to use instead of the process's stdin/stdout. */
  stdin?: Readable;
  stdout?: Writable;
}

/** A running stdio server. */
export interface StdioHandle {
  /** Stops serving and drops the session. */
  close(): Promise<void>;
  /** Settles when the server has closed (stdin ended, or `close()` was called). */
  closed: Promise<void>;
}

/** Cancellation scope of the process's requests. */
const SCOPE = 'stdio';

/** Serves one backend over stdio until stdin ends or `close()` is called. */
export async function serveStdio(service: ToolService, options: StdioOptions): Promise<StdioHandle> {
  const { principal } = options;
  // A local process's one session lives as long as the process: no idle expiry by default.
  const store = options.sessionStore ?? new MemorySessionStore({ idleTtlMs: Number.POSITIVE_INFINITY, maxSessions: 1 });
  const sessionId = randomBytes(32).toString('base64url');
  const record: SessionRecord = {
    principalId: principal.id,
    backend: service.backend,
    createdAt: Date.now(),
    state: {},
  };
  await store.set(sessionId, record);
  const caller: Caller = { principal, scope: SCOPE };
  if (service.stateful) {
    caller.sessionId = sessionId;
    caller.session = createSessionHandle(store, sessionId, record);
  }
  const interactions = options.interactions ?? new MemoryInteractionStore();
  const session = { store, ownStore: options.sessionStore === undefined, sessionId, caller, interactions };
  const server = new StdioServer(service, options, session);
  server.listen();
  options.logger.debug({ backend: service.backend, principal: principal.id }, 'serving over stdio');
  return { close: () => server.close(), closed: server.closed };
}

/** The process's one session, as {@link serveStdio} opened it. */
interface StdioSession {
  store: SessionStore;
  /** Whether the store was made here (and is closed with the server). */
  ownStore: boolean;
  sessionId: string;
  caller: Caller;
  /** Where confirmation nonces, one-time pages and pending questions live. */
  interactions: InteractionStore;
}

/** One stdio server: reads lines, dispatches them to the dispatch core, writes the answers. */
class StdioServer {
  readonly closed: Promise<void>;
  readonly #service: ToolService;
  readonly #logger: Logger;
  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #session: StdioSession;
  readonly #core: Dispatcher;
  /** Server→client requests (2025-11-25 `elicitation/create`): written like answers, settled by the client's response. */
  readonly #outbound: ClientRequests;
  readonly #writer: LineWriter;
  readonly #splitter: LineSplitter;
  #resolveClosed: () => void = () => {};
  /** Set once closing starts: nothing more is read, dispatched or written. */
  #stopped = false;
  #closing: Promise<void> | undefined;
  /** One-time pages (URL-mode sign-in) on a loopback listener, started on first need (loaded only then). */
  #pages: Promise<void> | undefined;
  #loopback: { close(): Promise<void> } | undefined;

  constructor(service: ToolService, options: StdioOptions, session: StdioSession) {
    this.#service = service;
    this.#logger = options.logger;
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
    this.#session = session;
    this.#core = new Dispatcher({
      service,
      info: options.info,
      logger: options.logger,
      store: session.store,
      interactions: session.interactions,
      ...(options.seal === undefined ? {} : { seal: options.seal }),
      ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
    });
    this.#outbound = new ClientRequests((line) => this.#writeReply({ status: 200, body: line, ok: true }));
    session.caller.requestClient = this.#outbound.send;
    // One channel for everything: a request's progress and log messages, and subscribed resources' updates.
    session.caller.notifyClient = (notification) =>
      this.#writeReply({ status: 200, body: JSON.stringify(notification), ok: true });
    session.caller.notifySession = session.caller.notifyClient;
    this.#writer = new LineWriter(
      this.#stdout,
      () => this.#stdin.pause(),
      () => {
        if (!this.#stopped) this.#stdin.resume();
      },
    );
    this.#splitter = new LineSplitter({
      onLine: (line: string): void => {
        try {
          this.#onLine(line);
        } catch (error) {
          this.#dispatchFailed(error);
        }
      },
      onOversize: (): void => {
        this.#writeError(ErrorCode.InvalidRequest, 'Invalid Request: message too large');
      },
    });
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Starts reading stdin. */
  listen(): void {
    this.#stdin.once('end', this.#onEnd);
    this.#stdout.on('error', this.#onStdoutError);
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onStdinError);
  }

  /** Stops serving: nothing more is read or written; pending calls are cancelled; the session is dropped. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#stopped = true;
    const stdin = this.#stdin;
    stdin.off('end', this.#onEnd);
    stdin.off('data', this.#onData);
    stdin.off('error', this.#onStdinError);
    // Pause only if nobody else reads stdin (as the SDK's stdio transport does).
    if (stdin.listenerCount('data') === 0) stdin.pause();
    this.#splitter.clear();
    this.#writer.release();
    this.#core.cancelAll();
    this.#outbound.closeAll();
    await this.#loopback?.close();
    const { store, sessionId, ownStore } = this.#session;
    await store.delete(sessionId);
    if (ownStore) await (store as MemorySessionStore).close();
    this.#logger.debug({ backend: this.#service.backend }, 'stdio server closed');
    this.#resolveClosed();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    this.#splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };

  readonly #onEnd = (): void => {
    void this.close();
  };

  readonly #onStdinError = (error: Error): void => {
    this.#logger.warn({ backend: this.#service.backend, err: errorSummary(error) }, 'stdin failed');
    void this.close();
  };

  readonly #onStdoutError = (error: Error): void => {
    // Typically EPIPE: the client has gone; nobody is left to answer.
    this.#logger.warn({ backend: this.#service.backend, err: errorSummary(error) }, 'stdout failed');
    void this.close();
  };

  #writeReply(reply: Reply | undefined): void {
    if (reply !== undefined && !this.#stopped) this.#writer.write(`${reply.body}\n`);
  }

  #writeError(code: number, message: string): void {
    this.#writeReply(this.#core.errorReply(null, { code, message }));
  }

  /** Dispatches one line. */
  #onLine(line: string): void {
    if (this.#stopped) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (line.trim() !== '') this.#writeError(ErrorCode.ParseError, 'Parse error');
      return;
    }
    const message = inspectMessage(value);
    const caller = this.#session.caller;
    switch (message.kind) {
      case 'request': {
        const era = this.#core.classify(message);
        if (
          caller.pageBase === undefined &&
          this.#service.stateful &&
          message.method === 'tools/call' &&
          declaresUrlMode(era, caller)
        ) {
          // The first call of a client that takes URL-mode questions: start the page listener, then dispatch.
          this.#openPages().then(
            () => this.#dispatch(message, era),
            (error: unknown) => this.#dispatchFailed(error),
          );
          return;
        }
        this.#dispatch(message, era);
        return;
      }
      case 'notification':
        this.#core.notify(message, caller);
        return;
      case 'refusal':
        // Notifications and responses never get an answer (JSON-RPC 2.0 §4.1, §5), malformed or not.
        if (!message.silent)
          this.#writeReply(this.#core.errorReply(message.id, { code: message.code, message: message.message }));
        return;
      case 'response':
        this.#outbound.settle(message);
        return;
    }
  }

  #dispatch(message: InboundRequest, era: Era): void {
    const answer = this.#core.request(message, era, this.#session.caller);
    if (answer instanceof Promise) answer.then(this.#onAnswer, this.#onDispatchError);
    else this.#writeReply(answer);
  }

  /** The settling of an answer that took a while: made once, not per request. */
  readonly #onAnswer = (reply: Reply | undefined): void => this.#writeReply(reply);
  readonly #onDispatchError = (error: unknown): void => this.#dispatchFailed(error);

  #openPages(): Promise<void> {
    const backend = this.#service.backend;
    this.#pages ??= import('./loopback-pages.js')
      .then(async ({ LoopbackPages }) => {
        const listener = new LoopbackPages(this.#service, {
          interactions: this.#session.interactions,
          sessions: this.#session.store,
        });
        this.#loopback = listener;
        this.#session.caller.pageBase = await listener.base();
      })
      .catch((error: unknown) =>
        this.#logger.warn({ backend, err: errorSummary(error) }, 'page listener failed: URL mode not offered'),
      );
    return this.#pages;
  }

  #dispatchFailed(error: unknown): void {
    // A bug in dispatching one message must not stop the server.
    this.#logger.error({ backend: this.#service.backend, err: errorSummary(error) }, 'stdio dispatch failed');
  }
}

/** Whether the client of a request takes URL-mode questions (its envelope, or a legacy `initialize`). */
function declaresUrlMode(era: Era, caller: Caller): boolean {
  const capabilities =
    'envelope' in era ? era.envelope.clientCapabilities : caller.session?.get(CLIENT_CAPABILITIES_STATE_KEY);
  return elicitationModes(capabilities)?.url === true;
}
