/**
 * What an inbound auth plugin (OAuth resource server, static API keys, or none) establishes about a caller, and
 * the interface the HTTP transport calls it through. Generic: the plugins in this folder implement it.
 */

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
  /**
   * `authorization` header value (may be undefined) → principal or a 401/403 to send. `host` is the request's
   * `Host`, already checked against the allowed hosts (a resource may be named by the host the client used).
   * A plugin may answer without a promise when it knows at once (e.g. a token it verified before).
   */
  authenticate(authorization: string | undefined, host?: string): InboundAuthResult | Promise<InboundAuthResult>;
  /** Scopes a tool needs; checked per call (403 `insufficient_scope` when missing). */
  requiredScopes(toolName: string): string[];
  /** Extra GET routes this plugin serves, e.g. RFC 9728 protected resource metadata. Path → JSON body. */
  wellKnown(host?: string): Record<string, Record<string, unknown>>;
  /**
   * The 403 to send when a call lacks scopes (RFC 6750 §3.1 `insufficient_scope`, with the plugin's RFC 9728
   * `resource_metadata`, MCP 2025-11-25 "Runtime Insufficient Scope Errors"). Optional: plugins without scopes
   * never need it.
   */
  insufficientScope?(requiredScopes: string[], host?: string): Extract<InboundAuthResult, { ok: false }>;
}
