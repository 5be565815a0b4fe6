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

/** A kind of page a backend's overrides declare: what it shows, and which tool its submitted form calls. */
export interface InteractionPageKind {
  /** The page (complete HTML): `data` as the tool opened it, the principal who asked, and after a failed attempt its error and the kept fields. */
  render(page: {
    data: Record<string, unknown>;
    requester: string;
    error?: string;
    values?: Record<string, string>;
  }): string;
  /** The tool the form calls, with the form's fields as its arguments, as the caller who asked and in their state. */
  tool: string;
  /** The form's fields; each is required (an empty one is refused naming the field, and counts as an attempt). */
  fields: readonly string[];
  /** Fields shown again after a failed attempt (never a secret). */
  keep: readonly string[];
  /** The page once the tool succeeded. */
  done(page: { data: Record<string, unknown>; result: ToolResult }): string;
}

/**
 * The tools of one backend. `callTool` never throws for a known tool: failures are `isError` results, except a
 * protocol error (`RpcFailure`) a hand-written tool raises on purpose, which the dispatch core answers as such.
 */
export interface ToolService {
  readonly backend: string;
  /** Whether this backend needs per-session state (stateful Streamable HTTP). */
  readonly stateful: boolean;
  /** Precomputed at start-up; the same array on every call. */
  listTools(): ListedTool[];
  hasTool(name: string): boolean;
  /** Tools answered from the specs alone (search, describe): never held back while the backend is starting. */
  readonly localTools?: ReadonlySet<string>;
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<ToolResult>;
  /** The one-time page kinds of the backend's overrides. */
  readonly pages?: Readonly<Record<string, InteractionPageKind>>;
  /** Resources, prompts and completion served beside the tools (consistent with the tools served). */
  readonly catalogue?: Catalogue;
  /** Runs the overrides' `onSessionEnd` for an ended session of this backend; never rejects. */
  endSession?(sessionId: string, record: SessionRecord, reason: SessionEndReason): Promise<void>;
}
