/**
 * A real local OAuth 2.1 authorization server for the sandbox, built on oidc-provider 9, that MCP clients
 * (the SDK's `auth()`, MCP Inspector) can complete the MCP authorization flow against:
 *
 * - MCP authorization spec 2025-11-25: authorization server metadata discovery (RFC 8414
 *   `/.well-known/oauth-authorization-server` and OpenID `/.well-known/openid-configuration`), dynamic client
 *   registration (RFC 7591, open), authorization code + PKCE with S256 required (OAuth 2.1 §4.1, RFC 7636),
 *   resource indicators (RFC 8707) with audience-bound JWT access tokens (RFC 9068), refresh tokens.
 * - The client credentials grant (RFC 6749 §4.4) for one pre-registered confidential service client, so that
 *   the MCP server's own backend service token comes from here in sandbox mode.
 * - A pre-registered public native client (RFC 8252) used by {@link obtainSandboxToken}.
 * Only listens on loopback; generic: resources and identities are passed in.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, Provider } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type { Logger } from '../log.js';
import { createInteractionHandler } from './authorization-interactions.js';
import { sandboxErrorPage } from '../pages/sandbox-pages.js';
import { loadOidcProvider } from './oidc-provider-loader.js';
import { loadOrCreateSigningKeys } from './authorization-keys.js';
import {
  SANDBOX_CLI_CLIENT,
  SANDBOX_IDENTITIES,
  SANDBOX_SERVICE_CLIENT,
  type SandboxIdentity,
} from './sandbox-identities.js';

export { obtainSandboxToken, completeSandboxAuthorization } from './authorization-login.js';
export type { ObtainSandboxTokenOptions } from './authorization-login.js';

/** A resource (RFC 8707 indicator) the server issues JWT access tokens for, and the scopes it knows. */
export interface SandboxResource {
  url: string;
  /** Other URLs of the same resource (e.g. `127.0.0.1` beside `localhost`): a token asked for one is for that URL. */
  aliases?: string[];
  scopes: string[];
}

/** Options for {@link startSandboxAuthorizationServer}. */
export interface SandboxAuthorizationServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Loopback host (default `127.0.0.1`); it is also the issuer's host. */
  host?: string;
  resources: SandboxResource[];
  /** Where the private signing JWKS is kept; generated in memory only when omitted. */
  keysFile?: string;
  /** Users offered by the login page (default: the demo identities). */
  identities?: readonly SandboxIdentity[];
  /** Confidential client for the client credentials grant (default: the sandbox service client). */
  serviceClient?: { id: string; secret: string };
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtlSec?: number;
  logger?: Logger;
}

/** A running sandbox authorization server. */
export interface SandboxAuthorizationServer {
  /** Issuer identifier, e.g. `http://127.0.0.1:4455` (no trailing slash). */
  issuer: string;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
/** oidc-provider's default registration route (RFC 7591 endpoint). */
const REGISTRATION_PATH = '/reg';

/** Browser clients on loopback (Inspector) may call the token endpoint cross-origin; nothing else may. */
function loopbackOrigin(origin: string): boolean {
  const parsed = URL.parse(origin);
  return parsed !== null && parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname.replace(/^\[|\]$/g, ''));
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** What {@link configuration} is made from. */
interface ConfigurationOptions {
  /** oidc-provider's `errors.InvalidTarget` (the module is loaded lazily: see oidc-provider-loader.ts). */
  invalidTarget: (message: string) => Error;
  resources: SandboxResource[];
  identities: readonly SandboxIdentity[];
  serviceClient: { id: string; secret: string };
  jwks: Configuration;
  accessTokenTtlSec: number;
}

/** The two registered clients: the server's own service credential, and the CLI's native client (PKCE). */
function staticClients(serviceClient: ConfigurationOptions['serviceClient']): Configuration[] {
  return [
    {
      client_id: serviceClient.id,
      client_secret: serviceClient.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: SANDBOX_CLI_CLIENT.id,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [SANDBOX_CLI_CLIENT.redirectUri],
    },
  ];
}

/** Resource indicators (RFC 8707): each MCP endpoint is a resource with its scopes; tokens are JWTs for it. */
function resourceIndicators(options: ConfigurationOptions): Configuration {
  const resources = new Map(
    options.resources.flatMap((r) => [r.url, ...(r.aliases ?? [])].map((url) => [url, r] as const)),
  );
  return {
    enabled: true,
    defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
    // A token request without `resource` gets the resource that was authorised.
    useGrantedResource: async () => true,
    getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
      const resource = resources.get(indicator);
      if (resource === undefined) throw options.invalidTarget(`unknown resource ${indicator}`);
      return {
        scope: resource.scopes.join(' '),
        // The indicator asked for, which may be an alias: the token is for the URL the client uses.
        audience: indicator,
        accessTokenTTL: options.accessTokenTtlSec,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}

/** Token and interaction lifetimes, in seconds. */
function lifetimes(accessTokenTtlSec: number): Record<string, number> {
  return {
    AccessToken: accessTokenTtlSec,
    AuthorizationCode: 60,
    ClientCredentials: accessTokenTtlSec,
    IdToken: 3600,
    RefreshToken: 24 * 3600,
    Interaction: 600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
    PreAuthorizedCode: 600,
  };
}

/** oidc-provider configuration; every callback it would otherwise warn about (on stdout) is set explicitly. */
function configuration(options: ConfigurationOptions): Configuration {
  const identities = new Map(options.identities.map((i) => [i.id, i]));
  const resourceScopes = [...new Set(options.resources.flatMap((r) => r.scopes))];
  const clockTolerance = 15;
  return {
    adapter: createMemoryAdapter(clockTolerance),
    clockTolerance,
    jwks: options.jwks,
    // Cookie signing keys only protect in-flight interactions: fresh per start is fine.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Client `scope` metadata sent at registration (the MCP SDK sends the resource's scopes) must be known here.
    scopes: ['openid', 'offline_access', ...resourceScopes],
    clients: staticClients(options.serviceClient),
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: resourceIndicators(options),
    },
    pkce: { required: () => true },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const identity = identities.get(sub);
      if (identity === undefined) return undefined;
      return { accountId: identity.id, claims: async () => ({ ...identity.claims, sub: identity.id }) };
    },
    // The demo users' claims (email, name, groups…) go INTO the access token, as Cognito does.
    extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
      const identity = token.accountId !== undefined ? identities.get(token.accountId) : undefined;
      return identity === undefined ? undefined : { ...identity.claims };
    },
    // MCP clients rarely ask for offline_access: issue refresh tokens to every client allowed the grant.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    clientBasedCORS: (_ctx: unknown, origin: string) => loopbackOrigin(origin),
    ttl: lifetimes(options.accessTokenTtlSec),
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = sandboxErrorPage(out.error ?? 'error', out.error_description ?? '');
    },
  };
}

