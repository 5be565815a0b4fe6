/**
 * Contracts between the runtime's parts: per-backend overrides, the per-call context, inbound auth
 * plugins and the session store. Generic: backends plug in through these types only.
 */
import type { GeneratedBackend, JsonSchema, ToolAnnotations, ToolDescriptor } from '../contract/descriptor.js';

/** Who is calling, as established by an inbound auth plugin (OAuth resource server, API key, or none). */
export interface Principal {
  /** Stable id of the caller (`sub` of a token, API key id, or `anonymous`). Logged. */
  id: string;
  /** Scopes granted to the caller. */
  scopes: string[];
  /** Validated token claims (never the raw token). */
  claims: Record<string, unknown>;
  /** OAuth client the token was issued to, when known. */
  clientId?: string;
}

/** Per-session key/value state (e.g. a backend JWT). Lives behind {@link SessionStore}, never in a transport. */
type SessionState = Record<string, unknown>;

/**
 * Storage for per-session state. The in-memory default evicts idle and oldest sessions; a shared store
 * (Redis, …) can implement the same interface so several instances serve one session.
 */
export interface SessionStore {
  get(sessionId: string): Promise<SessionRecord | undefined>;
  set(sessionId: string, record: SessionRecord, ttlMs?: number): Promise<void>;
  delete(sessionId: string): Promise<void>;
}

/** One session: the principal it is bound to and the backend state kept for it. */
export interface SessionRecord {
  principalId: string;
  /**
   * Whose session quota it counts against: the principal id, or for the anonymous principal (no inbound
   * credential: everyone is `anonymous`) the principal and the client address. `principalId` when unset.
   */
  owner?: string;
  backend: string;
  createdAt: number;
  state: SessionState;
}

/** Why a session ended: the client's DELETE, its idle TTL, or eviction to make room for another. */
export type SessionEndReason = 'deleted' | 'expired' | 'evicted';

/** Everything a tool call may depend on besides its arguments. */
export interface CallContext {
  backend: string;
  tool: string;
  /** Id sent upstream as `x-request-id` and logged. */
  requestId: string;
  principal: Principal;
  /** Session id when the transport is stateful (stdio: a fixed per-process id). Never logged. */
  sessionId?: string;
  /** Read and write this session's state; undefined for stateless backends. */
  session?: SessionHandle;
  signal?: AbortSignal;
  /** Asks the user through the MCP client (elicitation); undefined when this client cannot be asked anything. */
  elicit?: Elicitor;
  /**
   * The call's nonce: its confirmation's (the `requestState` nonce claimed for it), else a fresh one. Sent as the
   * operation's idempotency key where the contract declares one, so the backend can deduplicate too.
   */
  idempotencyKey?: string;
}

/**
 * A question for the user, asked through the MCP client (MCP 2025-11-25 and 2026-07-28, Client / Elicitation):
 * a flat form (never for secrets), or a URL the user opens outside the client (for credentials).
 */
export type ElicitRequest =
  | { mode: 'form'; message: string; requestedSchema: Record<string, unknown> }
  | { mode: 'url'; message: string; url: string; elicitationId: string };

/**
 * The user's answer. `pending`: the question travels with this call's answer (2026-07-28 `input_required`, or
 * 2025-11-25 `URLElicitationRequiredError`) and the answer comes with the client's retry: do nothing now.
 */
export type ElicitAnswer = { action: 'accept'; content?: Record<string, unknown> } | { action: 'decline' | 'cancel' | 'pending' };

/** What a tool call may ask of the user; built by the dispatch core per call from the client's capabilities. */
export interface Elicitor {
  /** The client takes form-mode questions. */
  readonly form: boolean;
  /** The client takes URL-mode questions and this transport can serve pages ({@link pageBase} is set). */
  readonly url: boolean;
  /** Where pages registered for this call are served: `<pageBase>/<id>` (an absolute URL, no trailing slash). */
  readonly pageBase?: string;
  /** Asks once per `key` within a call (2026-07-28 retries carry the answers under these keys). */
  ask(key: string, request: ElicitRequest): Promise<ElicitAnswer>;
}

