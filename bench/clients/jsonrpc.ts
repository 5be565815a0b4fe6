/**
 * JSON-RPC 2.0 framing shared by the stdio and HTTP drivers: request bodies written by hand (no client
 * library on the hot path), parsing of Server-Sent Events bodies, and the MCP handshake messages.
 */

/** The MCP protocol revision every client here speaks. */
export const PROTOCOL_VERSION = '2025-11-25';

/** A JSON-RPC message as received (only the fields the benchmark reads are typed). */
export interface RpcMessage {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** An answer and its raw text. */
export interface RpcAnswer {
  message: RpcMessage;
  raw: string;
}

/** A request in flight: how to settle it, and the timer that gives up on it. */
export interface PendingAnswer {
  resolve: (answer: RpcAnswer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Fails every request still in flight (the server or the connection went away) and forgets them. */
export function rejectPending(
  pending: Map<number | string, PendingAnswer>,
  reason: (id: number | string) => string,
): void {
  for (const [id, waiter] of pending) {
    clearTimeout(waiter.timer);
    waiter.reject(new Error(reason(id)));
  }
  pending.clear();
}

/**
 * Newline-delimited framing (MCP Basic / Transports, "stdio": one message per line): feed text as it arrives,
 * get each complete non-blank line. A line longer than one chunk is kept as a list of parts and joined once,
 * when its newline arrives: a listing of many megabytes (a big spec's `tools/list`) costs one copy, not one per chunk.
 */
export class LineSplitter {
  private parts: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  /** Feeds more text; calls `onLine` for every line completed by it. */
  push(text: string): void {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      let line = text.slice(start, newline);
      if (this.parts.length > 0) {
        this.parts.push(line);
        line = this.parts.join('');
        this.parts = [];
      }
      if (line.trim().length > 0) this.onLine(line);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.parts.push(start === 0 ? text : text.slice(start));
  }
}

/** A request body. `paramsJson` is already serialized, so hot loops can reuse or splice it. */
export function requestBody(id: number | string, method: string, paramsJson?: string): string {
  const idJson = typeof id === 'number' ? String(id) : JSON.stringify(id);
  return paramsJson === undefined
    ? `{"jsonrpc":"2.0","id":${idJson},"method":"${method}"}`
    : `{"jsonrpc":"2.0","id":${idJson},"method":"${method}","params":${paramsJson}}`;
}

/** A notification body (no id, no answer expected). */
export function notificationBody(method: string, paramsJson?: string): string {
  return paramsJson === undefined
    ? `{"jsonrpc":"2.0","method":"${method}"}`
    : `{"jsonrpc":"2.0","method":"${method}","params":${paramsJson}}`;
}

/** Params of the `initialize` request. */
export const INITIALIZE_PARAMS = JSON.stringify({
  protocolVersion: PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: 'finmcp-bench', version: '1.0.0' },
});

/** The revision of the `2026-07-28` request variant: no `initialize`, the client described in every request. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The per-request `_meta` envelope of 2026-07-28 requests, serialized once. */
export const MODERN_META_JSON = JSON.stringify({
  'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'finmcp-bench', version: '1.0.0' },
});

/** Params of a `tools/call` request; `modern` adds the 2026-07-28 `_meta` envelope. */
export function toolCallParams(name: string, args: Record<string, unknown>, modern = false): string {
  const base = `{"name":${JSON.stringify(name)},"arguments":${JSON.stringify(args)}`;
  return modern ? `${base},"_meta":${MODERN_META_JSON}}` : `${base}}`;
}

/**
 * The `data` payloads of a complete Server-Sent Events text (events are separated by a blank line; several
 * `data:` lines of one event are joined by a newline, per the SSE spec).
 */
export function sseDataPayloads(text: string): string[] {
  const payloads: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let data: string | undefined;
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('data:')) {
        const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
        data = data === undefined ? value : `${data}\n${value}`;
      }
    }
    if (data !== undefined && data.length > 0) payloads.push(data);
  }
  return payloads;
}

/**
 * Incremental SSE parser for streams that stay open: feed text as it arrives, get each complete event's data.
 */
export class SseParser {
  private carry = '';

  constructor(private readonly onEvent: (data: string) => void) {}

  /** Feeds more text; calls `onEvent` for every event completed by it. */
  push(text: string): void {
    this.carry += text;
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.carry);
      if (match === null) return;
      const block = this.carry.slice(0, match.index);
      this.carry = this.carry.slice(match.index + match[0].length);
      for (const data of sseDataPayloads(block)) this.onEvent(data);
    }
  }
}

/** Parses one JSON-RPC message, or returns undefined for text that is not one. */
export function parseMessage(text: string): RpcMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RpcMessage) : undefined;
  } catch {
    return undefined;
  }
}
