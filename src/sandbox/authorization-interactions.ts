/**
 * Login and consent pages of the sandbox authorization server: plain HTML forms, password-less user pick.
 * They are the "interaction" step of OAuth 2.1 §4.1.1 (the authorization server authenticates the resource owner
 * and obtains an authorization decision) as oidc-provider delegates it: `/interaction/<uid>` shows the current
 * prompt, the form posts back, and `interactionFinished` resumes the authorization request.
 * The markup is deliberately fixed (one form, hidden inputs, named submit buttons) so a script can drive it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionDetails, Provider } from 'oidc-provider';
import type { Logger } from '../log.js';
import type { SandboxIdentity } from './sandbox-identities.js';

/** Form field names the pages use (shared with the HTTP driver). */
export const INTERACTION_FIELDS = { user: 'user', decision: 'decision' } as const;

const MAX_BODY_BYTES = 8 * 1024;

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.5rem 0;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('form too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * How a page names the client: its registered `client_name` (RFC 7591 §2, "human-readable string name of the
 * client to be presented to the end-user"), with the id only as a fallback — a dynamically registered client's id
 * is random and tells the user nothing.
 */
async function clientLabel(provider: Provider, details: InteractionDetails): Promise<string> {
  const id = String(details.params.client_id);
  const client = await provider.Client.find(id).catch(() => undefined);
  const name = client?.metadata()['client_name'];
  return typeof name === 'string' && name.trim() !== ''
    ? `<strong>${escapeHtml(name)}</strong>`
    : `<code>${escapeHtml(id)}</code>`;
}

function loginPage(details: InteractionDetails, identities: readonly SandboxIdentity[], client: string): string {
  const buttons = identities
    .map((identity) => {
      const name = typeof identity.claims.name === 'string' ? ` (${identity.claims.name})` : '';
      return `<button type="submit" name="${INTERACTION_FIELDS.user}" value="${escapeHtml(identity.id)}">${escapeHtml(identity.id + name)}</button>`;
    })
    .join('\n');
  return page(
    'Sandbox sign-in',
    `<p>${client} asks you to sign in. Sandbox: pick a demo user.</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
${buttons}
</form>`,
  );
}

function consentPage(details: InteractionDetails, client: string): string {
  const missing = details.prompt.details;
  const resourceScopes = (missing.missingResourceScopes ?? {}) as Record<string, string[]>;
  // A resource's scopes are also known to the provider as plain scopes (so that clients may register them), so
  // oidc-provider reports them in both lists: each is shown once, under its resource.
  const underResources = new Set(Object.values(resourceScopes).flat());
  const oidcScopes = ((missing.missingOIDCScope ?? []) as string[]).filter((s) => !underResources.has(s));
  const items = [
    ...oidcScopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`),
    ...Object.entries(resourceScopes).map(
      ([resource, scopes]) =>
        `<li>${escapeHtml(resource)}: ${scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ') || '(no scopes)'}</li>`,
    ),
  ].join('\n');
  return page(
    'Sandbox consent',
    `<p>${client} asks for access to:</p>
<ul>
${items}
</ul>
<form method="post" action="/interaction/${escapeHtml(details.uid)}/confirm">
<button type="submit" name="${INTERACTION_FIELDS.decision}" value="allow">Allow</button>
<button type="submit" name="${INTERACTION_FIELDS.decision}" value="deny">Deny</button>
</form>`,
  );
}

/** Grants everything the consent prompt reports missing (scopes per resource indicator, RFC 8707). */
async function grantMissing(provider: Provider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') throw new Error('consent without a signed-in user');
  const existing = details.grantId !== undefined ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details;
  const oidcScopes = (missing.missingOIDCScope ?? []) as string[];
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  const claims = (missing.missingOIDCClaims ?? []) as string[];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  for (const [resource, scopes] of Object.entries((missing.missingResourceScopes ?? {}) as Record<string, string[]>)) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

/**
 * Returns a handler for `/interaction/<uid>[/login|/confirm]`. It answers every request it is given; the caller
 * routes only those paths to it.
 */
export function createInteractionHandler(
  provider: Provider,
  identities: readonly SandboxIdentity[],
  logger?: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const byId = new Map(identities.map((identity) => [identity.id, identity]));
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(path);
    if (!match) return send(res, 404, page('Not found', '<p>No such page.</p>'));
    const [, uid, action] = match;
    try {
      // Reads the interaction bound to this browser's cookie; a mismatching uid means a stale or forged link.
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) return send(res, 400, page('Sign-in expired', '<p>Start again from the client.</p>'));
      if (req.method === 'GET' && action === undefined) {
        if (details.prompt.name === 'login') return send(res, 200, loginPage(details, identities, await clientLabel(provider, details)));
        if (details.prompt.name === 'consent') return send(res, 200, consentPage(details, await clientLabel(provider, details)));
        return send(res, 400, page('Unsupported prompt', `<p>${escapeHtml(details.prompt.name)}</p>`));
      }
      if (req.method !== 'POST' || action === undefined) return send(res, 405, page('Method not allowed', ''));
      const form = await readForm(req);
      if (action === 'login') {
        if (details.prompt.name !== 'login') return send(res, 400, page('Unexpected step', '<p>Not a login step.</p>'));
        const identity = byId.get(form.get(INTERACTION_FIELDS.user) ?? '');
        if (identity === undefined) return send(res, 400, loginPage(details, identities, await clientLabel(provider, details)));
        return await provider.interactionFinished(req, res, { login: { accountId: identity.id } }, { mergeWithLastSubmission: false });
      }
      if (details.prompt.name !== 'consent') return send(res, 400, page('Unexpected step', '<p>Not a consent step.</p>'));
      if (form.get(INTERACTION_FIELDS.decision) !== 'allow') {
        return await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'the user denied the request' },
          { mergeWithLastSubmission: false },
        );
      }
      const grantId = await grantMissing(provider, details);
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      // Typically an expired interaction (SessionNotFound); details stay in the log, not in the page.
      logger?.debug({ err: error instanceof Error ? error.message : String(error) }, 'sandbox interaction failed');
      if (!res.headersSent) send(res, 400, page('Sign-in failed', '<p>The sign-in request expired or is invalid. Start again from the client.</p>'));
    }
  };
}
