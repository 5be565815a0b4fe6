/**
 * The error every shared-state operation throws when its store cannot answer (connection down, command timed
 * out, server error). It is a {@link ToolCallError}, so a tool whose state write fails returns a tool error
 * naming the cause (MCP 2025-11-25, Tools / Error Handling); the HTTP transport answers 503 with `Retry-After`
 * (RFC 9110 §15.6.4, §10.2.3) when a request fails on it before any tool runs.
 */
import { ToolCallError } from '../core/tool-error.js';

/** Seconds a client is told to wait before retrying while the store is unavailable. */
export const STATE_RETRY_AFTER_SECONDS = 2;

/** The shared state store could not be used; the message names the cause and never a secret. */
export class StateUnavailableError extends ToolCallError {
  constructor(cause: string) {
    super(`The shared state store is unavailable (${cause}); try again in a few seconds.`, 'internal_error');
    this.name = 'StateUnavailableError';
  }
}

/** Whether `error` is (or wraps) a {@link StateUnavailableError}. */
export function isStateUnavailable(error: unknown): error is StateUnavailableError {
  return error instanceof StateUnavailableError;
}
