/**
 * stdio transport (MCP 2025-11-25, Basic / Transports, "stdio"): newline-delimited JSON-RPC on stdin/stdout,
 * one client per process. stdout carries only protocol messages (logs go to the logger, i.e. stderr).
 *
 * stdio is one session: the process gets a fixed random session id and its state lives in a
 * {@link SessionStore}, so backends that keep login state work the same as over stateful HTTP.
 *
 * Like the HTTP transport, stdio reads and frames messages itself and answers `tools/list` and `tools/call`
 * straight from the shared tool handlers (the same ones the SDK `Server` uses, so the answers are the same),
 * without the SDK's per-message zod parsing. Everything else (initialize, ping, notifications, cancellation,
 * unknown methods, and tool requests whose params need the SDK's checks) goes to the SDK `Server` through a
 * small {@link StdioSdkBridge}. Each answer is one line written with one `write`; while stdout is full, stdin
 * is paused.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import {
  ErrorCode,
  JSONRPCMessageSchema,
  RELATED_TASK_META_KEY,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Principal, SessionRecord, SessionStore, ToolResult, ToolService } from '../contracts.js';
import type { Logger } from '../log.js';
import type { TransportCallInfo } from './call-info.js';
import { createMcpServer, type McpServerInfo } from './mcp-server.js';
import { createSessionHandle, MemorySessionStore } from './session-store.js';
import { LineSplitter, LineWriter } from './stdio-lines.js';
import { StdioSdkBridge } from './stdio-sdk-bridge.js';
import { createToolHandlers } from './tool-handlers.js';

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

/** A parsed JSON object. */
type JsonObject = Record<string, unknown>;

