/**
 * The HTTP exchange as the Streamable HTTP pipeline sees it (MCP 2026-07-28 and 2025-11-25, Basic / Transports,
 * "Streamable HTTP"), independent of how the bytes arrive: node:http (node-http.ts) and web-standard `Request`
 * (fetch-handler.ts) each adapt their own request and response types to these two small shapes.
 */

/** One inbound HTTP request. */
export interface HttpRequestLike {
  /** Upper-case method. */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** A header by lower-case name; repeated headers are joined with ", " (and then fail single-value checks). */
  header(name: string): string | undefined;
  /** The peer's address, for rate limiting unauthenticated callers. */
  readonly remoteAddress: string;
  /**
   * The whole body; fails with {@link BodyTooLargeError} past `limit` bytes, or when the client went away. Without a
   * promise when the body has already arrived (then a failure is thrown).
   */
  readBody(limit: number): string | Promise<string>;
  /** Takes the controller of the call this request runs: aborted when the client goes away before the answer. */
  attach(controller: { abort(): void }): void;
}

/** One HTTP answer; a body is JSON (but `/metrics`' Prometheus text). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
  /** An SSE answer's events, written as they come (a legacy call that asks the client something); no `body` then. */
  stream?: AsyncIterable<string>;
  /** Close the connection after answering (the rest of an oversized body is not read). */
  closeConnection?: boolean;
}

export { BodyTooLargeError } from '../http-body.js';
