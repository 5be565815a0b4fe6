/**
 * The MCP server as an OAuth 2.1 resource server.
 *
 * - MCP authorization spec 2025-11-25: "Authorization Server Location" (RFC 9728 metadata, `resource_metadata` in
 *   the 401 challenge), "Scope Challenge Handling" (`scope` in the challenge, 403 `insufficient_scope`),
 *   "Token Handling" (audience-bound tokens, RFC 8707).
 * - RFC 6750 §3 (Bearer challenges), RFC 9728 §3 and §5 (metadata document and its discovery),
 *   RFC 9068 (JWT access tokens, validated by {@link createAccessTokenVerifier}).
 */
import { decodeJwt } from 'jose/jwt/decode';
import type { InboundAuth, InboundAuthResult, Principal } from './inbound-auth.js';
import type { Logger } from '../log.js';
import { createAccessTokenVerifier, InvalidTokenError, type AccessTokenVerifier } from './access-token-verifier.js';
import { extractBearerToken } from './bearer-token.js';
import {
  buildProtectedResourceMetadata,
  type ProtectedResourceMetadata,
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
} from './protected-resource-metadata.js';
import { bearerChallenge, insufficientScopeHeader } from './www-authenticate.js';

/** Options for {@link createOAuthResourceServer}. */
export interface OAuthResourceServerOptions {
  /** This MCP endpoint's URL, e.g. `http://127.0.0.1:3000/acme/mcp`: the required token audience. */
  resource: string;
  /**
   * Other `Host` values (`name:port`, any case) that name this same endpoint, e.g. `127.0.0.1:3000` beside
   * `localhost:3000`: a request arriving under one of them is answered with the resource named by that host (RFC
   * 9728 §3.3: the metadata's `resource` must be the URL the client used) and needs a token for that resource.
   */
  resourceHosts?: readonly string[];
  /** Issuer URLs of the authorization servers (RFC 9728 `authorization_servers`). */
  authorizationServers: string[];
  /** Expected `iss` (default: `authorizationServers[0]`). */
  issuer?: string;
  /** JWKS URL (default: discovered from the issuer's RFC 8414 or OpenID metadata). */
  jwksUri?: string;
  /** Scopes this resource knows (RFC 9728 `scopes_supported`, and the 401 `scope`). */
  scopesSupported: string[];
  /** Scopes one tool needs, checked per call by the transport. */
  toolScopes: (tool: string) => string[];
  /** Clock skew allowed for `exp`/`nbf` (default 30 s). */
  clockToleranceSec?: number;
  /** Asymmetric JWS algorithms accepted (default RS*, PS*, ES*, EdDSA). */
  algorithms?: string[];
  /** Client ids whose access tokens without `aud` (`client_id` and `token_use: access` instead, as AWS Cognito issues) are accepted. */
  audiencelessClientIds?: string[];
  /** Rejections are logged at debug level, without the token (the transport logs each refusal with the address). */
  logger?: Logger;
}

/** {@link InboundAuth} plus the helpers a transport needs to answer in this resource server's terms. */
export interface OAuthResourceServer extends InboundAuth {
  /** Absolute URL of the RFC 9728 document (the `resource_metadata` value). */
  readonly resourceMetadataUrl: string;
  /** A 403 `insufficient_scope` answer naming the scopes the request needs. */
  insufficientScope(requiredScopes: string[], host?: string): Extract<InboundAuthResult, { ok: false }>;
}

/** The token verifier for these options (both entry points validate identically). */
function verifierFor(options: OAuthResourceServerOptions): AccessTokenVerifier {
  const issuer = options.issuer ?? options.authorizationServers[0];
  if (issuer === undefined) throw new Error('authorizationServers must name at least one issuer');
  return createAccessTokenVerifier({
    resource: options.resource,
    issuer,
    ...(options.jwksUri !== undefined ? { jwksUri: options.jwksUri } : {}),
    ...(options.clockToleranceSec !== undefined ? { clockToleranceSec: options.clockToleranceSec } : {}),
    ...(options.algorithms !== undefined ? { algorithms: options.algorithms } : {}),
    ...(options.audiencelessClientIds !== undefined ? { audiencelessClientIds: options.audiencelessClientIds } : {}),
  });
}

/** One name of the resource (as one host names it), with its metadata document and that document's URL. */
interface ResourceName {
  resource: string;
  metadataUrl: string;
  metadata: ProtectedResourceMetadata;
}

/**
 * The resource as named by each host that may name it (the canonical name first, then each allowed host's alias),
 * built once; the returned lookup falls back to the canonical name for any other host.
 */
function resourceNames(options: OAuthResourceServerOptions): (host: string | undefined) => ResourceName {
  const named = new Map<string | undefined, ResourceName>();
  const addName = (resource: string): void => {
    const key = named.size === 0 ? undefined : new URL(resource).host;
    named.set(key, {
      resource,
      metadataUrl: protectedResourceMetadataUrl(resource),
      metadata: buildProtectedResourceMetadata({ ...options, resource }),
    });
  };
  addName(options.resource);
  const canonical = new URL(options.resource);
  for (const host of options.resourceHosts ?? []) {
    const alias = new URL(canonical.href);
    alias.host = host.toLowerCase();
    if (alias.host !== canonical.host) addName(alias.href);
  }
  return (host) => (host === undefined ? undefined : named.get(host.toLowerCase())) ?? named.get(undefined)!;
}

