/**
 * The `logout` tool (hand-written; served under the reference name `logout`): asks the B4B API to revoke the
 * caller's token (`POST /api/v1/auth/logout`), then forgets it locally whatever the API answered (MCP 2025-11-25,
 * Server / Tools: failures as results). Only the login is forgotten: the rest of the caller's state (the client
 * capabilities of a legacy session) stays. The revocation also serves sessions that end without `logout`.
 */
import type { BackendApi, HandWrittenTool } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import type { ToolResult } from '../../core/tool-service-api.js';
import { ToolCallError, errorResult } from '../../core/tool-error.js';
import { NO_SESSION, forgetLogin, isExpired, readLogin } from './session.js';
import { b4bClient, httpProblem } from './client.js';
import { success } from './results.js';
import { LOGOUT_LISTING } from './schemas.js';

/** Whether the B4B API revoked the session's token, or why not (a 401: already invalid; unreachable). */
export async function revokeToken(
  api: BackendApi,
  ctx: CallContext,
): Promise<{ revoked: true } | { revoked: false; why: string }> {
  try {
    const { error, response } = await b4bClient(api, ctx).POST('/api/v1/auth/logout');
    return response.ok ? { revoked: true } : { revoked: false, why: httpProblem(response, error) };
  } catch (err) {
    return { revoked: false, why: err instanceof ToolCallError ? err.message : 'the B4B API could not be reached' };
  }
}

/** `logout()`: revokes at the backend, and always forgets locally. */
async function handler(ctx: CallContext, api: BackendApi, now: () => number): Promise<ToolResult> {
  const session = ctx.session;
  if (session === undefined) return errorResult(NO_SESSION);
  const login = readLogin(session);
  if (login === undefined || isExpired(login, now())) {
    await forgetLogin(session);
    const message =
      login === undefined
        ? 'You were not logged in; nothing to do.'
        : 'Logged out. The login had already expired, so the B4B API was not called.';
    return success({ success: true, message, backend_revoked: false });
  }
  const outcome = await revokeToken(api, ctx);
  await forgetLogin(session);
  if (outcome.revoked) return success({ success: true, message: 'Successfully logged out', backend_revoked: true });
  return success({
    success: true,
    message:
      `Logged out of this session, but the B4B API did not confirm revoking the token (${outcome.why}). ` +
      'The token was forgotten here and stops working when it expires.',
    backend_revoked: false,
  });
}

export function logoutTool(now: () => number): HandWrittenTool {
  return { ...LOGOUT_LISTING, call: (_args, ctx, api) => handler(ctx, api, now) };
}
