/**
 * Tool execution errors as MCP results (MCP 2025-11-25 "Tools → Error Handling"): failures the model can act on
 * are returned as `CallToolResult` with `isError: true`, not as JSON-RPC errors, and carry no stack trace.
 */
import type { ToolResult } from './tool-service-api.js';

/** How a tool call ended; logged once per call. */
export type CallOutcome =
  | 'ok'
  | 'invalid_arguments'
  | 'refused'
  | 'auth'
  | 'backend_error'
  | 'backend_unreachable'
  | 'tool_error'
  | 'internal_error'
  | 'unknown_tool';

/**
 * An error whose message is safe and useful to show the model (names the field and the rule, no secret, no
 * stack). Throw it from overrides' `bind`, `check`, hand-written tools or `callOperation` users; any other
 * exception becomes a generic "internal error".
 */
export class ToolCallError extends Error {
  /** The outcome logged for the call. */
  readonly outcome: CallOutcome;

  constructor(message: string, outcome: CallOutcome = 'tool_error') {
    super(message);
    this.name = 'ToolCallError';
    this.outcome = outcome;
  }
}

/** The error of arguments that break their schema: one line per problem, each naming the field and the rule. */
export function invalidArguments(lines: readonly string[]): ToolCallError {
  return new ToolCallError(`Invalid arguments:\n${lines.map((l) => `- ${l}`).join('\n')}`, 'invalid_arguments');
}

/** An `isError` result with one text block. */
export function errorResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
