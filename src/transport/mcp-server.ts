/**
 * The MCP server of one backend (MCP 2025-11-25, Basic / Lifecycle and Server / Tools), built once on the SDK's
 * low-level `Server` and shared by every request of every transport connection: `tools/list` serves the
 * ToolService's JSON Schemas as they are and `tools/call` runs the service with a {@link CallContext} built from
 * the per-message call info a transport attaches (see call-info.ts).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ToolService } from '../contracts.js';
import type { Logger } from '../log.js';
import { ANONYMOUS_PRINCIPAL, fromAuthInfo, type TransportCallInfo } from './call-info.js';
import { sharedJsonSchemaValidator } from './shared-validator.js';
import { createToolHandlers, type ToolHandlers } from './tool-handlers.js';

/** `serverInfo` and instructions returned by `initialize`. */
export interface McpServerInfo {
  name: string;
  version: string;
  /** Shown to the model by clients that support it. */
  instructions?: string;
}

/** Optional wiring for {@link createMcpServer}. */
export interface McpServerOptions {
  logger?: Logger;
  /** Used when a message carries no call info (stdio: the process principal and its one session). */
  defaultCallInfo?: TransportCallInfo;
  /** Handlers to use; pass the same object the HTTP fast path uses so both give identical answers. */
  handlers?: ToolHandlers;
}

/** Call info of messages that come with none and no default: an anonymous caller without a session. */
const ANONYMOUS_CALL: TransportCallInfo = { principal: ANONYMOUS_PRINCIPAL };

/** Creates the backend's SDK `Server` with `tools/list` and `tools/call`; connect it to one transport. */
export function createMcpServer(service: ToolService, info: McpServerInfo, options: McpServerOptions = {}): Server {
  const handlers = options.handlers ?? createToolHandlers(service, options.logger);
  const fallback = options.defaultCallInfo ?? ANONYMOUS_CALL;
  const server = new Server(
    { name: info.name, version: info.version },
    {
      capabilities: { tools: { listChanged: false } },
      ...(info.instructions !== undefined ? { instructions: info.instructions } : {}),
      jsonSchemaValidator: sharedJsonSchemaValidator,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => handlers.listTools());
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    handlers.callTool(
      request.params.name,
      request.params.arguments,
      fromAuthInfo(extra.authInfo) ?? fallback,
      extra.signal,
    ),
  );
  return server;
}