/** Access to the current session's state. */
export interface SessionHandle {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): Promise<void>;
  clear(): Promise<void>;
}

/** A tool result as returned to MCP (`CallToolResult`), kept to the fields we produce. */
export interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

/**
 * A hand-written tool added by a backend's overrides: its metadata, schemas and handler in one module. The runtime
 * validates the arguments against `inputSchema` before `call` (as it does for generated tools: same rules, same
 * wording), so `call` checks only what a schema cannot say.
 */
export interface HandWrittenTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations: ToolAnnotations;
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

/** A backend HTTP response, with its body parsed when it is JSON. */
export interface BackendResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Raw text when the body was not parsed as JSON. */
  text?: string;
  /** The JSON text exactly as received, when the body was parsed as JSON (saves serializing it again). */
  json?: string;
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
export type OutboundAuth = (ctx: CallContext, descriptor: ToolDescriptor, api: BackendApi) => Promise<OutboundAuthResult>;

/** Headers to send, or a tool error (e.g. "not logged in: call `login` first"). */
export type OutboundAuthResult = { headers: Record<string, string> } | { error: string };

/** One small hand-written module per backend: `src/overrides/<backend>.ts`. Every field is optional. */
export interface BackendOverrides {
  /** Per generated tool name. */
  tools?: Record<string, ToolOverride>;
  /** Extra input properties accepted by every tool (e.g. choosing one organisation of several). */
  commonInput?: Record<string, JsonSchema>;
  /** Bindings applied to every tool that has the property. */
  bind?: ToolOverride['bind'];
  /** Hand-written tools added next to the generated ones. */
  extraTools?: HandWrittenTool[];
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

/** A backend ready to serve: generated parts plus overrides. */
export interface BackendModule {
  generated: GeneratedBackend;
  overrides: BackendOverrides;
}

/** A served MCP tool as `tools/list` shows it (MCP 2025-11-25 `Tool`). */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
}

/**
 * The tools of one backend, independent of the MCP SDK and of any transport: `src/core` implements it,
 * `src/transport` serves it. `callTool` never throws for a known tool: failures are `isError` results.
 */
export interface ToolService {
  readonly backend: string;
  /** Whether this backend needs per-session state (stateful Streamable HTTP). */
  readonly stateful: boolean;
  /** Precomputed at start-up; the same array on every call. */
  listTools(): ListedTool[];
  hasTool(name: string): boolean;
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<ToolResult>;
  /** Runs the overrides' `onSessionEnd` for an ended session of this backend; never rejects. */
  endSession?(sessionId: string, record: SessionRecord, reason: SessionEndReason): Promise<void>;
}

/** Result of authenticating one inbound HTTP request. */
export type InboundAuthResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      status: 401 | 403;
      headers: Record<string, string>;
      body: Record<string, unknown>;
      /** The `sub` a rejected token claims, unverified: for the security log only, never trusted. */
      claimedSubject?: string;
    };

/** An inbound credential check for the HTTP transport (OAuth resource server, static API keys). */
export interface InboundAuth {
  /** `authorization` header value (may be undefined) → principal or a 401/403 to send. */
  authenticate(authorization: string | undefined): Promise<InboundAuthResult>;
  /** Scopes a tool needs; checked per call (403 `insufficient_scope` when missing). */
  requiredScopes(toolName: string): string[];
  /** Extra GET routes this plugin serves, e.g. RFC 9728 protected resource metadata. Path → JSON body. */
  wellKnown(): Record<string, Record<string, unknown>>;
  /**
   * The 403 to send when a call lacks scopes (RFC 6750 §3.1 `insufficient_scope`, with the plugin's RFC 9728
   * `resource_metadata`, MCP 2025-11-25 "Runtime Insufficient Scope Errors"). Optional: plugins without scopes
   * never need it.
   */
  insufficientScope?(requiredScopes: string[]): Extract<InboundAuthResult, { ok: false }>;
}
