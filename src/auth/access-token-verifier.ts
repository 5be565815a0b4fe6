/**
 * Validation of JWT access tokens presented to this MCP server.
 *
 * - MCP authorization spec 2025-11-25, "Token Handling" / "Access Token Privilege Restriction": validate that the
 *   token was issued for this server (audience), by the expected issuer, and is current.
 * - RFC 9068 (JWT profile for access tokens) §4: `iss`, `aud`, `exp`, signature with the issuer's keys.
 * - RFC 8707 §2: the audience is the resource indicator (this MCP endpoint's URL).
 * - RFC 8725 §3.1/§3.2 (JWT BCP): explicit algorithm allow-list, no `none`, no HMAC with public keys.
 * Cognito access tokens carry `client_id` and `token_use` instead of `aud`; they are accepted only for listed
 * client ids and only when `token_use` is `access` (never ID tokens).
 */
// jose's subpath exports: its package entry loads every module (JWE, JWK generation, …), ~3× the start-up cost.
import * as joseErrors from 'jose/errors';
import { createRemoteJWKSet } from 'jose/jwks/remote';
import { jwtVerify } from 'jose/jwt/verify';
import type { JWTPayload } from 'jose';
import type { Principal } from './inbound-auth.js';
import { fetchAuthorizationServerMetadata } from './authorization-server-metadata.js';

/** Asymmetric algorithms accepted by default (RFC 7518 §3.1, RFC 8037). */
const DEFAULT_ACCESS_TOKEN_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** Options for {@link createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /** Expected audience: this MCP endpoint's URL (RFC 8707 resource indicator). */
  resource: string;
  /** Expected `iss`. */
  issuer: string;
  /** JWKS location; discovered from the issuer's metadata when omitted. */
  jwksUri?: string;
  /** Allowed clock skew for `exp`/`nbf`, in seconds (default 30). */
  clockToleranceSec?: number;
  /** Asymmetric algorithms allowed; `none` and HS* are refused at construction. */
  algorithms?: string[];
  /** Client ids whose `client_id`-only access tokens (no `aud`, e.g. AWS Cognito's) are accepted. */
  audiencelessClientIds?: string[];
  /** Timeout of metadata and JWKS requests (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Verified tokens remembered (default 1000): a client sends the same token on every request, and a signature
   * check per call dominated the cost of an authenticated call. 0 turns the cache off.
   */
  cacheSize?: number;
  /** How long a verified token is trusted without checking it again, never past its `exp` (default 60 s). */
  cacheTtlMs?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

/** A token was presented but is not acceptable. `message` is safe to send back: it never contains the token. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** Checks a bearer token and returns who it belongs to. */
export interface AccessTokenVerifier {
  /**
   * Resolves to the principal, or rejects with {@link InvalidTokenError}. `resource` is the audience required for
   * this request when the resource is named by the host the client used (default: the configured `resource`).
   */
  verify(token: string, resource?: string): Promise<Principal>;
  /**
   * The principal of a token verified before and still trusted (no signature check, no promise: the hot path of an
   * authenticated call); undefined when it is not cached (then {@link verify}). The audience is checked as in
   * `verify`: throws {@link InvalidTokenError} when the token is not for `resource`.
   */
  cached(token: string, resource?: string): Principal | undefined;
}

/** Refuses algorithm lists that would allow `none` or symmetric keys (HS/RS confusion, RFC 8725 §2.1). */
function checkAlgorithms(algorithms: readonly string[]): string[] {
  if (algorithms.length === 0) throw new Error('algorithms must not be empty');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none' || /^HS/i.test(alg)) {
      throw new Error(`algorithm ${alg} is not allowed for access tokens: only asymmetric algorithms`);
    }
  }
  return [...algorithms];
}

/** Maps a jose failure to a short, token-free description (RFC 6750 `error_description`). */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token signing algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'token signing key is unknown';
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return 'token signing key is ambiguous';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return 'token is malformed';
  if (error instanceof joseErrors.JOSENotSupported) return 'token uses an unsupported algorithm or key';
  if (error instanceof joseErrors.JWKSTimeout) return 'authorization server keys unavailable';
  return 'token could not be verified';
}

