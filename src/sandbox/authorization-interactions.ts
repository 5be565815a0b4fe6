/**
 * The OAuth steps behind the sandbox authorization server's login and consent pages (password-less user pick).
 * They are the "interaction" step of OAuth 2.1 §4.1.1 (the authorization server authenticates the resource owner
 * and obtains an authorization decision) as oidc-provider delegates it: `/interaction/<uid>` shows the current
 * prompt, the form posts back, and `interactionFinished` resumes the authorization request. The pages' markup is
 * src/pages/sandbox-pages.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionDetails, Provider } from 'oidc-provider';
import type { Logger } from '../log.js';
import {
  INTERACTION_FIELDS,
  sandboxConsentPage,
  sandboxLoginPage,
  sandboxMessagePage,
  type ClientLabel,
  type ScopeRequest,
} from '../pages/sandbox-pages.js';
import type { SandboxIdentity } from './sandbox-identities.js';

const MAX_BODY_BYTES = 8 * 1024;

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
async function clientLabel(provider: Provider, details: InteractionDetails): Promise<ClientLabel> {
  const id = String(details.params.client_id);
  const client = await provider.Client.find(id).catch(() => undefined);
  const name = client?.metadata()['client_name'];
  return typeof name === 'string' && name.trim() !== '' ? { name, id } : { id };
}

function loginPage(details: InteractionDetails, identities: readonly SandboxIdentity[], client: ClientLabel): string {
  const users = identities.map((identity) => {
    const name = typeof identity.claims.name === 'string' ? ` (${identity.claims.name})` : '';
    return { id: identity.id, label: identity.id + name };
  });
  return sandboxLoginPage(details.uid, client, users);
}

function consentPage(details: InteractionDetails, client: ClientLabel): string {
  const missing = details.prompt.details;
  const resourceScopes = (missing.missingResourceScopes ?? {}) as Record<string, string[]>;
  // A resource's scopes are also known to the provider as plain scopes (so that clients may register them), so
  // oidc-provider reports them in both lists: each is shown once, under its resource.
  const underResources = new Set(Object.values(resourceScopes).flat());
  const oidcScopes = ((missing.missingOIDCScope ?? []) as string[]).filter((s) => !underResources.has(s));
  const requests: ScopeRequest[] = [
    { scopes: oidcScopes },
    ...Object.entries(resourceScopes).map(([resource, scopes]) => ({ resource, scopes })),
  ];
  return sandboxConsentPage(details.uid, client, requests);
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
    if (!match) return send(res, 404, sandboxMessagePage('Not found', 'No such page.'));
    const [, uid, action] = match;
    try {
      // Reads the interaction bound to this browser's cookie; a mismatching uid means a stale or forged link.
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid)
        return send(res, 400, sandboxMessagePage('Sign-in expired', 'Start again from the client.'));
      if (req.method === 'GET' && action === undefined) {
        if (details.prompt.name === 'login')
          return send(res, 200, loginPage(details, identities, await clientLabel(provider, details)));
        if (details.prompt.name === 'consent')
          return send(res, 200, consentPage(details, await clientLabel(provider, details)));
        return send(res, 400, sandboxMessagePage('Unsupported prompt', details.prompt.name));
      }
      if (req.method !== 'POST' || action === undefined)
        return send(res, 405, sandboxMessagePage('Method not allowed', ''));
      const form = await readForm(req);
      if (action === 'login') {
        if (details.prompt.name !== 'login')
          return send(res, 400, sandboxMessagePage('Unexpected step', 'Not a login step.'));
        const identity = byId.get(form.get(INTERACTION_FIELDS.user) ?? '');
        if (identity === undefined)
          return send(res, 400, loginPage(details, identities, await clientLabel(provider, details)));
        return await provider.interactionFinished(
          req,
          res,
          { login: { accountId: identity.id } },
          { mergeWithLastSubmission: false },
        );
      }
      if (details.prompt.name !== 'consent')
        return send(res, 400, sandboxMessagePage('Unexpected step', 'Not a consent step.'));
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
      if (!res.headersSent)
        send(
          res,
          400,
          sandboxMessagePage(
            'Sign-in failed',
            'The sign-in request expired or is invalid. Start again from the client.',
          ),
        );
    }
  };
}
