/**
 * The sandbox authorization server's pages: the user pick that stands in for a sign-in, the consent page and
 * the error page. Markup only (the OAuth steps behind them are src/sandbox/authorization-interactions.ts); it is
 * deliberately fixed (one form, named submit buttons, `id="error"`) so that a script can drive it
 * (src/sandbox/authorization-login.ts).
 */
import { escapeHtml, htmlPage } from './html.js';

/** Form field names the pages use (shared with the script that drives them). */
export const INTERACTION_FIELDS = { user: 'user', decision: 'decision' } as const;

/** A client as a page names it: its registered name, else its id. */
export interface ClientLabel {
  name?: string;
  id: string;
}

/** One scope request on the consent page: plain scopes, or those of one resource (RFC 8707). */
export interface ScopeRequest {
  resource?: string;
  scopes: readonly string[];
}

function clientHtml(client: ClientLabel): string {
  return client.name !== undefined
    ? `<strong>${escapeHtml(client.name)}</strong>`
    : `<code>${escapeHtml(client.id)}</code>`;
}

/** The sign-in step: one button per demo user (`label` is shown, `id` is sent). */
export function sandboxLoginPage(
  uid: string,
  client: ClientLabel,
  users: ReadonlyArray<{ id: string; label: string }>,
): string {
  const buttons = users
    .map(
      (user) =>
        `<button type="submit" name="${INTERACTION_FIELDS.user}" value="${escapeHtml(user.id)}">${escapeHtml(user.label)}</button>`,
    )
    .join('\n');
  return htmlPage(
    'Sandbox sign-in',
    `<p>${clientHtml(client)} asks you to sign in. Sandbox: pick a demo user.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
${buttons}
</form>`,
  );
}

/** The consent step: what the client asks for, and Allow / Deny. */
export function sandboxConsentPage(uid: string, client: ClientLabel, requests: readonly ScopeRequest[]): string {
  const code = (scope: string): string => `<code>${escapeHtml(scope)}</code>`;
  const items = requests
    .flatMap(({ resource, scopes }) =>
      resource === undefined
        ? scopes.map((scope) => `<li>${code(scope)}</li>`)
        : [`<li>${escapeHtml(resource)}: ${scopes.map(code).join(' ') || '(no scopes)'}</li>`],
    )
    .join('\n');
  return htmlPage(
    'Sandbox consent',
    `<p>${clientHtml(client)} asks for access to:</p>
<ul>
${items}
</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit" name="${INTERACTION_FIELDS.decision}" value="allow">Allow</button>
<button type="submit" name="${INTERACTION_FIELDS.decision}" value="deny">Deny</button>
</form>`,
  );
}

/** A page saying what went wrong: `message` is text (escaped here). */
export function sandboxMessagePage(title: string, message: string): string {
  return htmlPage(title, message === '' ? '' : `<p>${escapeHtml(message)}</p>`);
}

/** The authorization server's error page (an OAuth error code and description, RFC 6749 §4.1.2.1). */
export function sandboxErrorPage(error: string, description: string): string {
  return htmlPage('Authorization error', `<p id="error">${escapeHtml(error)}: ${escapeHtml(description)}</p>`);
}