/** `scope` (RFC 9068 §2.2.3, space-separated) or `scp` (array, Azure/Okta style). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  if (typeof payload.scp === 'string') return payload.scp.split(' ').filter((s) => s.length > 0);
  return [];
}

/** Audience check (RFC 8707), with the `client_id`-only form (e.g. AWS Cognito's) of listed clients as the only exception. */
function checkAudience(payload: JWTPayload, resource: string, audiencelessClientIds: ReadonlySet<string>): void {
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(resource)) throw new InvalidTokenError('token audience is not this resource');
    return;
  }
  if (payload.token_use !== 'access') throw new InvalidTokenError('token has no audience and is not an access token');
  if (typeof payload.client_id !== 'string' || !audiencelessClientIds.has(payload.client_id)) {
    throw new InvalidTokenError('token client is not allowed for this resource');
  }
}

/** A verified token as the cache keeps it: who it names, and until when it is trusted without a new check. */
interface CachedToken {
  principal: Principal;
  until: number;
}

/** Builds a verifier; keys are fetched lazily, cached, and refetched (with cooldown) on an unknown `kid`. */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_ACCESS_TOKEN_ALGORITHMS);
  const audiencelessClientIds = new Set(options.audiencelessClientIds ?? []);
  const clockTolerance = options.clockToleranceSec ?? 30;
  const timeoutDuration = options.timeoutMs ?? 5000;
  const cacheSize = options.cacheSize ?? 1000;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  // Keyed by the whole token, so any change to it (a forged signature, another claim) is a miss. Map order = LRU.
  // Signature, issuer and expiry are what the cache remembers; the audience is checked per request.
  const verified = new Map<string, CachedToken>();

  const getKeySet = remoteKeySet(options, timeoutDuration);

  const cached = (token: string, resource: string = options.resource): Principal | undefined => {
    // Looked up by hash only: no early-exit comparison of the presented token with a remembered one, whose time
    // could tell an attacker how much of a guess matches a real token (CWE-208).
    const hit = verified.get(token);
    if (hit === undefined) return undefined;
    verified.delete(token);
    if (now() >= hit.until) return undefined;
    verified.set(token, hit);
    // The audience is checked on every request: the same token may be presented under another resource name.
    checkAudience(hit.principal.claims as JWTPayload, resource, audiencelessClientIds);
    return hit.principal;
  };

  return {
    cached,
    async verify(token: string, resource: string = options.resource): Promise<Principal> {
      const hit = cached(token, resource);
      if (hit !== undefined) return hit;
      const principal = await verifySigned(token);
      checkAudience(principal.claims as JWTPayload, resource, audiencelessClientIds);
      if (cacheSize > 0) {
        // Trusted until the cache TTL or the token's own expiry, whichever comes first (no clock tolerance here).
        const exp = principal.claims['exp'] as number;
        const entry = { principal, until: Math.min(now() + cacheTtlMs, exp * 1000) };
        verified.set(token, entry);
        if (verified.size > cacheSize) verified.delete(verified.keys().next().value as string);
      }
      return principal;
    },
  };

  async function verifySigned(token: string): Promise<Principal> {
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    try {
      jwks = await getKeySet();
    } catch {
      throw new InvalidTokenError('authorization server keys unavailable');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        algorithms,
        clockTolerance,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new InvalidTokenError(describe(error));
    }
    return principalOf(payload);
  }
}

/**
 * The authorization server's key set, discovered on first use (RFC 8414 metadata unless `jwksUri` is given). A
 * failed discovery is retried on the next request instead of being cached forever.
 */
function remoteKeySet(
  options: AccessTokenVerifierOptions,
  timeoutDuration: number,
): () => Promise<ReturnType<typeof createRemoteJWKSet>> {
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  return () => {
    keySet ??= (async () => {
      const jwksUri =
        options.jwksUri ??
        (await fetchAuthorizationServerMetadata(options.issuer, { timeoutMs: timeoutDuration })).jwks_uri;
      if (typeof jwksUri !== 'string') throw new Error(`issuer ${options.issuer} publishes no jwks_uri`);
      // jose caches the set, refetches on an unknown kid, and limits refetches by the cooldown.
      return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration, cooldownDuration: 30_000 });
    })();
    keySet.catch(() => {
      keySet = undefined;
    });
    return keySet;
  };
}

/** The caller a verified token names. Frozen: one principal object serves every cached request of this token. */
function principalOf(payload: JWTPayload): Principal {
  const clientId =
    typeof payload.client_id === 'string'
      ? payload.client_id
      : typeof payload.azp === 'string'
        ? payload.azp
        : undefined;
  return Object.freeze({
    id: payload.sub as string,
    scopes: Object.freeze(scopesOf(payload)) as string[],
    claims: Object.freeze({ ...payload }) as Record<string, unknown>,
    ...(clientId !== undefined ? { clientId } : {}),
  });
}
