/**
 * One MCP client session over Streamable HTTP, on the lean HTTP/1.1 client: POST JSON-RPC bodies written by
 * hand, read the answer as plain JSON or as an SSE body, and — for servers that answer a POST with 202 and
 * deliver the result on the session's GET event stream — keep that stream open and match its events to the
 * requests in flight by id. Answers on the stream that match no request in flight are counted as strays.
 */
import { Http1Connection, type HttpResponse } from './http1.js';
import {
  INITIALIZE_PARAMS,
  MODERN_META_JSON,
  MODERN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  SseParser,
  notificationBody,
  parseMessage,
  rejectPending,
  requestBody,
  sseDataPayloads,
  type PendingAnswer,
  type RpcAnswer,
} from './jsonrpc.js';
import { TimeoutError } from './mcp-stdio.js';

/** Where and how to reach an MCP endpoint. */
export interface McpHttpEndpoint {
  host: string;
  port: number;
  /** Endpoint path, e.g. `/finopps/mcp`. */
  path: string;
  /** Extra request headers (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** The server answers requests with 202 and sends results on the session's GET SSE stream. */
  answersOnGetStream?: boolean;
  /**
   * Speak MCP 2026-07-28: `server/discover` instead of the handshake, no session, and the request metadata
   * headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) on every POST.
   */
  modern?: boolean;
}

/** An HTTP answer that was not a JSON-RPC answer. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** One session (or, for a stateless server, one client connection). */
export class McpHttpSession {
  private conn: Http1Connection;
  private streamConn: Http1Connection | undefined;
  private head: string;
  private readonly streamWaiters = new Map<number | string, PendingAnswer>();
  /** `Mcp-Session-Id` the server assigned, if any. */
  sessionId: string | undefined;
  /** Answers that matched no request in flight (on the GET stream, or extra answers in an SSE body). */
  strays = 0;
  /** Why the GET event stream failed, if it did. */
  streamError: string | undefined;

  constructor(readonly endpoint: McpHttpEndpoint) {
    this.conn = new Http1Connection(endpoint.host, endpoint.port);
    this.head = this.renderHead(false);
  }

  private renderHead(withVersion: boolean): string {
    const e = this.endpoint;
    let head =
      `POST ${e.path} HTTP/1.1\r\nHost: ${e.host}:${e.port}\r\nContent-Type: application/json\r\n` +
      'Accept: application/json, text/event-stream';
    if (withVersion) head += `\r\nMCP-Protocol-Version: ${PROTOCOL_VERSION}`;
    if (this.sessionId !== undefined) head += `\r\nMcp-Session-Id: ${this.sessionId}`;
    for (const [name, value] of Object.entries(e.headers ?? {})) head += `\r\n${name}: ${value}`;
    return head;
  }

  /** `initialize` + `notifications/initialized`; opens the GET stream for servers that answer on it. */
  async initialize(timeoutMs: number): Promise<RpcAnswer> {
    if (this.endpoint.modern === true) return this.discover(timeoutMs);
    const response = await this.withTimeout(
      this.conn.request(this.head, requestBody(0, 'initialize', INITIALIZE_PARAMS)),
      timeoutMs,
    );
    const answer = this.answerFrom(response, 0);
    if (answer === undefined) throw new HttpStatusError(response.status, response.body);
    if (answer.message.error !== undefined) throw new Error(`initialize failed: ${answer.message.error.message}`);
    const sessionId = response.headers['mcp-session-id'];
    if (sessionId !== undefined && sessionId.length > 0) this.sessionId = sessionId;
    this.head = this.renderHead(true);
    if (this.endpoint.answersOnGetStream === true) await this.withTimeout(this.openStream(), timeoutMs);
    const ack = await this.withTimeout(
      this.conn.request(this.head, notificationBody('notifications/initialized')),
      timeoutMs,
    );
    if (ack.status >= 300) throw new HttpStatusError(ack.status, ack.body);
    if (this.endpoint.answersOnGetStream === true) await this.confirmStream(timeoutMs);
    return answer;
  }

