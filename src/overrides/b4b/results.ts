/**
 * Small helpers shared by the hand-written B4B tools: results in the MCP `CallToolResult` shape (MCP 2025-11-25,
 * Server / Tools: structured content mirrored in a text block; failures as `isError` results), the wording of an
 * unknown property (the same as generated tools), and scrubbing a secret out of text built from backend answers.
 */
import type { ToolResult } from '../../contracts.js';

/** Messages for properties the tool does not take (same wording as generated tools). */
export function unknownProperties(args: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(args)
    .filter((k) => !known.includes(k))
    .map((k) => `(root): unknown property ${JSON.stringify(k.slice(0, 64))} is not allowed`);
}

/** Removes any occurrence of a secret from a message built from backend text. */
export function scrub(message: string, secret: string): string {
  return secret === '' ? message : message.split(secret).join('[redacted]');
}

export function success(structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function failure(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
