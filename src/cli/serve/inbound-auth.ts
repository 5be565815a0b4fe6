/**
 * Who may call each MCP endpoint (MCP 2025-11-25, Basic / Authorization): a backend whose users sign in with OAuth
 * gets an OAuth 2.1 resource server (its options built here, once, for HTTP's resource server and for stdio's
 * token from the environment alike); others get static API keys when `FINMCP_API_KEYS` names some, else nothing.
 */
import { BACKEND_SETTINGS, ConfigError, envPrefix, SETTINGS, type Settings } from '../../config.js';
import type { InboundAuth, Principal } from '../../auth/inbound-auth.js';
import type { OAuthResourceServerOptions } from '../../auth/oauth-resource-server.js';
import { scopesByTool, specScopes } from '../../auth/scopes.js';
import type { Logger } from '../../log.js';
import type { AssembledBackend } from './assemble-backends.js';

/** The resource server options of an OAuth backend; `sandboxIssuer` stands in for an unset `<BACKEND>_OAUTH_ISSUER`. */
function oauthOptions(
  backend: AssembledBackend,
  resource: string,
  settings: Settings,
  sandboxIssuer: string | undefined,
  resourceHosts: readonly string[] = [],
): OAuthResourceServerOptions {
  const issuer = settings.readBackend(backend.name, BACKEND_SETTINGS.oauthIssuer) ?? sandboxIssuer;
  if (issuer === undefined) {
    const prefix = envPrefix(backend.name);
    throw new ConfigError(
      `${backend.name} users sign in with OAuth: set ${prefix}_OAUTH_ISSUER (and over stdio ${prefix}_ACCESS_TOKEN), or use --sandbox`,
    );
  }
  const jwksUri = settings.readBackend(backend.name, BACKEND_SETTINGS.oauthJwksUri);
  const audiencelessClientIds = settings.readBackend(backend.name, BACKEND_SETTINGS.oauthClientIds);
  const toolScopes = scopesByTool(backend.generated, backend.overrides);
  return {
    resource,
    ...(resourceHosts.length === 0 ? {} : { resourceHosts }),
    authorizationServers: [issuer],
    ...(jwksUri === undefined ? {} : { jwksUri }),
    scopesSupported: specScopes(backend.generated),
    toolScopes: (tool: string) => toolScopes.get(tool) ?? [],
    ...(audiencelessClientIds === undefined ? {} : { audiencelessClientIds }),
  };
}

/** The inbound authentication of one HTTP endpoint, or none; `resourceHosts` are the other hosts naming it (serve-config.ts). */
export async function inboundAuthFor(
  backend: AssembledBackend,
  resource: string,
  resourceHosts: readonly string[],
  settings: Settings,
  sandboxIssuer: string | undefined,
  logger: Logger,
): Promise<InboundAuth | undefined> {
  if (backend.overrides.inboundAuth === 'oauth') {
    const { createOAuthResourceServer } = await import('../../auth/oauth-resource-server.js');
    return createOAuthResourceServer({
      ...oauthOptions(backend, resource, settings, sandboxIssuer, resourceHosts),
      logger,
    });
  }
  const keys = parseApiKeys(settings.read(SETTINGS.apiKeys));
  if (keys.length === 0) return undefined;
  const { createApiKeyAuth } = await import('../../auth/api-keys.js');
  return createApiKeyAuth({ keys });
}

/**
 * The principal of a stdio server (MCP 2025-11-25: a stdio server takes credentials from its environment): none
 * (the anonymous one) unless the backend signs users in with OAuth, then the validated `<BACKEND>_ACCESS_TOKEN`, or
 * with the sandbox (`sandboxIssuer`) a token of `FINMCP_SANDBOX_USER` from the sandbox authorization server.
 * Missing configuration throws at once, so that the server does not start; the verification itself (the
 * authorization server's metadata and JWKS, two round trips) is the returned function, which the start-up gate runs
 * once the client has its first answers (tool calls wait for it).
 */
export function stdioPrincipal(
  backend: AssembledBackend,
  resource: string,
  settings: Settings,
  sandboxIssuer: Promise<string | undefined> | undefined,
): (() => Promise<Principal>) | undefined {
  if (backend.overrides.inboundAuth !== 'oauth') return undefined;
  const token = settings.readBackend(backend.name, BACKEND_SETTINGS.accessToken);
  if (sandboxIssuer === undefined) {
    if (token === undefined)
      throw new ConfigError(
        `over stdio, ${backend.name} takes the user's access token from ${envPrefix(backend.name)}_ACCESS_TOKEN`,
      );
    const options = oauthOptions(backend, resource, settings, undefined);
    return () => verifyToken(token, options);
  }
  return () =>
    sandboxIssuer.then(async (issuer) => {
      const options = oauthOptions(backend, resource, settings, issuer);
      if (token !== undefined) return verifyToken(token, options);
      const { obtainSandboxToken } = await import('../../sandbox/authorization-server.js');
      const sandboxToken = await obtainSandboxToken({
        issuer: issuer!,
        user: settings.read(SETTINGS.sandboxUser),
        resource,
        scopes: options.scopesSupported,
      });
      return verifyToken(sandboxToken, options);
    });
}

async function verifyToken(token: string, options: OAuthResourceServerOptions): Promise<Principal> {
  const { verifyAccessToken } = await import('../../auth/oauth-resource-server.js');
  return verifyAccessToken(token, options);
}

function parseApiKeys(raw: string | undefined): Array<{ id: string; key: string }> {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const colon = pair.indexOf(':');
      if (colon <= 0 || colon === pair.length - 1)
        throw new ConfigError('FINMCP_API_KEYS must be a comma-separated list of id:key');
      return { id: pair.slice(0, colon), key: pair.slice(colon + 1) };
    });
}
