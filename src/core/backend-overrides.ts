/**
 * What a backend's hand-written part (src/overrides/<backend>/) may change and add, and what the tool service
 * offers it: overrides of generated tools, hand-written tools, outbound auth and hooks, and the {@link BackendApi}
 * through which they call the backend. Generic: backends plug in through these types only.
 */
import type {
  GeneratedBackend,
  JsonSchema,
  ListedTool,
  ToolAnnotations,
  ToolDescriptor,
} from '../../contract/descriptor.js';
import type { BackendResponse } from '../backend/backend-types.js';
import type { ServedPrompt, ServedResource, ServedResourceTemplate } from './catalogue-types.js';
import type { CallContext } from './call-context.js';
import type { InteractionPageKind, ToolResult } from './tool-service-api.js';

/**
 * A hand-written tool added by a backend's overrides: a {@link ListedTool} with title, description and annotations
 * set, and its handler, in one module. The runtime validates the arguments against `inputSchema` before `call` (as
 * it does for generated tools: same rules, same wording), so `call` checks only what a schema cannot say.
 */
export interface HandWrittenTool extends Required<Omit<ListedTool, 'outputSchema'>>, Pick<ListedTool, 'outputSchema'> {
  /**
   * A session tool (sign in, sign out, who am I): it changes only the caller's sign-in held by this server, never
   * the backend's data, so `--read-only` keeps it (a read-only server must still let its users sign in).
   */
  session?: boolean;
  call(args: Record<string, unknown>, ctx: CallContext, api: BackendApi): Promise<ToolResult>;
}

/**
 * Lets hand-written tools and hooks call the backend through the same pooled, retried HTTP client, with the same
 * outbound auth, 401 hook, timeouts, size limits and redaction as generated tools.
 */
export interface BackendApi {
  /** Calls the operation behind a generated tool with already-bound arguments. */
  callOperation(toolName: string, args: Record<string, unknown>, ctx: CallContext): Promise<BackendResponse>;
  /** The backend's base URL: the `baseUrl` of a typed client using {@link fetchFor}. */
  readonly baseUrl: string;
  /**
   * A WHATWG `fetch` for the call `ctx`, as openapi-fetch's `fetch` option takes it (`createApiClient({ baseUrl,
   * fetch })`). It reaches only the operations of the backend's contract: each request is sent as the generated
   * operation its method and path name, with that operation's outbound auth. Failures reject with the tool error.
   */
  fetchFor(ctx: CallContext): (request: Request) => Promise<Response>;
}

/** Changes to one generated tool, applied at start-up. `generated/` itself is never edited. */
export interface ToolOverride {
  hidden?: boolean;
  name?: string;
  title?: string;
  description?: string;
  annotations?: Partial<ToolAnnotations>;
  /**
   * Input properties filled from the call context rather than by the model: removed from the served
   * `inputSchema`, refused when the model passes them, and set before validation.
   */
  bind?: Record<string, (ctx: CallContext, args: Record<string, unknown>) => unknown | Promise<unknown>>;
  /** Runs after validation, before the request; a returned string is the tool error. */
  check?: (args: Record<string, unknown>, ctx: CallContext) => string | undefined | Promise<string | undefined>;
}

/**
 * Adds headers to every outbound backend request (e.g. a session's bearer token or a service token). `api` lets
 * it call a public operation first (e.g. sign in with credentials from the environment).
 */
export type OutboundAuth = (
  ctx: CallContext,
  descriptor: ToolDescriptor,
  api: BackendApi,
) => Promise<OutboundAuthResult>;

/** Headers to send, or a tool error (e.g. "not logged in: call `login` first"). */
export type OutboundAuthResult = { headers: Record<string, string> } | { error: string };

/** A backend's overrides, made by its folder `src/overrides/<backend>/`. Every field is optional. */
export interface BackendOverrides {
  /** Per generated tool name. */
  tools?: Record<string, ToolOverride>;
  /** Extra input properties accepted by every tool (e.g. choosing one organisation of several). */
  commonInput?: Record<string, JsonSchema>;
  /** Bindings applied to every tool that has the property. */
  bind?: ToolOverride['bind'];
  /** Hand-written tools added next to the generated ones. */
  extraTools?: HandWrittenTool[];
  /** Kinds of one-time page its tools open (URL-mode elicitation), by name: e.g. a sign-in page calling `login`. */
  pages?: Readonly<Record<string, InteractionPageKind>>;
  /**
   * Hand-written resources, resource templates and prompts added next to the spec's; each is served only while
   * every tool it names in `tools` is served (`--tools`, `--tags`, `--read-only` keep them consistent).
   */
  extraResources?: Array<ServedResource & { tools?: string[] }>;
  extraResourceTemplates?: Array<ServedResourceTemplate & { tools?: string[] }>;
  extraPrompts?: Array<ServedPrompt & { tools?: string[] }>;
  /** Per-session state needed: served with stateful Streamable HTTP sessions. */
  stateful?: boolean;
  /**
   * How end users authenticate to this backend's MCP endpoint over HTTP: `oauth` makes it an OAuth 2.1 resource
   * server (MCP authorization); unset means no inbound credential beyond the optional static API keys.
   */
  inboundAuth?: 'oauth';
  /** Only these HTTP methods become tools (e.g. `['get']` for a read-only backend). */
  allowedMethods?: Array<ToolDescriptor['operation']['method']>;
  outboundAuth?: OutboundAuth;
  /** Called on a backend 401 before the error is returned; may refresh and ask for one retry. */
  onUnauthorized?: (ctx: CallContext) => Promise<'retry' | { error: string }>;
  /**
   * Called once a session has ended (DELETE, idle expiry, eviction) with its last state, e.g. to revoke a backend
   * login it held. The session is gone already: state written here is dropped. Failures are logged only.
   */
  onSessionEnd?: (ctx: CallContext, api: BackendApi) => Promise<void>;
}

/** A backend ready to serve: its generated parts plus its overrides. */
export interface OverriddenBackend {
  generated: GeneratedBackend;
  overrides: BackendOverrides;
}
