/**
 * The `login` tool (hand-written; served under the reference name `login`). Two ways in:
 * - with `phone` and `password` as arguments (every client; the password then passes through the model), or
 * - without a password, when the client takes URL-mode elicitation and the transport serves pages (MCP
 *   2026-07-28, Client / Elicitation: credentials MUST go through URL mode): the user gets a one-time link to
 *   finmcp's sign-in page (sign-in-page.ts) and types the password there; the model never sees it. In 2026-07-28
 *   the call ends `input_required` and the client's retry finds the caller signed in; in 2025-11-25 it ends with
 *   `URLElicitationRequiredError` and the next call is signed in.
 */
import { randomUUID } from 'node:crypto';
import type { BackendApi, HandWrittenTool } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import type { SessionHandle } from '../../state/session.js';
import type { ToolResult } from '../../core/tool-service-api.js';
import { errorResult } from '../../core/tool-error.js';
import { NO_SESSION, sessionToken, type StoredB4bLogin } from './session.js';
import { success } from './results.js';
import { LOGIN_LISTING } from './schemas.js';
import { signInReporting } from './sign-in.js';
import { SIGN_IN_PAGE } from './sign-in-page.js';

/** Settings of the tool. */
interface LoginToolOptions {
  now: () => number;
  /** E.g. "Finizi B4B at https://api.b4b.example", for the sign-in page. */
  backendLabel: string;
}

/** `login({ phone?, password? })`: arguments already validated against its `inputSchema`. */
async function handler(
  args: Record<string, unknown>,
  ctx: CallContext,
  api: BackendApi,
  options: LoginToolOptions,
): Promise<ToolResult> {
  const session = ctx.session;
  if (session === undefined) return errorResult(NO_SESSION);
  const phone = args['phone'] as string | undefined;
  const password = args['password'] as string | undefined;
  if (phone !== undefined && password !== undefined) {
    const signedIn = await signInReporting({ phone, password }, session, ctx, api, options.now());
    return signedIn.ok ? loggedIn(signedIn.login, 'Successfully logged in') : errorResult(signedIn.error);
  }
  return signInThroughPage(phone, session, ctx, options);
}

export function loginTool(options: LoginToolOptions): HandWrittenTool {
  return { ...LOGIN_LISTING, call: (args, ctx, api) => handler(args, ctx, api, options) };
}

/** `login` without a password: through the sign-in page, or why that is not possible with this client. */
async function signInThroughPage(
  phone: string | undefined,
  session: SessionHandle,
  ctx: CallContext,
  options: LoginToolOptions,
): Promise<ToolResult> {
  const elicit = ctx.elicit;
  if (elicit === undefined || !elicit.url) {
    return errorResult(
      'password: is required: this MCP client cannot open a sign-in page (it declared no URL-mode elicitation). Ask the ' +
        'user for the phone number and password and call `login` with both.',
    );
  }
  // Signed in already (on the 2026-07-28 retry: by the page just completed).
  const current = await sessionToken(session, options.now());
  if (current.ok) return loggedIn(current.login, 'Logged in');
  // The page (in the state store, served by any instance) calls `login` with phone and password as this caller.
  const url = await elicit.openPage(SIGN_IN_PAGE, phone === undefined ? {} : { phone });
  const answer = await elicit.ask('sign_in', {
    mode: 'url',
    message: `Sign in to ${options.backendLabel} on finmcp's sign-in page: the password goes to the server directly, never through this conversation.`,
    url,
    elicitationId: randomUUID(),
  });
  switch (answer.action) {
    case 'pending':
      return errorResult('Waiting for the user to sign in on the page.');
    case 'accept':
      return errorResult(
        'Not logged in yet: the sign-in page was not completed. Call `login` again once the user has signed in there.',
      );
    case 'decline':
      return errorResult('Not logged in: the user declined to open the sign-in page.');
    default:
      return errorResult('Not logged in: the sign-in page was dismissed. Call `login` again to get a new link.');
  }
}

function loggedIn(login: StoredB4bLogin, text: string): ToolResult {
  const email = login.email;
  return success({
    success: true,
    message: email === undefined ? text : `${text} as ${email}`,
    ...(email === undefined ? {} : { email }),
    ...(login.expiresAt === undefined ? {} : { expires_at: new Date(login.expiresAt).toISOString() }),
  });
}
