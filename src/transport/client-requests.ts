/**
 * Requests from the server to the client (MCP 2025-11-25, Basic, "Requests": either side may send requests; the
 * client's answer is a JSON-RPC response with the same id), over stdio lines or an HTTP call's SSE stream. finmcp
 * sends only `elicitation/create`, and only while a tool call waits for it. Ids are random strings of their own
 * prefix, so they never collide with the client's ids or another call's; a response to an id we did not send (or
 * sent and gave up on) is ignored.
 */
import { randomUUID } from 'node:crypto';
import type { InboundResponse, JsonObject } from '../protocol/messages.js';

/** Pending requests of one stdio connection. */
export class ClientRequests {
  readonly #write: (line: string, id: string) => void;
  readonly #pending = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>();

  /** `write` sends one request line; it is told the request's id too. */
  constructor(write: (line: string, id: string) => void) {
    this.#write = write;
  }

  /** Sends `method` and resolves with the client's result; rejects on an error answer, abort or close. */
  readonly send = (method: string, params: JsonObject, signal?: AbortSignal): Promise<unknown> => {
    if (signal?.aborted === true) return Promise.reject(new Error('aborted'));
    const id = `finmcp-${randomUUID()}`;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(id);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.#write(JSON.stringify({ jsonrpc: '2.0', id, method, params }), id);
    });
  };

  /** Settles the request a client response answers; false when it answers none of ours. */
  settle(response: InboundResponse): boolean {
    if (typeof response.id !== 'string') return false;
    const waiting = this.#pending.get(response.id);
    if (waiting === undefined) return false;
    this.#pending.delete(response.id);
    if (response.error !== undefined) waiting.reject(new Error('the client answered with an error'));
    else waiting.resolve(response.result);
    return true;
  }

  /** Whether the request `id` still waits for its answer. */
  isPending(id: string): boolean {
    return this.#pending.has(id);
  }

  /** Rejects everything still waiting (the connection is closing). */
  closeAll(): void {
    for (const waiting of this.#pending.values()) waiting.reject(new Error('closed'));
    this.#pending.clear();
  }
}
