/**
 * B4B's `logout` against Prism: before login it says there is nothing to end; after login it revokes the backend
 * token and forgets it, so the next call asks for login again.
 */
import { describe, expect, it } from 'vitest';
import { B4B_AUTH_KEY, NOT_LOGGED_IN } from '../../../src/overrides/b4b/session.js';
import { SANDBOX_LOGIN, text, useServedB4b } from './served.js';

const b4b = useServedB4b();

describe('logout', () => {
  it('before login: succeeds saying nobody was logged in', async () => {
    const result = await b4b.call('logout');
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ success: true });
  });

  it('after login: ends the login at the backend and here; the next call asks for login', async () => {
    await b4b.call('login', { ...SANDBOX_LOGIN });
    expect(b4b.session.get(B4B_AUTH_KEY)).toBeDefined();
    const result = await b4b.call('logout');
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ success: true, message: expect.any(String) });
    expect(b4b.session.get(B4B_AUTH_KEY)).toBeUndefined();
    expect(text(await b4b.call('list_entities'))).toBe(NOT_LOGGED_IN);
  });
});
