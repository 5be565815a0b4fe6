/** B4B's `whoami` against Prism: before login it says to log in; after, it returns the signed-in user. */
import { describe, expect, it } from 'vitest';
import { NOT_LOGGED_IN } from '../../../src/overrides/b4b/session.js';
import { SANDBOX_LOGIN, text, useServedB4b } from './served.js';

const b4b = useServedB4b();

describe('whoami', () => {
  it('before login: says to log in, sending nothing', async () => {
    const result = await b4b.call('whoami');
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(NOT_LOGGED_IN);
  });

  it('after login: the user the backend says is signed in, as its output schema has it', async () => {
    await b4b.call('login', { ...SANDBOX_LOGIN });
    const result = await b4b.call('whoami');
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ user: { id: expect.any(String), email: expect.any(String) } });
    expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
  });

  it('takes no arguments', async () => {
    const result = await b4b.call('whoami', { user: 'someone-else' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/user/);
  });
});
