/**
 * B4B's `login` tool against Prism: phone and password sign in (the token kept in the session, never shown); bad
 * credentials are refused naming the field, never echoing the password; without a password the user signs in on a
 * page (URL-mode elicitation), and each answer the client can give is said plainly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ElicitAnswer, Elicitor } from '../../../src/core/call-context.js';
import { B4B_AUTH_KEY } from '../../../src/overrides/b4b/session.js';
import { SANDBOX_LOGIN, text, useServedB4b } from './served.js';

const b4b = useServedB4b();
beforeEach(async () => {
  await b4b.reset();
});

describe('login with phone and password', () => {
  it('signs in: the email and expiry shown, the token kept in the session only', async () => {
    const result = await b4b.call('login', { ...SANDBOX_LOGIN });
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ success: true, email: expect.any(String) });
    expect(text(result)).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    const stored = b4b.session.get(B4B_AUTH_KEY) as { accessToken?: string } | undefined;
    expect(stored?.accessToken).toEqual(expect.any(String));
    expect(text(result)).not.toContain(stored!.accessToken!);
  });

  const refused: Array<{ name: string; args: Record<string, unknown>; problem: RegExp }> = [
    {
      name: 'a phone that is not E.164',
      args: { phone: '0909495665', password: 'SecurePassword123@' },
      problem: /phone.*pattern/,
    },
    { name: 'a short password', args: { phone: '+84909495665', password: 'short' }, problem: /password.*at least 8/ },
    { name: 'a password without its phone', args: { password: 'SecurePassword123@' }, problem: /phone/ },
    { name: 'an unknown field', args: { ...SANDBOX_LOGIN, otp: '123456' }, problem: /otp/ },
  ];
  it.each(refused)('refuses $name, naming the field, never echoing the password', async ({ args, problem }) => {
    const result = await b4b.call('login', args);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(problem);
    expect(text(result)).not.toContain('SecurePassword123@');
    expect(b4b.session.get(B4B_AUTH_KEY)).toBeUndefined();
  });
});

describe('login without a password: the sign-in page', () => {
  it('says to pass phone and password when the client cannot open a page', async () => {
    const result = await b4b.call('login', { phone: SANDBOX_LOGIN.phone });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^password: is required: this MCP client cannot open a sign-in page/);
  });

  /** A client that opens pages; `opened` holds what the page was opened with. */
  function pageClient(answer: ElicitAnswer): Elicitor & { opened: Array<Record<string, unknown>> } {
    const opened: Array<Record<string, unknown>> = [];
    return {
      form: true,
      url: true,
      pageBase: 'http://127.0.0.1:1/b4b/elicitation',
      opened,
      ask: async (_key, request) => {
        expect(request.mode).toBe('url');
        return answer;
      },
      request: async () => undefined,
      openPage: async (kind, data) => {
        expect(kind).toBe('sign_in');
        opened.push(data);
        return `http://127.0.0.1:1/b4b/elicitation/${opened.length}`;
      },
    };
  }

  const answers: Array<{ name: string; answer: ElicitAnswer; says: RegExp }> = [
    {
      name: 'the question travels with the answer',
      answer: { action: 'pending' },
      says: /^Waiting for the user to sign in/,
    },
    {
      name: 'accepted but not completed',
      answer: { action: 'accept' },
      says: /^Not logged in yet: the sign-in page was not completed/,
    },
    {
      name: 'declined',
      answer: { action: 'decline' },
      says: /^Not logged in: the user declined to open the sign-in page/,
    },
  ];
  it.each(answers)('opens the page with the phone to prefill: $name', async ({ answer, says }) => {
    const client = pageClient(answer);
    const result = await b4b.call('login', { phone: SANDBOX_LOGIN.phone }, client);
    expect(client.opened).toEqual([{ phone: SANDBOX_LOGIN.phone }]);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(says);
  });

  it('opens no page for a session that is already signed in', async () => {
    await b4b.call('login', { ...SANDBOX_LOGIN });
    const client = pageClient({ action: 'decline' });
    const result = await b4b.call('login', {}, client);
    expect(client.opened).toEqual([]);
    expect(result.structuredContent).toMatchObject({ success: true, message: expect.stringMatching(/^Logged in/) });
  });
});
