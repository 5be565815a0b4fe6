/**
 * The success result of the hand-written B4B tools, in the MCP `CallToolResult` shape (MCP 2025-11-25, Server / Tools:
 * structured content mirrored in a text block; failures are core/tool-error.ts' `errorResult`).
 */
import type { ToolResult } from '../../core/tool-service-api.js';

export function success(structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}
