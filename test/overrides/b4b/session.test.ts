import { afterEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { SessionHandle, SessionRecord } from '../../../src/state/session.js';
import { MemorySessionStore, createSessionHandle } from '../../../src/state/session-store.js';
import {
  B4B_AUTH_KEY,
  EXPIRY_LEEWAY_MS,
  NOT_LOGGED_IN,
  NO_SESSION,
  SESSION_EXPIRED,
  forgetLogin,
  parseLoginResponse,
  sessionToken,
  storeLogin,
} from '../../../src/overrides/b4b/session.js';

const NOW = Date.parse('2025-01-15T10:00:00Z');

async function jwtExpiringAt(expSeconds: number): Promise<string> {
  return new SignJWT({ sub: 'u1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode('test-secret-test-secret-test-secret'));
}

describe('parseLoginResponse', () => {
  const cases: Array<{
    given: string;
    body: unknown;
    want: { accessToken?: string; expiresAt?: number | undefined; email?: string; error?: string };
  }> = [
    {
      given: 'access_token with expires_in and user.email',
      body: { access_token: 'tok-1', token_type: 'bearer', expires_in: 3600, user: { email: 'a@example.com' } },
      want: { accessToken: 'tok-1', expiresAt: NOW + 3_600_000, email: 'a@example.com' },
    },
    {
      given: 'token with an RFC 3339 expires_at and top-level email',
      body: { token: 'tok-2', expires_at: '2025-01-15T11:30:00Z', email: 'b@example.com' },
      want: { accessToken: 'tok-2', expiresAt: Date.parse('2025-01-15T11:30:00Z'), email: 'b@example.com' },
    },
    {
      given: 'both expires_in and a stale expires_at (backend clock skew): expires_in wins',
      body: { access_token: 'tok-4', expires_in: 60, expires_at: '2024-06-25T09:00:00Z' },
      want: { accessToken: 'tok-4', expiresAt: NOW + 60_000 },
    },
    {
      given: 'expires_in as a numeric string',
      body: { access_token: 'tok-5', expires_in: '120' },
      want: { expiresAt: NOW + 120_000 },
    },
    {
      given: 'expires_at in epoch seconds',
      body: { access_token: 'tok-3', expires_at: 1736942400 },
      want: { accessToken: 'tok-3', expiresAt: 1736942400_000 },
    },
    {
      given: 'no expiry fields: the JWT exp claim is used',
      body: async () => ({ access_token: await jwtExpiringAt(1736942500) }),
      want: { expiresAt: 1736942500_000 },
    },
    {
      given: 'an opaque token and no expiry: unknown expiry',
      body: { access_token: 'opaque' },
      want: { accessToken: 'opaque', expiresAt: undefined },
    },
    { given: 'no token', body: { user: { email: 'x@example.com' } }, want: { error: 'no access token' } },
    { given: 'not an object', body: 'oops', want: { error: 'unexpected response' } },
  ];
  it.each(cases)('$given', async ({ body, want }) => {
    const got = parseLoginResponse(typeof body === 'function' ? await (body as () => Promise<unknown>)() : body, NOW);
    if (want.error !== undefined) {
      expect(got.ok).toBe(false);
      if (!got.ok) expect(got.error).toContain(want.error);
      return;
    }
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    if (want.accessToken !== undefined) expect(got.login.accessToken).toBe(want.accessToken);
    if ('expiresAt' in want) expect(got.login.expiresAt).toBe(want.expiresAt);
    if (want.email !== undefined) expect(got.login.email).toBe(want.email);
  });
});

describe('sessionToken', () => {
  const stores: MemorySessionStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  function freshSession(): SessionHandle {
    const store = new MemorySessionStore();
    stores.push(store);
    const record: SessionRecord = { principalId: 'p', backend: 'b4b', createdAt: NOW, state: {} };
    return createSessionHandle(store, 's1', record);
  }

  const cases: Array<{
    given: string;
    stored?: { accessToken: string; expiresAt?: number };
    noSession?: boolean;
    want: { token?: string; error?: string; forgotten?: boolean };
  }> = [
    { given: 'no session at all', noSession: true, want: { error: NO_SESSION } },
    { given: 'nothing stored', want: { error: NOT_LOGGED_IN } },
    { given: 'a token without expiry', stored: { accessToken: 't' }, want: { token: 't' } },
    {
      given: 'a token valid for an hour',
      stored: { accessToken: 't', expiresAt: NOW + 3_600_000 },
      want: { token: 't' },
    },
    {
      given: 'a token inside the expiry leeway',
      stored: { accessToken: 't', expiresAt: NOW + EXPIRY_LEEWAY_MS - 1 },
      want: { error: SESSION_EXPIRED, forgotten: true },
    },
    {
      given: 'an expired token',
      stored: { accessToken: 't', expiresAt: NOW - 1 },
      want: { error: SESSION_EXPIRED, forgotten: true },
    },
  ];
  it.each(cases)('$given', async ({ stored, noSession, want }) => {
    const session = noSession === true ? undefined : freshSession();
    if (session !== undefined && stored !== undefined) await storeLogin(session, stored);
    const got = await sessionToken(session, NOW);
    if (want.token !== undefined) {
      expect(got).toEqual({ ok: true, login: expect.objectContaining({ accessToken: want.token }) });
    } else {
      expect(got).toEqual({ ok: false, error: want.error });
    }
    if (want.forgotten === true) {
      expect(session?.get(B4B_AUTH_KEY)).toBeUndefined();
      // A second call now reports "not logged in" rather than "expired".
      expect(await sessionToken(session, NOW)).toEqual({ ok: false, error: NOT_LOGGED_IN });
    }
  });

  it('forgetLogin removes only the login', async () => {
    const session = freshSession();
    await session.set('other', 1);
    await storeLogin(session, { accessToken: 't' });
    await forgetLogin(session);
    expect(session.get(B4B_AUTH_KEY)).toBeUndefined();
    expect(session.get('other')).toBe(1);
  });
});
