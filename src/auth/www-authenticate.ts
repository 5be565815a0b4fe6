/**
 * `WWW-Authenticate: Bearer …` challenges for a protected MCP endpoint.
 *
 * - RFC 6750 §3 (Bearer challenges, `error`, `error_description`, `scope`) and §3.1 (error codes).
 * - RFC 9728 §5.1 (`resource_metadata` parameter pointing at the Protected Resource Metadata document).
 * - MCP authorization spec 2025-11-25, "Protected Resource Metadata Discovery Requirements" and
 *   "Scope Challenge Handling" (401 carries `resource_metadata` and `scope`; 403 `insufficient_scope`).
 */
import { protectedResourceMetadataUrl } from './protected-resource-metadata.js';

/** RFC 6750 §3.1 error codes. */
type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** Parameters of one Bearer challenge. */
export interface BearerChallenge {
  /** URL of the RFC 9728 metadata document (omitted from the header when undefined, e.g. API keys). */
  resourceMetadataUrl?: string;
  /** Scopes needed for the request; omitted when empty. */
  scopes?: string[];
  error?: BearerErrorCode;
  /** Human-readable; reduced to the characters RFC 6750 §3 allows. Must never contain a token. */
  errorDescription?: string;
  realm?: string;
}

/** RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no `"` nor `\`). */
function sanitizeDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '').slice(0, 200);
}

/** Scope tokens are NQCHAR without space (RFC 6749 §3.3); anything else is dropped rather than escaped. */
function sanitizeScope(scope: string): string {
  return scope.replace(/[^\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/** A URL or realm inside a quoted-string (RFC 9110 §5.6.4): escape backslash and quote. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Builds the value of a `WWW-Authenticate` header for the Bearer scheme. */
export function bearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quote(challenge.realm)}`);
  if (challenge.error !== undefined) params.push(`error="${challenge.error}"`);
  if (challenge.errorDescription !== undefined) {
    params.push(`error_description="${sanitizeDescription(challenge.errorDescription)}"`);
  }
  const scopes = (challenge.scopes ?? []).map(sanitizeScope).filter((s) => s.length > 0);
  if (scopes.length > 0) params.push(`scope="${scopes.join(' ')}"`);
  if (challenge.resourceMetadataUrl !== undefined) {
    params.push(`resource_metadata=${quote(challenge.resourceMetadataUrl)}`);
  }
  return params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * The 403 challenge for a call whose token lacks scopes (RFC 6750 §3.1 `insufficient_scope`; MCP 2025-11-25
 * "Runtime Insufficient Scope Errors"). `resource` is the MCP endpoint URL the resource server was created with;
 * `scopes` are the scopes the request needs (the transport passes `requiredScopes(tool)`).
 */
export function insufficientScopeHeader(resource: string, scopes: string[]): string {
  return bearerChallenge({
    error: 'insufficient_scope',
    scopes,
    resourceMetadataUrl: protectedResourceMetadataUrl(resource),
    errorDescription: 'the access token does not carry the scopes this request needs',
  });
}
