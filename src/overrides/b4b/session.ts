/**
 * The B4B backend JWT kept in the MCP session (MCP 2025-11-25, Basic / Transports, "Session Management":
 * per-session state lives server-side, keyed by the session). The token is a bearer credential
 * (RFC 6750 §2.1) obtained by the `login` tool; the backend issues no refresh token, so an expired token
 * (by `expires_in` / `expires_at`, or the JWT `exp` claim of RFC 7519 §4.1.4) simply ends the session.
 * The token never leaves this module except as an `Authorization` header value.
 */
import { decodeJwt } from 'jose/jwt/decode';
import type { SessionHandle } from '../../state/session.js';
import { isObject } from '../../../contract/json.js';

/** Session-state key of the stored login. */
export const B4B_AUTH_KEY = 'b4b.auth';

/** Tool error before `login`. */
export const NOT_LOGGED_IN = 'Not logged in: call the `login` tool with your phone and password first.';

/** Tool error once the backend token expired or the backend refused it. */
export const SESSION_EXPIRED = 'Session expired: call `login` again.';

/** Tool error when a B4B tool is called outside a session (a stateless transport). */
export const NO_SESSION =
  'This B4B server needs an MCP session to keep your login: connect with a stateful transport (stdio or Streamable HTTP with sessions).';

/** A token is treated as expired this long before its expiry, so it does not lapse mid-request. */
export const EXPIRY_LEEWAY_MS = 10_000;

/** What the session keeps after a successful login. */
export interface StoredB4bLogin {
  accessToken: string;
  /** Epoch milliseconds; undefined when the backend said nothing about expiry (then only a 401 ends it). */
  expiresAt?: number;
  /** Account e-mail, for messages. */
  email?: string;
}

/** A login response reduced to what we keep, or why it could not be used. */
export type LoginParseResult = { ok: true; login: StoredB4bLogin } | { ok: false; error: string };

/** The session's token, or the tool error to return instead. */
export type SessionTokenResult = { ok: true; login: StoredB4bLogin } | { ok: false; error: string };

/**
 * Extracts the token, its expiry and the account e-mail from the backend's login response.
 * Accepts `access_token` (OAuth-style) or `token`; e-mail at `email` or `user.email`.
 */
export function parseLoginResponse(body: unknown, now: number): LoginParseResult {
  if (!isObject(body)) return { ok: false, error: 'Login failed: the B4B API returned an unexpected response.' };
  const token = firstString(body.access_token, body.token, body.accessToken);
  if (token === undefined) {
    return { ok: false, error: 'Login failed: the B4B API response holds no access token.' };
  }
  const user = isObject(body.user) ? body.user : undefined;
  const email = firstString(body.email, user?.email);
  const expiresAt = expiryOf(body, token, now);
  return {
    ok: true,
    login: {
      accessToken: token,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(email === undefined ? {} : { email }),
    },
  };
}

/**
 * Expiry in epoch ms: `expires_in` first (seconds from now, RFC 6749 §5.1: relative, so immune to clock skew
 * between us and the backend), else `expires_at` (RFC 3339 string, or epoch seconds/ms number), else the JWT's
 * `exp` claim (read, not verified: it only decides when we stop sending the token — the backend remains the
 * judge of its validity).
 */
function expiryOf(body: Record<string, unknown>, token: string, now: number): number | undefined {
  const inRaw = body.expires_in ?? body.expiresIn;
  const inSeconds = typeof inRaw === 'string' && inRaw.trim() !== '' ? Number(inRaw) : inRaw;
  if (typeof inSeconds === 'number' && Number.isFinite(inSeconds) && inSeconds >= 0) return now + inSeconds * 1000;
  const at = body.expires_at ?? body.expiresAt;
  if (typeof at === 'string' && at.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(at.trim())) return epochToMs(Number(at));
    const parsed = Date.parse(at);
    if (Number.isFinite(parsed)) return parsed;
  }
  if (typeof at === 'number' && Number.isFinite(at) && at > 0) return epochToMs(at);
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
  } catch {
    // Not a JWT (opaque token): expiry unknown, the backend's 401 will tell.
  }
  return undefined;
}

/** Whether a stored login is past its expiry (with {@link EXPIRY_LEEWAY_MS}). */
export function isExpired(login: StoredB4bLogin, now: number): boolean {
  return login.expiresAt !== undefined && now >= login.expiresAt - EXPIRY_LEEWAY_MS;
}

/** Reads the stored login from a session, tolerating anything malformed as "not logged in". */
export function readLogin(session: SessionHandle): StoredB4bLogin | undefined {
  const value = session.get<unknown>(B4B_AUTH_KEY);
  if (!isObject(value) || typeof value.accessToken !== 'string' || value.accessToken === '') return undefined;
  const expiresAt = typeof value.expiresAt === 'number' ? value.expiresAt : undefined;
  const email = typeof value.email === 'string' ? value.email : undefined;
  return {
    accessToken: value.accessToken,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(email === undefined ? {} : { email }),
  };
}

/** Stores a login in the session (replacing any previous one). */
export async function storeLogin(session: SessionHandle, login: StoredB4bLogin): Promise<void> {
  await session.set(B4B_AUTH_KEY, { ...login });
}

/** Forgets the stored login (the rest of the session state is left alone). */
export async function forgetLogin(session: SessionHandle): Promise<void> {
  await session.set(B4B_AUTH_KEY, undefined);
}

/**
 * The token to send for this session: not logged in, expired (forgotten on the spot), or usable.
 */
export async function sessionToken(session: SessionHandle | undefined, now: number): Promise<SessionTokenResult> {
  if (session === undefined) return { ok: false, error: NO_SESSION };
  const login = readLogin(session);
  if (login === undefined) return { ok: false, error: NOT_LOGGED_IN };
  if (isExpired(login, now)) {
    await forgetLogin(session);
    return { ok: false, error: SESSION_EXPIRED };
  }
  return { ok: true, login };
}

/** Epoch seconds or milliseconds → milliseconds (values below 10^11 are seconds: before year 5138). */
function epochToMs(value: number): number {
  return value < 1e11 ? value * 1000 : value;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}
