/**
 * B4B's URL-mode sign-in page: it says which backend and which caller, pre-fills the phone (from the tool's data or
 * the last attempt), shows a failed attempt's error, escapes everything it shows, and never echoes a password.
 */
import { describe, expect, it } from 'vitest';
import { SIGN_IN_PAGE, signInPageKind } from '../../../src/overrides/b4b/sign-in-page.js';

const LABEL = 'Finizi B4B at https://api.b4b.example';
const page = signInPageKind(LABEL);

describe('signInPageKind', () => {
  it('is the `sign_in` kind whose form calls `login` with phone and password, keeping only the phone', () => {
    expect(SIGN_IN_PAGE).toBe('sign_in');
    expect(page.tool).toBe('login');
    expect(page.fields).toEqual(['phone', 'password']);
    expect(page.keep).toEqual(['phone']);
  });

  const renders: Array<{
    name: string;
    input: Parameters<typeof page.render>[0];
    contains: string[];
    lacks?: string[];
  }> = [
    {
      name: 'a first visit names the backend and the caller, with an empty form',
      input: { data: {}, requester: 'alice' },
      contains: [`<strong>${LABEL}</strong>`, '<strong>alice</strong>', 'value=""', 'type="password"'],
      lacks: ['role="alert"'],
    },
    {
      name: 'the phone the tool was given is pre-filled',
      input: { data: { phone: '+84909495665' }, requester: 'alice' },
      contains: ['value="+84909495665"'],
    },
    {
      name: 'after a failed attempt: its error and the kept phone, never the password',
      input: {
        data: { phone: '+84000000000' },
        requester: 'alice',
        error: 'Login failed: wrong phone or password',
        values: { phone: '+84909495665', password: 'SecurePassword123@' },
      },
      contains: ['role="alert"', 'Login failed: wrong phone or password', 'value="+84909495665"'],
      lacks: ['SecurePassword123@', '+84000000000'],
    },
    {
      name: 'markup in the caller, the error and the phone is escaped',
      input: {
        data: {},
        requester: '<script>alert(1)</script>',
        error: '<img src=x onerror=alert(2)>',
        values: { phone: '"><script>alert(3)</script>' },
      },
      contains: [
        '&#60;script&#62;alert(1)&#60;/script&#62;',
        '&#60;img src=x onerror=alert(2)&#62;',
        'value="&#34;&#62;&#60;script&#62;',
      ],
      lacks: ['<script>', '<img'],
    },
  ];
  it.each(renders)('$name', ({ input, contains, lacks }) => {
    const html = page.render(input);
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    for (const text of contains) expect(html).toContain(text);
    for (const text of lacks ?? []) expect(html).not.toContain(text);
  });

  it('says who is signed in once login succeeded, escaped', () => {
    const done = page.done({
      data: {},
      result: { content: [], structuredContent: { email: 'an<b>@b4b.example' } },
    });
    expect(done).toContain(`Signed in to ${LABEL} as <strong>an&#60;b&#62;@b4b.example</strong>.`);
    expect(page.done({ data: {}, result: { content: [] } })).toContain(`Signed in to ${LABEL}.`);
  });
});
