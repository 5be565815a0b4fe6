/**
 * The B4B sign-in page of URL-mode elicitation (MCP 2026-07-28, Client / Elicitation: "secrets and credentials
 * MUST go through URL mode", never through the model): the user types phone and password into a page finmcp
 * serves; finmcp signs in at the backend and keeps the JWT for the caller who asked, exactly where `login` keeps
 * it (the page's form calls `login` with phone and password, as that caller). The page says which backend, for
 * which caller, and that the link works once; it never echoes the password.
 * Plain HTML, no script, no external asset: the one page template (src/pages/html.ts).
 */
import type { InteractionPageKind } from '../../core/tool-service-api.js';
import { escapeHtml, htmlPage } from '../../pages/html.js';

/** Form field names (a script or a test drives the page with them). */
const SIGN_IN_FIELDS = { phone: 'phone', password: 'password' } as const;

/** The kind of the sign-in page, as B4B's overrides declare it and `login` opens it. */
export const SIGN_IN_PAGE = 'sign_in';

/**
 * The sign-in page: its form calls `login` with phone and password as the caller who asked (any instance may
 * serve it: its record is in the state store). `backendLabel`: e.g. "Finizi B4B at https://api.b4b.example".
 * A failed attempt shows the tool's error (naming the field and the rule, never containing the password) again.
 */
export function signInPageKind(backendLabel: string): InteractionPageKind {
  return {
    tool: 'login',
    fields: [SIGN_IN_FIELDS.phone, SIGN_IN_FIELDS.password],
    keep: [SIGN_IN_FIELDS.phone],
    render: ({ data, requester, error, values }) => {
      const prefilled = values?.[SIGN_IN_FIELDS.phone] ?? (typeof data['phone'] === 'string' ? data['phone'] : '');
      return form(backendLabel, requester, prefilled, error);
    },
    done: ({ result }) => {
      const email = result.structuredContent?.['email'];
      const who = typeof email === 'string' ? ` as <strong>${escapeHtml(email)}</strong>` : '';
      return htmlPage(
        'Signed in',
        `<p role="status">Signed in to ${escapeHtml(backendLabel)}${who}.</p>
<p>You can close this page and go back to your MCP client.</p>`,
      );
    },
  };
}

function form(backendLabel: string, requester: string, phone: string, error: string | undefined): string {
  const alert = error === undefined ? '' : `<p class="error" role="alert" id="error">${escapeHtml(error)}</p>\n`;
  return htmlPage(
    'Sign in to Finizi B4B',
    `<p>The MCP caller <strong>${escapeHtml(requester)}</strong> asked finmcp to sign in to <strong>${escapeHtml(backendLabel)}</strong>.</p>
<p>Your password goes to finmcp and from there to B4B only: your MCP client and its AI model never see it. This link works once and expires in 10 minutes. If you did not ask to sign in, close this page.</p>
${alert}<form method="post">
<label for="phone">Phone number (E.164, e.g. +84909495665)</label>
<input id="phone" name="${SIGN_IN_FIELDS.phone}" type="tel" autocomplete="username" required value="${escapeHtml(phone)}">
<label for="password">Password</label>
<input id="password" name="${SIGN_IN_FIELDS.password}" type="password" autocomplete="current-password" required minlength="8" maxlength="128">
<button type="submit">Sign in</button>
</form>`,
  );
}
