/**
 * stdio transport (MCP 2025-11-25, Basic / Transports, "stdio"): newline-delimited JSON-RPC on stdin/stdout,
 * one client per process. stdout carries only protocol messages (logs go to the logger, i.e. stderr).
 *
 * stdio is one session: the process gets a fixed random session id and its state lives in a
 * {@link SessionStore}, so backends that keep login state work the same as over stateful HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Principal, SessionRecord, SessionStore, ToolService } from '../contracts.js';
import type { Logger } from '../log.js';
import type { TransportCallInfo } from './call-info.js';
import { createMcpServer, type McpServerInfo } from './mcp-server.js';
import { createSessionHandle, MemorySessionStore } from './session-store.js';

/** Options for {@link serveStdio}. */
export interface StdioOptions {
  /** Who the local user is (established by the CLI: a configured identity or the sandbox's). */
  principal: Principal;
  logger: Logger;
  info: McpServerInfo;
  /** Where the session's state lives; an in-memory store without idle expiry by default. */
  sessionStore?: SessionStore;
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

/** Serves one backend over stdio until stdin ends or `close()` is called. */
export async function serveStdio(service: ToolService, options: StdioOptions): Promise<StdioHandle> {
  const { logger, principal } = options;
  const stdin = options.stdin ?? process.stdin;
  const ownStore = options.sessionStore === undefined;
  // A local process's one session lives as long as the process: no idle expiry by default.
  const store = options.sessionStore ?? new MemorySessionStore({ idleTtlMs: Number.POSITIVE_INFINITY, maxSessions: 1 });
  const sessionId = randomBytes(32).toString('base64url');
  const record: SessionRecord = { principalId: principal.id, backend: service.backend, createdAt: Date.now(), state: {} };
  await store.set(sessionId, record);

  const defaultCallInfo: TransportCallInfo = { principal };
  if (service.stateful) {
    defaultCallInfo.sessionId = sessionId;
    defaultCallInfo.session = createSessionHandle(store, sessionId, record);
  }
  const server = createMcpServer(service, options.info, { logger, defaultCallInfo });
  server.onerror = (error: Error): void => {
    logger.warn({ backend: service.backend, err: { message: error.message } }, 'stdio protocol error');
  };

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stdin.off('end', onEnd);
      await server.close();
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

  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  await server.connect(transport);
  logger.debug({ backend: service.backend, principal: principal.id }, 'serving over stdio');
  return { close, closed };
}
