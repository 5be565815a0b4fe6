/**
 * The tool service as its callers see it: the tools of one backend, independent of the MCP SDK and of any
 * transport. src/core/tool-service.ts implements it; the dispatch core (src/protocol/) and the transports serve it.
 */
import type { ListedTool } from '../../contract/descriptor.js';
import type { SessionEndReason, SessionRecord } from '../state/session.js';
import type { Catalogue } from './catalogue-types.js';
import type { CallContext } from './call-context.js';

/** A tool result as returned to MCP (`CallToolResult`), kept to the fields we produce. */
export interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

/** The tools of one backend. `callTool` never throws for a known tool: failures are `isError` results. */
export interface ToolService {
  readonly backend: string;
  /** Whether this backend needs per-session state (stateful Streamable HTTP). */
  readonly stateful: boolean;
  /** Precomputed at start-up; the same array on every call. */
  listTools(): ListedTool[];
  hasTool(name: string): boolean;
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<ToolResult>;
  /** Resources, prompts and completion served beside the tools (consistent with the tools served). */
  readonly catalogue?: Catalogue;
  /** Runs the overrides' `onSessionEnd` for an ended session of this backend; never rejects. */
  endSession?(sessionId: string, record: SessionRecord, reason: SessionEndReason): Promise<void>;
}
