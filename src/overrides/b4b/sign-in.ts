/**
 * Signing in at the B4B backend and keeping the JWT in the caller's state (the session's, or in 2026-07-28 the
 * principal's: src/state/caller-state.ts): shared by the `login` tool, the stdio sign-in from the environment and
 * the sign-in page of URL-mode elicitation. The credentials are checked against the spec's rules first (the same
 * schema `login` serves), then sent with the typed client (`POST /api/v1/auth/login`). A backend 401 arrives as a
 * ToolCallError carrying LOGIN_FAILED (see onUnauthorized in overrides.ts). No error ever contains the password.
 */
import type { BackendApi } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import type { SessionHandle } from '../../state/session.js';
import { redactSecrets } from '../../core/redact.js';
import { ToolCallError } from '../../core/tool-error.js';
import { compileSchema, validateArgs } from '../../core/validation.js';
import { parseLoginResponse, storeLogin, type StoredB4bLogin } from './session.js';
import { b4bClient, httpProblem } from './client.js';
import { CREDENTIALS } from './schemas.js';

/** Phone and password. */
interface B4bCredentials {
  phone: string;
  password: string;
}

/** A sign-in, or why it failed (never containing the password). */
type SignInResult = { ok: true; login: StoredB4bLogin } | { ok: false; error: string };

/**
 * Problems with a phone and a password, each naming the field and the rule (the wording of tool arguments); the
 * password is never echoed. An empty field is a missing one (an empty input of the sign-in page's form).
 */
async function credentialProblems(credentials: B4bCredentials): Promise<string[]> {
  const given: Record<string, string> = {};
  for (const [field, value] of Object.entries(credentials)) if (value !== '') given[field] = value;
  return validateArgs(await compileSchema(CREDENTIALS), given) ?? [];
}

/** Calls the backend's login and keeps the token in `session`. */
async function signIn(
  credentials: B4bCredentials,
  session: SessionHandle,
  ctx: CallContext,
  api: BackendApi,
  now: number,
): Promise<SignInResult> {
  const problems = await credentialProblems(credentials);
  if (problems.length > 0) return { ok: false, error: problems.join('; ') };
  const client = b4bClient(api, { ...ctx, tool: 'login' });
  const { data, error, response } = await client.POST('/api/v1/auth/login', { body: credentials });
  if (!response.ok)
    return { ok: false, error: redactSecrets(`Login failed: ${httpProblem(response, error)}`, [credentials.password]) };
  const parsed = parseLoginResponse(data, now);
  if (!parsed.ok) return parsed;
  await storeLogin(session, parsed.login);
  return parsed;
}

/** {@link signIn} with every failure (a 401, an unreachable backend) as an error message, prefixed by `context`. */
export async function signInReporting(
  credentials: B4bCredentials,
  session: SessionHandle,
  ctx: CallContext,
  api: BackendApi,
  now: number,
  context = '',
): Promise<SignInResult> {
  try {
    const result = await signIn(credentials, session, ctx, api, now);
    return result.ok ? result : { ok: false, error: `${context}${result.error}` };
  } catch (error) {
    const reason = error instanceof ToolCallError ? error.message : 'the B4B API could not be reached';
    return { ok: false, error: redactSecrets(`${context}${reason}`, [credentials.password]) };
  }
}
