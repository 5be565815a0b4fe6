/**
 * Small helpers shared by the hand-written B4B tools: results in the MCP `CallToolResult` shape (MCP 2025-11-25,
 * Server / Tools: structured content mirrored in a text block; failures are core/tool-error.ts' `errorResult`),
 * and scrubbing a secret out of text built from backend answers.
 */
import type { ToolResult } from '../../contracts.js';

/** Removes any occurrence of a secret from a message built from backend text. */
export function scrub(message: string, secret: string): string {
  return secret === '' ? message : message.split(secret).join('[redacted]');
}

export function success(structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}
