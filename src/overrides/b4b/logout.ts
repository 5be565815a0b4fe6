/**
 * The `logout` tool (hand-written; served under the reference name `logout`): asks the B4B API to revoke the
 * caller's token, then forgets it locally whatever the API answered (MCP 2025-11-25, Server / Tools: failures as
 * results). Only the login is forgotten: the rest of the caller's state (the client capabilities of a legacy
 * session) stays.
 */
import type { HandWrittenTool } from '../../contracts.js';
import { describeHttpError } from '../../core/http-problem.js';
import { ToolCallError } from '../../core/tool-error.js';
import { NO_SESSION, forgetLogin, isExpired, readLogin } from '../b4b-session.js';
import { failure, success, unknownProperties } from './results.js';
import { NO_INPUT } from './schemas.js';

/** Internal name; served as `logout` (see b4b.ts). */
export const LOGOUT_TOOL = 'b4b_session_logout';

/** `logout()`: revokes at the backend, and always forgets locally. */
export function logoutTool(now: () => number): HandWrittenTool {
  return {
    name: LOGOUT_TOOL,
    title: 'Log out of Finizi B4B',
    description:
      'Logs out of Finizi B4B: asks the B4B API to revoke this session\'s access token, then forgets it. ' +
      'The session is logged out even when the B4B API cannot be reached (the result says so). After it, ' +
      'B4B tools ask you to log in again. Takes no input.',
    inputSchema: NO_INPUT,
    outputSchema: {
      type: 'object',
      properties: {
        success: { type: 'boolean', description: 'true: this session is logged out.' },
        message: { type: 'string', description: 'What happened.' },
        backend_revoked: { type: 'boolean', description: 'Whether the B4B API confirmed the token was revoked.' },
      },
      required: ['success', 'message', 'backend_revoked'],
    },
    // Not destructive: it removes only this session's credential, which `login` restores; no B4B data changes.
    annotations: {
      title: 'Log out of Finizi B4B',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    validate: (args) => unknownProperties(args, []),
    call: async (_args, ctx, api) => {
      const session = ctx.session;
      if (session === undefined) return failure(NO_SESSION);
      const login = readLogin(session);
      if (login === undefined) {
        await forgetLogin(session);
        return success({ success: true, message: 'You were not logged in; nothing to do.', backend_revoked: false });
      }
      if (isExpired(login, now())) {
        await forgetLogin(session);
        return success({
          success: true,
          message: 'Logged out. The login had already expired, so the B4B API was not called.',
          backend_revoked: false,
        });
      }
      let outcome: { revoked: true } | { revoked: false; why: string };
      try {
        const res = await api.callOperation('logout', {}, ctx);
        outcome = res.status >= 200 && res.status <= 299 ? { revoked: true } : { revoked: false, why: describeHttpError(res) };
      } catch (err) {
        // A 401 (token already invalid) or an unreachable backend: the local logout still happens.
        outcome = { revoked: false, why: err instanceof ToolCallError ? err.message : 'the B4B API could not be reached' };
      }
      await forgetLogin(session);
      if (outcome.revoked) {
        return success({ success: true, message: 'Successfully logged out', backend_revoked: true });
      }
      return success({
        success: true,
        message:
          `Logged out of this session, but the B4B API did not confirm revoking the token (${outcome.why}). ` +
          'The token was forgotten here and stops working when it expires.',
        backend_revoked: false,
      });
    },
  };
}
