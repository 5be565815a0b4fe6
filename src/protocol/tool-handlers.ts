/**
 * `tools/list` and `tools/call` for one {@link ToolService} (MCP 2026-07-28 and 2025-11-25, Server / Tools): the
 * dispatch core calls these for every transport and both eras, so all give the same results and errors.
 */
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolResult, ToolService } from '../core/tool-service-api.js';
import type { Logger } from '../log.js';
import { buildCallContext, type CallScope } from './caller.js';
import { ErrorCode, RpcFailure } from './errors.js';

/** The two tool methods of one backend. */
export interface ToolHandlers {
  /** The tools, in the service's (stable) order; the same array on every call. */
  listTools(): ListedTool[];
  /**
   * `tools/call`: the service's result; -32602 for an unknown tool. A failure goes through {@link failure} before
   * it is answered (no async wrapper per call for it).
   */
  callTool(name: string, args: Record<string, unknown> | undefined, ...scope: CallScope): Promise<ToolResult>;
  /** The protocol error to answer for what `callTool` threw: an {@link RpcFailure} as it is, anything else logged and internal. */
  failure(name: string, error: unknown): RpcFailure;
}

/** Longest tool name echoed back in an error (names are ≤ 64 characters; anything longer is not one). */
const MAX_ECHOED_NAME = 80;

/** The protocol error for a tool the backend does not have (MCP 2025-11-25, Tools / Error Handling). */
function unknownToolError(name: string): RpcFailure {
  const shown = name.length > MAX_ECHOED_NAME ? `${name.slice(0, MAX_ECHOED_NAME)}…` : name;
  return new RpcFailure(ErrorCode.InvalidParams, `Unknown tool: ${shown}`);
}

/** Creates the handlers; `logger` records unexpected failures (the client only sees "Internal error"). */
export function createToolHandlers(service: ToolService, logger?: Logger): ToolHandlers {
  return {
    listTools: () => service.listTools(),
    callTool(name, args, caller, session, cancel, elicit, nonce, report): Promise<ToolResult> {
      if (!service.hasTool(name)) return Promise.reject(unknownToolError(name));
      const ctx = buildCallContext(service.backend, name, caller, session, cancel, elicit, nonce, report);
      return service.callTool(name, args, ctx);
    },
    failure(name, error): RpcFailure {
      if (error instanceof RpcFailure) return error;
      // ToolService promises never to throw for a known tool; if it does, keep its details out of the reply.
      logger?.error({ err: error, backend: service.backend, tool: name }, 'tool call threw');
      return new RpcFailure(ErrorCode.InternalError, 'Internal error');
    },
  };
}
