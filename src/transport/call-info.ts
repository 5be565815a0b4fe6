/**
 * What a transport hands the MCP server with each request so that a tool call gets its {@link CallContext}
 * (MCP 2025-11-25, Basic / Authorization: the server acts on behalf of the authenticated principal).
 *
 * The SDK carries per-message data from a transport to request handlers in `MessageExtraInfo.authInfo`; ours
 * goes in `authInfo.extra`. The raw token never goes there: `authInfo.token` stays empty.
 */
import { randomUUID } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { CallContext, Principal, SessionHandle } from '../contracts.js';

/** Per-request data a transport passes along with a JSON-RPC request. */
export interface TransportCallInfo {
  principal: Principal;
  /** Stateful transports only. Never logged. */
  sessionId?: string;
  session?: SessionHandle;
  /** Correlation id (sent upstream as `x-request-id`); a fresh one is made when absent. */
  requestId?: string;
}

/** The principal of unauthenticated transports (stdio without a configured identity, HTTP without inbound auth). */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  scopes: [],
  claims: {},
}) as Principal;

/** Key under which {@link TransportCallInfo} travels in `authInfo.extra`. */
const CALL_INFO_KEY = 'finmcp.callInfo';

/** Wraps call info into the SDK's `AuthInfo` (no token: the principal is already established). */
export function toAuthInfo(info: TransportCallInfo): AuthInfo {
  return {
    token: '',
    clientId: info.principal.clientId ?? '',
    scopes: info.principal.scopes,
    extra: { [CALL_INFO_KEY]: info },
  };
}

/** Reads call info back from an SDK `AuthInfo`; undefined when the message did not come from our transports. */
export function fromAuthInfo(authInfo: AuthInfo | undefined): TransportCallInfo | undefined {
  const value = authInfo?.extra?.[CALL_INFO_KEY];
  return value === undefined ? undefined : (value as TransportCallInfo);
}

/** Builds the {@link CallContext} of one tool call. */
export function buildCallContext(
  backend: string,
  tool: string,
  info: TransportCallInfo,
  signal: AbortSignal | undefined,
): CallContext {
  const ctx: CallContext = {
    backend,
    tool,
    requestId: info.requestId ?? randomUUID(),
    principal: info.principal,
  };
  if (info.sessionId !== undefined) ctx.sessionId = info.sessionId;
  if (info.session !== undefined) ctx.session = info.session;
  if (signal !== undefined) ctx.signal = signal;
  return ctx;
}