  /** 2026-07-28: `server/discover` (no handshake, no session); every later POST carries the revision's headers. */
  private async discover(timeoutMs: number): Promise<RpcAnswer> {
    this.head = `${this.renderHead(false)}\r\nMCP-Protocol-Version: ${MODERN_PROTOCOL_VERSION}`;
    const answer = await this.request(0, 'server/discover', `{"_meta":${MODERN_META_JSON}}`, timeoutMs);
    if (answer.message.error !== undefined) throw new Error(`server/discover failed: ${answer.message.error.message}`);
    return answer;
  }

  /** The request head for one POST: 2026-07-28 requests name their method and tool in headers. */
  private headFor(method: string, name: string | undefined): string {
    if (this.endpoint.modern !== true) return this.head;
    return name === undefined
      ? `${this.head}\r\nMcp-Method: ${method}`
      : `${this.head}\r\nMcp-Method: ${method}\r\nMcp-Name: ${name}`;
  }

  /**
   * Makes sure the GET stream is registered before the first real call: nothing says when the server has
   * seen it, and an answer sent before that is lost. A `ping` (answered on the stream) proves it; ids are
   * unique per session so that pings of concurrently opening sessions cannot collide.
   */
  private async confirmStream(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 1; performance.now() < deadline; attempt += 1) {
      try {
        // A ping answers in a millisecond or two once the stream is registered; lost ones are retried quickly.
        await this.request(
          `stream-check-${this.sessionId ?? 'none'}-${attempt}`,
          'ping',
          undefined,
          Math.min(25 * 2 ** (attempt - 1), timeoutMs),
        );
        return;
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
    }
    throw new TimeoutError(
      `the GET event stream delivered nothing within ${timeoutMs} ms${this.streamError === undefined ? '' : ` (${this.streamError})`}`,
    );
  }

  /**
   * Opens the GET event stream without waiting for its head: some servers (this peer among them) send the
   * status line only with the first event. A refused stream shows up as the first call timing out, and its
   * status is kept in {@link streamError}.
   */
  private openStream(): Promise<void> {
    const e = this.endpoint;
    this.streamConn = new Http1Connection(e.host, e.port);
    let head = `GET ${e.path} HTTP/1.1\r\nHost: ${e.host}:${e.port}\r\nAccept: text/event-stream\r\nMCP-Protocol-Version: ${PROTOCOL_VERSION}`;
    if (this.sessionId !== undefined) head += `\r\nMcp-Session-Id: ${this.sessionId}`;
    for (const [name, value] of Object.entries(e.headers ?? {})) head += `\r\n${name}: ${value}`;
    const parser = new SseParser((data) => this.onStreamEvent(data));
    // Resolves once the GET is on the wire (or failed): requests sent after it reach the server after it.
    return new Promise<void>((resolve) => {
      this.streamConn
        ?.stream(
          head,
          (text) => parser.push(text),
          () => undefined,
          resolve,
        )
        .then(
          (response) => {
            if (response.status !== 200) this.streamError = `GET stream refused: HTTP ${response.status}`;
          },
          (error: unknown) => {
            this.streamError = `GET stream failed: ${error instanceof Error ? error.message : String(error)}`;
            resolve();
          },
        );
    });
  }

  private onStreamEvent(data: string): void {
    const message = parseMessage(data);
    if (message === undefined || message.id === undefined || message.id === null || message.method !== undefined)
      return;
    const waiter = this.streamWaiters.get(message.id);
    if (waiter === undefined) {
      // A late answer to our own stream check is not a misdelivery.
      if (typeof message.id === 'string' && message.id.startsWith(`stream-check-${this.sessionId ?? 'none'}-`)) return;
      this.strays += 1;
      return;
    }
    this.streamWaiters.delete(message.id);
    clearTimeout(waiter.timer);
    waiter.resolve({ message, raw: data });
  }

