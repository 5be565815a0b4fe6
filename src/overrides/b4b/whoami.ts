/**
 * The `whoami` tool (hand-written; served under the reference name `whoami`): the user the caller is signed in as,
 * as the B4B API knows it. Answers "not logged in" / "expired" without a backend round trip.
 */
import type { BackendApi, BackendResponse, HandWrittenTool } from '../../contracts.js';
import { describeHttpError } from '../../core/http-problem.js';
import { sessionToken } from '../b4b-session.js';
import { failure, isRecord, success, unknownProperties } from './results.js';
import { NO_INPUT, USER_SCHEMA } from './schemas.js';

/** Internal name; served as `whoami` (see b4b.ts). */
export const WHOAMI_TOOL = 'b4b_session_whoami';

/** `whoami()`: the current user, from the backend. */
export function whoamiTool(now: () => number): HandWrittenTool {
  return {
    name: WHOAMI_TOOL,
    title: 'Current B4B user',
    description:
      'Returns the user this session is logged in as (id, email, phone, full name, role), as the B4B API ' +
      'knows it. Use it to check that the session is still logged in and as whom. Takes no input.',
    inputSchema: NO_INPUT,
    outputSchema: { type: 'object', properties: { user: USER_SCHEMA }, required: ['user'] },
    annotations: {
      title: 'Current B4B user',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    validate: (args) => unknownProperties(args, []),
    call: async (_args, ctx, api: BackendApi) => {
      // Answer "not logged in" / "expired" without a backend round trip (outboundAuth would say the same).
      const token = await sessionToken(ctx.session, now());
      if (!token.ok) return failure(token.error);
      const res: BackendResponse = await api.callOperation('whoami', {}, ctx);
      if (res.status < 200 || res.status > 299) return failure(describeHttpError(res));
      const body = res.body;
      if (!isRecord(body)) return failure('The B4B API returned an unexpected response for the current user.');
      return success(isRecord(body['user']) ? { user: body['user'] } : { user: body });
    },
  };
}
