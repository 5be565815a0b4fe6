/**
 * An SDK `Transport` (MCP 2025-11-25, Basic / Transports) that multiplexes many independent HTTP requests onto
 * one long-lived SDK `Server`.
 *
 * The SDK `Server` keys in-flight requests by JSON-RPC id, and different clients reuse the same ids. Each
 * incoming request therefore gets a fresh internal id; its original id and its reply callback are kept until
 * the server answers, and `send()` maps the answer back. Nothing is kept per session, only per in-flight request.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** A JSON-RPC response (result or error) on its way back to one HTTP request, with the client's own id. */
export type ReplyMessage = JSONRPCMessage & { id: RequestId };

/** Receives the server's answer to one request, already carrying the client's original id. */
export type Reply = (message: ReplyMessage) => void;

/** One request awaiting its answer. */
interface Pending {
  originalId: RequestId;
  reply: Reply;
}

/** Multiplexing transport; connect it to exactly one SDK `Server`. */
export class MultiplexTransport implements Transport {
  /** Set by the SDK `Server` on connect: where incoming messages go. */
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  /** Set by the SDK `Server` on connect. */
  onclose?: (() => void) | undefined;
  /** Set by the SDK `Server` on connect. */
  onerror?: ((error: Error) => void) | undefined;

  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  /** Nothing to start: messages arrive through {@link dispatch}. */
  async start(): Promise<void> {}

  /** Requests awaiting an answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Hands one request to the server under a fresh internal id; `reply` is called once with the answer (or
   * never, if the request is cancelled first). Returns the internal id, for {@link cancel}.
   */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo, reply: Reply): number {
    if (this.#closed || this.onmessage === undefined) throw new Error('transport is not connected');
    // Wraps at 2^53 never in practice; a safe integer keeps the id a plain JSON number.
    const id = ++this.#nextId;
    this.#pending.set(id, { originalId: request.id, reply });
    this.onmessage({ jsonrpc: '2.0', id, method: request.method, params: request.params }, extra);
    return id;
  }

  /** Forwards a client notification (e.g. `notifications/initialized`) to the server. */
  notify(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (this.#closed) return;
    this.onmessage?.(notification, extra);
  }

  /**
   * Cancels an in-flight request: the server aborts its handler (MCP, Utilities / Cancellation) and the answer
   * is never delivered. Returns false when it already had its answer.
   */
  cancel(internalId: number, reason: string): boolean {
    if (!this.#pending.delete(internalId)) return false;
    this.onmessage?.({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: internalId, reason },
    });
    return true;
  }

  /** Called by the server: answers go back to their HTTP request; anything else has nowhere to go in JSON mode. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!('id' in message) || 'method' in message) return;
    const id = message.id;
    if (typeof id !== 'number') return;
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    (message as { id: RequestId }).id = pending.originalId;
    pending.reply(message as ReplyMessage);
  }

  /** Closes the transport; requests still waiting are answered with a "connection closed" error. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      p.reply({ jsonrpc: '2.0', id: p.originalId, error: { code: -32000, message: 'Server is shutting down' } });
    }
    this.onclose?.();
  }
}
