/**
 * The SDK side of the stdio transport: a minimal SDK `Transport` (MCP 2025-11-25, Basic / Transports) through
 * which the stdio reader hands the SDK `Server` every message it does not answer itself (initialize, ping,
 * notifications, cancellation, unknown methods), and through which the `Server` writes its answers.
 *
 * Reading and framing stay in stdio.ts: this class only connects the two. Messages are delivered already parsed
 * and checked against the SDK's JSON-RPC message schema, exactly as the SDK's own stdio transport delivers them.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Writes one message the `Server` sends; settles when the output can take more. */
export type SendMessage = (message: JSONRPCMessage) => Promise<void>;

/** Transport between the stdio reader and one SDK `Server`; connect it to exactly one `Server`. */
export class StdioSdkBridge implements Transport {
  /** Set by the SDK `Server` on connect: where incoming messages go. */
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  /** Set by the SDK `Server` on connect. */
  onclose?: (() => void) | undefined;
  /** Set by the SDK `Server` on connect. */
  onerror?: ((error: Error) => void) | undefined;

  readonly #send: SendMessage;
  #closed = false;

  /** `send` writes what the `Server` sends (answers to the requests it was given, and its own notifications). */
  constructor(send: SendMessage) {
    this.#send = send;
  }

  /** Nothing to start: messages arrive through {@link deliver}. */
  async start(): Promise<void> {}

  /** Hands one client message to the `Server`. */
  deliver(message: JSONRPCMessage): void {
    if (this.#closed) return;
    this.onmessage?.(message);
  }

  /** Called by the `Server`; nothing is written once the transport is closed. */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#send(message);
  }

  /** Closes the transport; the `Server` aborts the handlers still running (and answers none of them). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
