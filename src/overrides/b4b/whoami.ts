/**
 * The `whoami` tool (hand-written; served under the reference name `whoami`): the user the caller is signed in as,
 * as the B4B API knows it (`GET /api/v1/auth/me`). Answers "not logged in" / "expired" without a backend round trip.
 */
import type { BackendApi, HandWrittenTool } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import type { ToolResult } from '../../core/tool-service-api.js';
import { errorResult } from '../../core/tool-error.js';
import { sessionToken } from './session.js';
import { b4bClient, httpProblem } from './client.js';
import { success } from './results.js';
import { isObject } from '../../../contract/json.js';
import { WHOAMI_LISTING } from './schemas.js';

/** `whoami()`: the current user, from the backend. */
async function handler(ctx: CallContext, api: BackendApi, now: () => number): Promise<ToolResult> {
  // Answer "not logged in" / "expired" without a backend round trip (outboundAuth would say the same).
  const token = await sessionToken(ctx.session, now());
  if (!token.ok) return errorResult(token.error);
  const { data, error, response } = await b4bClient(api, ctx).GET('/api/v1/auth/me');
  if (!response.ok) return errorResult(httpProblem(response, error));
  if (!isObject(data)) return errorResult('The B4B API returned an unexpected response for the current user.');
  const user: unknown = data['user'];
  return success(isObject(user) ? { user } : { user: data });
}

export function whoamiTool(now: () => number): HandWrittenTool {
  return { ...WHOAMI_LISTING, call: (_args, ctx, api) => handler(ctx, api, now) };
}