/** Members a JSON-RPC request may have; the SDK refuses any other (its message schemas are strict). */
const REQUEST_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);

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

  const callInfo: TransportCallInfo = { principal };
  if (service.stateful) {
    callInfo.sessionId = sessionId;
    callInfo.session = createSessionHandle(store, sessionId, record);
  }
  const handlers = createToolHandlers(service, logger);
  const server = createMcpServer(service, options.info, { logger, defaultCallInfo: callInfo, handlers });
  server.onerror = (error: Error): void => {
    logger.warn({ backend: service.backend, err: { message: error.message } }, 'stdio protocol error');
  };

  /** Set once closing starts: nothing more is read, dispatched or written. */
  let stopped = false;
  /** Fast-path `tools/call` requests still running, by client id (cancellation aborts their signal). */
  const inFlight = new Map<RequestId, AbortController>();
  /** Serialized `tools/list` result, rebuilt if the service ever returns a different array. */
  let toolsJson: { tools: unknown; json: string } | undefined;

  const writer = new LineWriter(
    stdout,
    () => stdin.pause(),
    () => {
      if (!stopped) stdin.resume();
    },
  );

  /** Writes one line unless closing. */
  const writeLine = (line: string): void => {
    if (!stopped) writer.write(line);
  };

  /** Writes a JSON-RPC error (no stack, no internals). */
  const writeError = (id: RequestId | null, code: number, message: string, data?: unknown): void => {
    const error = data === undefined ? { code, message } : { code, message, data };
    let line: string;
    try {
      line = `${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`;
    } catch {
      // `data` JSON cannot carry: the error without it.
      line = `${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`;
    }
    writeLine(line);
  };

  /** What the SDK `Server` sends: one line each; a message JSON cannot carry becomes an internal error. */
  const sendFromSdk = (message: JSONRPCMessage): Promise<void> => {
    let line: string;
    try {
      line = `${JSON.stringify(message)}\n`;
    } catch (error) {
      logger.error({ backend: service.backend, err: errorSummary(error) }, 'stdio answer is not serializable');
      if (!('id' in message) || 'method' in message) return Promise.resolve();
      line = internalErrorLine(message.id ?? null);
    }
    writeLine(line);
    return writer.whenWritable();
  };
  const bridge = new StdioSdkBridge(sendFromSdk);

  /** Answers `tools/list` from the handlers' (precomputed) result. */
  const listTools = (id: RequestId): void => {
    const result = handlers.listTools();
    if (toolsJson === undefined || toolsJson.tools !== result.tools) {
      toolsJson = { tools: result.tools, json: JSON.stringify(result) };
    }
    writeLine(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${toolsJson.json}}\n`);
  };

  /** Runs `tools/call`; answers unless it was cancelled or the server closed first (as the SDK does). */
  const callTool = (id: RequestId, name: string, args: JsonObject | undefined): void => {
    const controller = new AbortController();
    const signal = controller.signal;
    inFlight.set(id, controller);
    const settle = (): boolean => {
      if (inFlight.get(id) === controller) inFlight.delete(id);
      return !signal.aborted && !stopped;
    };
    handlers.callTool(name, args, callInfo, signal).then(
      (result: ToolResult) => {
        if (!settle()) return;
        let line: string;
        try {
          const json = JSON.stringify(result) as string | undefined;
          if (json === undefined) throw new TypeError('tools/call result is not a JSON value');
          line = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}\n`;
        } catch (error) {
          logger.error({ backend: service.backend, tool: name, err: errorSummary(error) }, 'stdio answer is not serializable');
          line = internalErrorLine(id);
        }
        writeLine(line);
      },
      (error: unknown) => {
        if (!settle()) return;
        // The error object the SDK's Protocol would build from the same thrown value.
        const { code, message, data } = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
        writeError(
          id,
          typeof code === 'number' && Number.isSafeInteger(code) ? code : ErrorCode.InternalError,
          typeof message === 'string' ? message : 'Internal error',
          data,
        );
      },
    );
  };

  /** Hands a message to the SDK `Server` after the SDK's own message check; answers what it would drop. */
  const toSdk = (message: JsonObject): void => {
    const parsed = JSONRPCMessageSchema.safeParse(message);
    if (parsed.success) {
      bridge.deliver(parsed.data as JSONRPCMessage);
      return;
    }
    // The SDK's stdio transport drops such a message silently; a request would then wait forever.
    // A request (a method and an id member) or nothing recognisable gets -32600; notifications and responses never
    // get an answer (JSON-RPC 2.0 §4.1, §5).
    const id = message.id;
    const validId = typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
    if (typeof message.method === 'string' ? 'id' in message : !('result' in message) && !('error' in message)) {
      writeError(validId ? (id as RequestId) : null, ErrorCode.InvalidRequest, 'Invalid Request');
      return;
    }
    logger.debug({ backend: service.backend }, 'stdio: dropped a message that is not valid JSON-RPC');
  };

  /** Dispatches one line: the fast path for plain tool requests, the SDK for everything else. */
  const onLine = (line: string): void => {
    if (stopped) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      if (line.trim() !== '') writeError(null, ErrorCode.ParseError, 'Parse error');
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      const text = Array.isArray(message) ? 'Invalid Request: JSON-RPC batches are not supported' : 'Invalid Request';
      writeError(null, ErrorCode.InvalidRequest, text);
      return;
    }
    const m = message as JsonObject;
    const method = m.method;
    if (method === 'tools/call') {
      if (isPlainRequest(m) && isPlainCallParams(m.params)) {
        callTool(m.id as RequestId, m.params.name, m.params.arguments as JsonObject | undefined);
        return;
      }
    } else if (method === 'tools/list') {
      if (isPlainRequest(m) && isPlainListParams(m.params)) {
        listTools(m.id as RequestId);
        return;
      }
    } else if (method === 'notifications/cancelled' && isObject(m.params)) {
      // A fast-path call is aborted here; the SDK gets the notification too, for the requests it runs.
      const target = m.params.requestId;
      if (typeof target === 'string' || typeof target === 'number') inFlight.get(target)?.abort(m.params.reason);
    }
    toSdk(m);
  };

  const splitter = new LineSplitter({
    onLine(line: string): void {
      try {
        onLine(line);
      } catch (error) {
        // A bug in dispatching one message must not stop the server.
        logger.error({ backend: service.backend, err: errorSummary(error) }, 'stdio dispatch failed');
      }
    },
    onOversize(): void {
      writeError(null, ErrorCode.InvalidRequest, 'Invalid Request: message too large');
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
      for (const controller of inFlight.values()) controller.abort();
      inFlight.clear();
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
  stdout.on('error', onStdoutError);

  await server.connect(bridge);
  // Reading starts only now: every message finds the server connected.
  stdin.on('data', onData);
  stdin.on('error', onStdinError);
  logger.debug({ backend: service.backend, principal: principal.id }, 'serving over stdio');
  return { close, closed };
}

/** A non-array object. */
function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-RPC 2.0 request exactly as the SDK accepts one (its message schema is strict about members). */
function isPlainRequest(m: JsonObject): boolean {
  if (m.jsonrpc !== '2.0') return false;
  const id = m.id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) return false;
  for (const key in m) if (!REQUEST_MEMBERS.has(key)) return false;
  return true;
}

/**
 * `_meta` without a progress token or related task: nothing in it asks for more than the handler does.
 * Requests that use either go through the SDK, which knows what to do with them.
 */
function isPlainMeta(meta: unknown): boolean {
  return meta === undefined || (isObject(meta) && meta.progressToken === undefined && meta[RELATED_TASK_META_KEY] === undefined);
}

/** `tools/call` params the SDK's schema accepts, without task augmentation. */
function isPlainCallParams(params: unknown): params is { name: string; arguments?: JsonObject } {
  return (
    isObject(params) &&
    typeof params.name === 'string' &&
    (params.arguments === undefined || isObject(params.arguments)) &&
    params.task === undefined &&
    isPlainMeta(params._meta)
  );
}

/** `tools/list` params the SDK's schema accepts. */
function isPlainListParams(params: unknown): boolean {
  return (
    params === undefined ||
    (isObject(params) && (params.cursor === undefined || typeof params.cursor === 'string') && isPlainMeta(params._meta))
  );
}

/** The JSON-RPC internal error line for a request. */
function internalErrorLine(id: RequestId | null): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: 'Internal error' } })}\n`;
}

/** Error fields safe to log. */
function errorSummary(error: unknown): { message: string; name?: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
}
