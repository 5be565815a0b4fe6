/**
 * `tools/list` and `tools/call` for one {@link ToolService} (MCP 2025-11-25, Server / Tools), independent of the
 * SDK: the SDK `Server`'s handlers and the HTTP transport's fast path both call these, so both give the same
 * results and the same errors.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ListedTool, ToolResult, ToolService } from '../contracts.js';
import type { Logger } from '../log.js';
import { buildCallContext, type TransportCallInfo } from './call-info.js';

/** The two tool methods of one backend. */
export interface ToolHandlers {
  /** `tools/list` result; all tools in one page (the list is precomputed and small). */
  listTools(): { tools: ListedTool[] };
  /** `tools/call`: the service's result; throws {@link McpError} -32602 for an unknown tool. */
  callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    info: TransportCallInfo,
    signal?: AbortSignal,
  ): Promise<ToolResult>;
}

/** Longest tool name echoed back in an error (names are ≤ 64 characters; anything longer is not one). */
const MAX_ECHOED_NAME = 80;

/** The protocol error for a tool the backend does not have (MCP 2025-11-25, Tools / Error Handling). */
export function unknownToolError(name: string): McpError {
  const shown = name.length > MAX_ECHOED_NAME ? `${name.slice(0, MAX_ECHOED_NAME)}…` : name;
  return new McpError(ErrorCode.InvalidParams, `Unknown tool: ${shown}`);
}

/** Creates the handlers; `logger` records unexpected failures (the client only sees "Internal error"). */
export function createToolHandlers(service: ToolService, logger?: Logger): ToolHandlers {
  let listed: ListedTool[] | undefined;
  let listResult: { tools: ListedTool[] } = { tools: [] };
  return {
    listTools(): { tools: ListedTool[] } {
      const tools = service.listTools();
      // The service returns the same array each time, so the result object is reused too.
      if (tools !== listed) {
        listed = tools;
        listResult = { tools };
      }
      return listResult;
    },
    async callTool(name, args, info, signal): Promise<ToolResult> {
      if (!service.hasTool(name)) throw unknownToolError(name);
      try {
        return await service.callTool(name, args, buildCallContext(service.backend, name, info, signal));
      } catch (error) {
        if (error instanceof McpError) throw error;
        // ToolService promises never to throw for a known tool; if it does, keep its details out of the reply.
        logger?.error({ err: error, backend: service.backend, tool: name }, 'tool call threw');
        throw new McpError(ErrorCode.InternalError, 'Internal error');
      }
    },
  };
}
