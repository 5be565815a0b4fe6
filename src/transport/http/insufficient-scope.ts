/**
 * The per-call scope check of the HTTP transport (MCP 2025-11-25, Authorization, "Runtime Insufficient Scope
 * Errors"; RFC 6750 §3.1 `insufficient_scope`): a `tools/call` whose tool needs scopes the principal lacks is
 * answered 403 with the plugin's challenge.
 */
import type { InboundAuth, Principal } from '../../auth/inbound-auth.js';
import type { InboundRequest } from '../../protocol/messages.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { HttpAnswer } from './exchange.js';
import { rpcError } from './replies.js';

/** 403 `insufficient_scope` for a tool the principal lacks scopes for (MCP 2025-11-25, runtime insufficient scope). */
export function insufficientScope(
  inboundAuth: InboundAuth | undefined,
  principal: Principal,
  request: InboundRequest,
  host?: string,
): HttpAnswer | undefined {
  const name = request.params?.name;
  if (request.method !== 'tools/call' || inboundAuth === undefined || typeof name !== 'string') return undefined;
  const required = inboundAuth.requiredScopes(name);
  if (required.length === 0 || required.every((s) => principal.scopes.includes(s))) return undefined;
  // The plugin's own challenge carries resource_metadata too.
  const challenge =
    inboundAuth.insufficientScope?.(required, host).headers['www-authenticate'] ??
    `Bearer error="insufficient_scope", scope="${required.join(' ')}"`;
  return rpcError(403, request.id, ErrorCode.ServerError, 'Forbidden: insufficient scope', {
    'www-authenticate': challenge,
  });
}
