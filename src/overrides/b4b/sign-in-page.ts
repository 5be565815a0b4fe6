/**
 * The B4B sign-in page of URL-mode elicitation (MCP 2026-07-28, Client / Elicitation: "secrets and credentials
 * MUST go through URL mode", never through the model): the user types phone and password into a page finmcp
 * serves; finmcp signs in at the backend and keeps the JWT for the caller who asked, exactly where `login` keeps
 * it. The page says which backend, for which caller, and that the link works once; it never echoes the password.
 * Plain HTML, no script, no external asset: the one page template (src/pages/html.ts).
 */
import { escapeHtml, htmlPage } from '../../pages/html.js';
import type { InteractionPageSpec } from '../../pages/interaction-pages.js';

/** Form field names (a script or a test drives the page with them). */
const SIGN_IN_FIELDS = { phone: 'phone', password: 'password' } as const;

/** What the page needs. */
interface SignInPageOptions {
  backend: string;
  /** E.g. "Finizi B4B at https://api.b4b.example". */
  backendLabel: string;
  /** Who asked: the MCP caller (principal id). */
  requester: string;
  /** The phone the caller gave, prefilled. */
  phone?: string;
  /**
   * Checks the form fields (an empty one is missing) and signs in; the error, naming the field and the rule, is
   * shown on the page again (never containing the password).
   */
  signIn(phone: string, password: string): Promise<{ ok: true; email?: string } | { ok: false; error: string }>;
}

/** The page spec to register. */
export function signInPage(options: SignInPageOptions): InteractionPageSpec {
  return {
    backend: options.backend,
    render: () => form(options, options.phone ?? '', undefined),
    async submit(data: URLSearchParams) {
      const phone = (data.get(SIGN_IN_FIELDS.phone) ?? '').trim();
      const password = data.get(SIGN_IN_FIELDS.password) ?? '';
      const result = await options.signIn(phone, password);
      if (!result.ok) return { html: form(options, phone, result.error), done: false };
      const who = result.email === undefined ? '' : ` as <strong>${escapeHtml(result.email)}</strong>`;
      return {
        html: htmlPage('Signed in', `<p role="status">Signed in to ${escapeHtml(options.backendLabel)}${who}.</p>
<p>You can close this page and go back to your MCP client.</p>`),
        done: true,
      };
    },
  };
}

function form(options: SignInPageOptions, phone: string, error: string | undefined): string {
  const alert = error === undefined ? '' : `<p class="error" role="alert" id="error">${escapeHtml(error)}</p>\n`;
  return htmlPage(
    'Sign in to Finizi B4B',
    `<p>The MCP caller <strong>${escapeHtml(options.requester)}</strong> asked finmcp to sign in to <strong>${escapeHtml(options.backendLabel)}</strong>.</p>
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
