/**
 * Drives the sandbox authorization server's login and consent pages over plain HTTP, as a browser would
 * (follow redirects, keep cookies, submit the forms), and performs the whole authorization code + PKCE flow
 * (OAuth 2.1 §4.1, RFC 7636 S256, RFC 8707 `resource`, RFC 9207 `iss` check) as the pre-registered public client.
 * Used by `finmcp token --sandbox --user <name>` and by tests that drive an MCP client's authorization redirect.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fetchAuthorizationServerMetadata } from '../auth/authorization-server-metadata.js';
import { unescapeHtml } from '../pages/html.js';
import { INTERACTION_FIELDS } from '../pages/sandbox-pages.js';
import { SANDBOX_CLI_CLIENT } from './sandbox-identities.js';

const MAX_STEPS = 20;
const TIMEOUT_MS = 10_000;

/** A cookie jar keeping name, value and path (RFC 6265 §5.1.4 path matching); enough for one loopback host. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=', 2);
        const lower = key.toLowerCase();
        if (lower === 'path' && val.startsWith('/')) path = val;
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name}\u0000${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.cookies.values()].filter(
      ({ path }) =>
        url.pathname === path ||
        (url.pathname.startsWith(path) && (path.endsWith('/') || url.pathname[path.length] === '/')),
    );
    // Longer paths first (RFC 6265 §5.4).
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

/** A short, token-free reason from an error page of the sandbox server. */
function describePage(html: string): string {
  const error = /<p id="error">([^<]*)<\/p>/.exec(html)?.[1];
  const title = /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
  return unescapeHtml(error ?? title ?? 'unexpected page');
}

function sameEndpoint(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

/**
 * Follows an authorization URL through the sandbox login (as `user`) and consent (allow) pages until the
 * authorization server redirects to the request's `redirect_uri`; resolves to that redirect URL (holding `code`
 * and `state`, or `error`). Throws on an error page or an unknown user.
 */
export async function completeSandboxAuthorization(authorizationUrl: string | URL, user: string): Promise<URL> {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  if (redirectUri === null) throw new Error('the authorization URL has no redirect_uri');
  const callback = new URL(redirectUri);
  const jar = new CookieJar();
  let request: { url: URL; method: 'GET' | 'POST'; form?: URLSearchParams } = { url: start, method: 'GET' };

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const cookie = jar.header(request.url);
    const response = await fetch(request.url, {
      method: request.method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie !== undefined ? { cookie } : {}),
        ...(request.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(request.form !== undefined ? { body: request.form.toString() } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    jar.store(response.headers);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (sameEndpoint(next, callback)) return next;
      request = { url: next, method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(`sandbox authorization failed (HTTP ${response.status}): ${describePage(html)}`);
    }
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
    if (action === undefined) throw new Error(`sandbox authorization failed: ${describePage(html)}`);
    const form = new URLSearchParams();
    const target = new URL(unescapeHtml(action), request.url);
    if (target.pathname.endsWith('/login')) {
      if (
        !html.includes(
          `name="${INTERACTION_FIELDS.user}" value="${user.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}"`,
        )
      ) {
        throw new Error(`unknown sandbox user "${user}"`);
      }
      form.set(INTERACTION_FIELDS.user, user);
    } else {
      form.set(INTERACTION_FIELDS.decision, 'allow');
    }
    request = { url: target, method: 'POST', form };
  }
  throw new Error(`sandbox authorization did not finish within ${MAX_STEPS} steps`);
}

/** Options for {@link obtainSandboxToken}. */
export interface ObtainSandboxTokenOptions {
  /** Issuer of the sandbox authorization server. */
  issuer: string;
  /** Demo user to sign in as. */
  user: string;
  /** RFC 8707 resource indicator: the token's audience. */
  resource: string;
  scopes: string[];
}

function base64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}

/**
 * Obtains an access token for `user` with the real authorization code + PKCE flow, as the pre-registered public
 * client. Resolves to the access token (a JWT whose `aud` is `resource`).
 */
export async function obtainSandboxToken(options: ObtainSandboxTokenOptions): Promise<string> {
  const metadata = await fetchAuthorizationServerMetadata(options.issuer);
  const authorizationEndpoint = metadata.authorization_endpoint;
  const tokenEndpoint = metadata.token_endpoint;
  if (typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw new Error(`${options.issuer} publishes no authorization or token endpoint`);
  }
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: SANDBOX_CLI_CLIENT.id,
    redirect_uri: SANDBOX_CLI_CLIENT.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    resource: options.resource,
    ...(options.scopes.length > 0 ? { scope: options.scopes.join(' ') } : {}),
  }).toString();

  const redirect = await completeSandboxAuthorization(url, options.user);
  const error = redirect.searchParams.get('error');
  if (error !== null) {
    throw new Error(
      `sandbox authorization refused: ${error} ${redirect.searchParams.get('error_description') ?? ''}`.trim(),
    );
  }
  if (redirect.searchParams.get('state') !== state) throw new Error('sandbox authorization returned a wrong state');
  const iss = redirect.searchParams.get('iss');
  if (iss !== null && iss !== options.issuer)
    throw new Error('sandbox authorization response came from another issuer');
  const code = redirect.searchParams.get('code');
  if (code === null) throw new Error('sandbox authorization returned no code');

  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: SANDBOX_CLI_CLIENT.redirectUri,
      code_verifier: verifier,
      client_id: SANDBOX_CLI_CLIENT.id,
      resource: options.resource,
    }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason =
      typeof body.error === 'string'
        ? `${body.error} ${typeof body.error_description === 'string' ? body.error_description : ''}`
        : `HTTP ${response.status}`;
    throw new Error(`sandbox token request failed: ${reason.trim()}`);
  }
  return body.access_token;
}