  /** Picks the answer to `id` out of a POST response (JSON or SSE body); undefined when there is none. */
  private answerFrom(response: HttpResponse, id: number | string): RpcAnswer | undefined {
    const type = response.headers['content-type'] ?? '';
    if (response.status !== 200) return undefined;
    if (type.includes('text/event-stream')) {
      let found: RpcAnswer | undefined;
      for (const data of sseDataPayloads(response.body)) {
        const message = parseMessage(data);
        if (message === undefined || message.id === undefined || message.id === null || message.method !== undefined)
          continue;
        if (found === undefined && message.id === id) found = { message, raw: data };
        else if (found === undefined)
          found = { message, raw: data }; // Wrong id: the caller's check reports it.
        else this.strays += 1;
      }
      return found;
    }
    const message = parseMessage(response.body);
    return message === undefined ? undefined : { message, raw: response.body };
  }

  /**
   * Sends one request and resolves with its answer. Rejects with {@link HttpStatusError} for a non-JSON-RPC
   * HTTP answer and with {@link TimeoutError} when no answer came in time.
   */
  async request(
    id: number | string,
    method: string,
    paramsJson: string | undefined,
    timeoutMs: number,
    toolName?: string,
  ): Promise<RpcAnswer> {
    const body = requestBody(id, method, paramsJson);
    const head = this.headFor(method, toolName);
    if (this.endpoint.answersOnGetStream === true) {
      // Register before sending: the result may come on the stream before the 202 does.
      const viaStream = new Promise<RpcAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.streamWaiters.delete(id);
          reject(
            new TimeoutError(
              `no answer to ${method} #${String(id)} on the GET stream within ${timeoutMs} ms${this.streamError === undefined ? '' : ` (${this.streamError})`}`,
            ),
          );
        }, timeoutMs);
        this.streamWaiters.set(id, { resolve, reject, timer });
      });
      viaStream.catch(() => undefined);
      let response: HttpResponse;
      try {
        response = await this.withTimeout(this.conn.request(head, body), timeoutMs);
      } catch (error) {
        this.dropWaiter(id);
        throw error;
      }
      if (response.status === 202) return viaStream;
      this.dropWaiter(id);
      const answer = this.answerFrom(response, id);
      if (answer === undefined) throw new HttpStatusError(response.status, response.body);
      return answer;
    }
    const response = await this.withTimeout(this.conn.request(head, body), timeoutMs);
    const answer = this.answerFrom(response, id);
    if (answer === undefined) throw new HttpStatusError(response.status, response.body);
    return answer;
  }

  /**
   * Sends any body text as one POST of the session and resolves with the HTTP answer, whatever its status
   * (for the fuzzer: malformed messages, notifications). Rejects with {@link TimeoutError} when none came.
   */
  post(body: string, timeoutMs: number): Promise<HttpResponse> {
    return this.withTimeout(this.conn.request(this.head, body), timeoutMs);
  }

  private dropWaiter(id: number | string): void {
    const waiter = this.streamWaiters.get(id);
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      this.streamWaiters.delete(id);
    }
  }

  /** Races a request against a timer; on timeout the connection is replaced (its late answer is discarded). */
  private async withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no HTTP answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } catch (error) {
      if (error instanceof TimeoutError) {
        promise.catch(() => undefined);
        this.conn.close();
        this.conn = new Http1Connection(this.endpoint.host, this.endpoint.port);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes both connections but leaves the session alive on the server (for counting sessions' memory). */
  disconnect(reason = 'session disconnected'): void {
    rejectPending(this.streamWaiters, () => reason);
    this.conn.close();
    this.streamConn?.close();
  }

  /** Ends the session (DELETE when the server gave a session id) and closes both connections. */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.sessionId !== undefined) {
      const e = this.endpoint;
      let head = `DELETE ${e.path} HTTP/1.1\r\nHost: ${e.host}:${e.port}\r\nMCP-Protocol-Version: ${PROTOCOL_VERSION}\r\nMcp-Session-Id: ${this.sessionId}`;
      for (const [name, value] of Object.entries(e.headers ?? {})) head += `\r\n${name}: ${value}`;
      await this.withTimeout(this.conn.request(head), timeoutMs).catch(() => undefined);
    }
    this.disconnect('session closed');
  }
}
