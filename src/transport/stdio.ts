/**
 * stdio transport (MCP 2026-07-28 and 2025-11-25, Basic / Transports, "stdio"): newline-delimited JSON-RPC on
 * stdin/stdout, one client per process. stdout carries only protocol messages (logs go to the logger, i.e.
 * stderr). This module frames lines and writes answers; the dispatch core (src/protocol/dispatcher.ts) answers.
 *
 * The process is one caller: it gets a fixed random session id whose state lives in a {@link SessionStore}, and
 * both eras use it (a 2025-11-25 `initialize` scopes legacy semantics to the process; 2026-07-28 requests of the
 * same process are the same caller). Each answer is one line written with one `write`; while stdout is full,
 * stdin is paused.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Principal } from '../auth/inbound-auth.js';
import type { SessionRecord, SessionStore } from '../state/session.js';
import type { ToolService } from '../core/tool-service-api.js';
import type { Logger } from '../log.js';
import type { Caller } from '../protocol/caller.js';
import { CLIENT_CAPABILITIES_STATE_KEY, Dispatcher, type Era, type Reply, type ServerInfo } from '../protocol/dispatcher.js';
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
  const { logger, principal } = options;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const ownStore = options.sessionStore === undefined;
  // A local process's one session lives as long as the process: no idle expiry by default.
  const store = options.sessionStore ?? new MemorySessionStore({ idleTtlMs: Number.POSITIVE_INFINITY, maxSessions: 1 });
  const sessionId = randomBytes(32).toString('base64url');
  const record: SessionRecord = { principalId: principal.id, backend: service.backend, createdAt: Date.now(), state: {} };
  await store.set(sessionId, record);

  const caller: Caller = { principal, scope: SCOPE };
  if (service.stateful) {
    caller.sessionId = sessionId;
    caller.session = createSessionHandle(store, sessionId, record);
  }
  const interactions = options.interactions ?? new MemoryInteractionStore();
  const core = new Dispatcher({
    service,
    info: options.info,
    logger,
    store,
    interactions,
    ...(options.seal === undefined ? {} : { seal: options.seal }),
    ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
  });
  // Server→client requests (2025-11-25 `elicitation/create`): written like answers, settled by the client's response.
  const outbound = new ClientRequests((line) => writeReply({ status: 200, body: line, ok: true }));
  caller.requestClient = outbound.send;

  /** Set once closing starts: nothing more is read, dispatched or written. */
  let stopped = false;
  const writer = new LineWriter(
    stdout,
    () => stdin.pause(),
    () => {
      if (!stopped) stdin.resume();
    },
  );
  const writeReply = (reply: Reply | undefined): void => {
    if (reply !== undefined && !stopped) writer.write(`${reply.body}\n`);
  };
  const writeError = (code: number, message: string): void => {
    writeReply(core.errorReply(null, { code, message }));
  };

  /** Dispatches one line. */
  const onLine = (line: string): void => {
    if (stopped) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (line.trim() !== '') writeError(ErrorCode.ParseError, 'Parse error');
      return;
    }
    const message = inspectMessage(value);
    switch (message.kind) {
      case 'request': {
        const era = core.classify(message);
        if (caller.pageBase === undefined && service.stateful && message.method === 'tools/call' && declaresUrlMode(era, caller)) {
          // The first call of a client that takes URL-mode questions: start the page listener, then dispatch.
          openPages().then(() => dispatch(message, era), dispatchFailed);
          return;
        }
        dispatch(message, era);
        return;
      }
      case 'notification':
        core.notify(message, caller);
        return;
      case 'refusal':
        // Notifications and responses never get an answer (JSON-RPC 2.0 §4.1, §5), malformed or not.
        if (!message.silent) writeReply(core.errorReply(message.id, { code: message.code, message: message.message }));
        return;
      case 'response':
        outbound.settle(message);
        return;
    }
  };
  const dispatch = (message: InboundRequest, era: Era): void => {
    const answer = core.request(message, era, caller);
    if (answer instanceof Promise) answer.then(writeReply, (error: unknown) => dispatchFailed(error));
    else writeReply(answer);
  };
  /** One-time pages (URL-mode sign-in) on a loopback listener, started on first need (loaded only then). */
  let pages: Promise<void> | undefined;
  let loopback: { close(): Promise<void> } | undefined;
  const openPages = (): Promise<void> => {
    pages ??= import('./loopback-pages.js')
      .then(async ({ LoopbackPages }) => {
        const listener = new LoopbackPages(service, { interactions, sessions: store });
        loopback = listener;
        caller.pageBase = await listener.base();
      })
      .catch((error: unknown) => logger.warn({ backend: service.backend, err: errorSummary(error) }, 'page listener failed: URL mode not offered'));
    return pages;
  };
  const dispatchFailed = (error: unknown): void => {
    // A bug in dispatching one message must not stop the server.
    logger.error({ backend: service.backend, err: errorSummary(error) }, 'stdio dispatch failed');
  };

  const splitter = new LineSplitter({
    onLine(line: string): void {
      try {
        onLine(line);
      } catch (error) {
        dispatchFailed(error);
      }
    },
    onOversize(): void {
      writeError(ErrorCode.InvalidRequest, 'Invalid Request: message too large');
    },
  });

  const onData = (chunk: Buffer | string): void => {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };
  const onStdinError = (error: Error): void => {
    logger.warn({ backend: service.backend, err: errorSummary(error) }, 'stdin failed');
    void close();
  };
  const onStdoutError = (error: Error): void => {
    // Typically EPIPE: the client has gone; nobody is left to answer.
    logger.warn({ backend: service.backend, err: errorSummary(error) }, 'stdout failed');
    void close();
  };

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopped = true;
      stdin.off('end', onEnd);
      stdin.off('data', onData);
      stdin.off('error', onStdinError);
      // Pause only if nobody else reads stdin (as the SDK's stdio transport does).
      if (stdin.listenerCount('data') === 0) stdin.pause();
      splitter.clear();
      writer.release();
      core.cancelAll();
      outbound.closeAll();
      await loopback?.close();
      await store.delete(sessionId);
      if (ownStore) await (store as MemorySessionStore).close();
      logger.debug({ backend: service.backend }, 'stdio server closed');
      resolveClosed();
    })();
    return closing;
  };
  const onEnd = (): void => {
    void close();
  };
  stdin.once('end', onEnd);
  stdout.on('error', onStdoutError);
  stdin.on('data', onData);
  stdin.on('error', onStdinError);
  logger.debug({ backend: service.backend, principal: principal.id }, 'serving over stdio');
  return { close, closed };
}

/** Whether the client of a request takes URL-mode questions (its envelope, or a legacy `initialize`). */
function declaresUrlMode(era: Era, caller: Caller): boolean {
  const capabilities = 'envelope' in era ? era.envelope.clientCapabilities : caller.session?.get(CLIENT_CAPABILITIES_STATE_KEY);
  return elicitationModes(capabilities)?.url === true;
}
