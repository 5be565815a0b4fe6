/**
 * Signing in at the B4B backend and keeping the JWT in the caller's state (the session's, or in 2026-07-28 the
 * principal's: src/state/caller-state.ts): shared by the `login` tool, the stdio sign-in from the environment and
 * the sign-in page of URL-mode elicitation. A backend 401 arrives as a ToolCallError carrying LOGIN_FAILED (see
 * onUnauthorized in b4b.ts). No error ever contains the password.
 */
import type { BackendApi, CallContext, SessionHandle } from '../../contracts.js';
import { describeHttpError } from '../../core/http-problem.js';
import { ToolCallError } from '../../core/tool-error.js';
import { parseLoginResponse, storeLogin, type StoredB4bLogin } from '../b4b-session.js';
import { scrub } from './results.js';

/** Phone and password. */
interface B4bCredentials {
  phone: string;
  password: string;
}

/** E.164: `+`, a country code not starting with 0, 8 to 15 digits in all (as the B4B spec's LoginRequest). */
export const E164 = /^\+[1-9][0-9]{7,14}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Problems with a phone and a password, each naming the field and the rule; the password is never echoed. */
export function credentialProblems(phone: unknown, password: unknown): string[] {
  const problems: string[] = [];
  if (phone === undefined || phone === '') problems.push('phone: is required');
  else if (typeof phone !== 'string') problems.push('phone: must be string');
  else if (!E164.test(phone)) {
    problems.push('phone: must be an E.164 phone number: + and the country code, then 8 to 15 digits in all (e.g. +84909495665)');
  }
  if (password === undefined || password === '') problems.push('password: is required');
  else if (typeof password !== 'string') problems.push('password: must be string');
  else if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    problems.push(`password: must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  return problems;
}

/** Calls the backend's login and keeps the token in `session`. */
async function signIn(
  credentials: B4bCredentials,
  session: SessionHandle,
  ctx: CallContext,
  api: BackendApi,
  now: number,
): Promise<{ ok: true; login: StoredB4bLogin } | { ok: false; error: string }> {
  const res = await api.callOperation('login', { phone: credentials.phone, password: credentials.password }, { ...ctx, tool: 'login' });
  if (res.status < 200 || res.status > 299) {
    return { ok: false, error: scrub(`Login failed: ${describeHttpError(res)}`, credentials.password) };
  }
  const parsed = parseLoginResponse(res.body, now);
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
): Promise<{ ok: true; login: StoredB4bLogin } | { ok: false; error: string }> {
  try {
    const result = await signIn(credentials, session, ctx, api, now);
    return result.ok ? result : { ok: false, error: `${context}${result.error}` };
  } catch (error) {
    const reason = error instanceof ToolCallError ? error.message : 'the B4B API could not be reached';
    return { ok: false, error: scrub(`${context}${reason}`, credentials.password) };
  }
}