/**
 * Starts the server on loopback. The issuer is `http://<host>:<port>`; oidc-provider answers both metadata
 * well-known URIs (RFC 8414 and OpenID Discovery) with the same document.
 */
export async function startSandboxAuthorizationServer(
  options: SandboxAuthorizationServerOptions,
): Promise<SandboxAuthorizationServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host))
    throw new Error(`the sandbox authorization server only listens on loopback, not ${host}`);
  const jwks = await loadOrCreateSigningKeys(options.keysFile);
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handle(req, res);
  });
  const address = await listen(server, options.port ?? 0, host);
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let provider: Provider;
  try {
    provider = await createProvider(issuer, options, jwks);
  } catch (error) {
    server.close();
    throw error;
  }
  const logger = options.logger;
  logProviderEvents(provider, logger);
  const interactions = createInteractionHandler(provider, options.identities ?? SANDBOX_IDENTITIES, logger);
  handle = requestHandler(issuer, address.port, provider.callback(), interactions);
  logger?.info({ issuer }, 'sandbox authorization server listening');

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** The oidc-provider instance (its module loaded on first use) for this issuer. */
async function createProvider(
  issuer: string,
  options: SandboxAuthorizationServerOptions,
  jwks: Awaited<ReturnType<typeof loadOrCreateSigningKeys>>,
): Promise<Provider> {
  const oidc = await loadOidcProvider();
  return new oidc.Provider(
    issuer,
    configuration({
      invalidTarget: (message) => new oidc.errors.InvalidTarget(message),
      resources: options.resources,
      identities: options.identities ?? SANDBOX_IDENTITIES,
      serviceClient: options.serviceClient ?? SANDBOX_SERVICE_CLIENT,
      jwks: jwks as unknown as Configuration,
      accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
    }),
  );
}

/** Logs the provider's errors and issued tokens; event payloads may hold tokens: only names and messages are logged. */
function logProviderEvents(provider: Provider, logger: Logger | undefined): void {
  provider.on('server_error', (_ctx: unknown, error: unknown) => {
    logger?.error(
      { err: error instanceof Error ? error.message : String(error) },
      'sandbox authorization server error',
    );
  });
  provider.on('grant.success', (ctx: unknown) => {
    const oidc = (ctx as { oidc?: { params?: { grant_type?: unknown }; client?: { clientId?: string } } }).oidc;
    logger?.debug({ grantType: oidc?.params?.grant_type, clientId: oidc?.client?.clientId }, 'sandbox token issued');
  });
  for (const event of ['grant.error', 'authorization.error', 'registration_create.error']) {
    provider.on(event, (_ctx: unknown, error: unknown) => {
      logger?.debug(
        { event, err: error instanceof Error ? error.message : String(error) },
        'sandbox authorization request refused',
      );
    });
  }
}

/**
 * The listener's requests: Host checked (DNS rebinding protection: only requests addressed to this loopback listener
 * by name are served), interactions to their pages, CORS on registration for loopback browsers, the rest to the
 * provider.
 */
function requestHandler(
  issuer: string,
  port: number,
  providerCallback: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
  interactions: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const allowedHosts = new Set(['127.0.0.1', 'localhost', '[::1]'].map((name) => `${name}:${port}`));
  return (req, res) => {
    const url = URL.parse(req.url ?? '/', issuer);
    if (url === null || !allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.statusCode = url === null ? 400 : 403;
      res.end();
      return;
    }
    if (url.pathname.startsWith('/interaction/')) {
      void interactions(req, res);
      return;
    }
    const origin = req.headers.origin;
    if (url.pathname === REGISTRATION_PATH && origin !== undefined && loopbackOrigin(origin)) {
      // oidc-provider sends no CORS headers for registration; browser MCP clients on loopback (Inspector) need them.
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }
    void providerCallback(req, res);
  };
}