/** The refusals of a resource server: 401 without a usable token, and for one that failed verification. */
function refusals(
  options: OAuthResourceServerOptions,
  nameFor: (host: string | undefined) => ResourceName,
): {
  unauthorized(host: string | undefined, error?: string): Extract<InboundAuthResult, { ok: false }>;
  rejected(token: string, host: string | undefined, error: unknown): InboundAuthResult;
} {
  const unauthorized = (host: string | undefined, error?: string): Extract<InboundAuthResult, { ok: false }> => ({
    ok: false,
    status: 401,
    headers: {
      'www-authenticate': bearerChallenge({
        resourceMetadataUrl: nameFor(host).metadataUrl,
        scopes: options.scopesSupported,
        ...(error !== undefined ? { error: 'invalid_token' as const, errorDescription: error } : {}),
      }),
    },
    body:
      error !== undefined
        ? { error: 'invalid_token', error_description: error }
        : { error: 'unauthorized', error_description: 'a bearer access token is required' },
  });
  return {
    unauthorized,
    /** Logged with the `sub` the token claims, never the token. */
    rejected(token, host, error) {
      const description = error instanceof InvalidTokenError ? error.message : 'token could not be verified';
      const claimedSubject = unverifiedSubject(token);
      options.logger?.debug({ reason: description, claimedSubject }, 'bearer token rejected');
      const refusal = unauthorized(host, description);
      return claimedSubject === undefined ? refusal : { ...refusal, claimedSubject };
    },
  };
}

/** Creates the resource server. Throws on an empty authorization server list or a non-asymmetric algorithm. */
export function createOAuthResourceServer(options: OAuthResourceServerOptions): OAuthResourceServer {
  const verifier = verifierFor(options);
  const resourceMetadataUrl = protectedResourceMetadataUrl(options.resource);
  const nameFor = resourceNames(options);
  const { unauthorized, rejected } = refusals(options, nameFor);

  /** The answer for a token the verifier has cached (ok, or 401 for another audience); undefined when not cached. */
  const fromCache = (token: string, resource: string, host: string | undefined): InboundAuthResult | undefined => {
    try {
      const principal = verifier.cached(token, resource);
      return principal === undefined ? undefined : { ok: true, principal };
    } catch (error) {
      return rejected(token, host, error);
    }
  };

  return {
    resourceMetadataUrl,

    authenticate(authorization: string | undefined, host?: string): InboundAuthResult | Promise<InboundAuthResult> {
      const resource = nameFor(host).resource;
      // The usual request, `Bearer <token>` with a token verified before, answers without a promise (its audience is
      // still checked for this request). Unparsed: a token that verified is a JWS, base64url parts and dots, so it is
      // a well-formed b64token (RFC 6750 §2.1); anything else is a miss and goes the whole way below.
      const usual = authorization?.startsWith('Bearer ') === true ? authorization.slice(7) : undefined;
      const known = usual === undefined ? undefined : fromCache(usual, resource, host);
      if (known !== undefined) return known;
      const extracted = extractBearerToken(authorization);
      if (extracted.kind === 'missing') return unauthorized(host);
      if (extracted.kind === 'malformed') return unauthorized(host, 'malformed bearer token');
      const { token } = extracted;
      return verifier.verify(token, resource).then(
        (verified): InboundAuthResult => ({ ok: true, principal: verified }),
        (error: unknown) => rejected(token, host, error),
      );
    },

    requiredScopes(toolName: string): string[] {
      return options.toolScopes(toolName);
    },

    wellKnown(host?: string): Record<string, Record<string, unknown>> {
      // Both the path-inserted form (RFC 9728 §3.1) and the root form, which older clients probe. Every name of the
      // resource has the same path.
      const { metadata } = nameFor(host);
      return {
        [protectedResourceMetadataPath(options.resource)]: metadata,
        [PROTECTED_RESOURCE_WELL_KNOWN]: metadata,
      };
    },

    insufficientScope(requiredScopes: string[], host?: string): Extract<InboundAuthResult, { ok: false }> {
      return {
        ok: false,
        status: 403,
        headers: { 'www-authenticate': insufficientScopeHeader(nameFor(host).resource, requiredScopes) },
        body: { error: 'insufficient_scope', error_description: `required scopes: ${requiredScopes.join(' ')}` },
      };
    },
  };
}

/** The `sub` claim of a JWT, read without verifying it (for logs); undefined for anything else. */
function unverifiedSubject(token: string): string | undefined {
  try {
    const { sub } = decodeJwt(token);
    return typeof sub === 'string' ? sub.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates one token exactly as {@link createOAuthResourceServer} would (issuer, audience = `resource`,
 * signature, expiry, Cognito rules): for stdio, whose credentials come from the environment (MCP 2025-11-25,
 * "Protocol Requirements"). Resolves to the principal or rejects with an `Error` whose message never holds the
 * token. `toolScopes` and `scopesSupported` are not used here.
 */
export async function verifyAccessToken(token: string, options: OAuthResourceServerOptions): Promise<Principal> {
  const verifier = verifierFor(options);
  try {
    return await verifier.verify(token.trim().replace(/^bearer\s+/i, ''));
  } catch (error) {
    const reason = error instanceof InvalidTokenError ? error.message : 'token could not be verified';
    throw new Error(`access token rejected: ${reason}`);
  }
}
