/**
 * The OAuth resource server against a real authorization server (the sandbox oidc-provider on 127.0.0.1):
 * its JWKS is discovered from its metadata; test tokens are real jose-signed JWTs, made with the server's own
 * persisted signing key (or with other keys and algorithms, for the attacks).
 */
import {
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOAuthResourceServer,
  verifyAccessToken,
  type OAuthResourceServer,
  type OAuthResourceServerOptions,
} from '../../src/auth/oauth-resource-server.js';
import { insufficientScopeHeader } from '../../src/auth/www-authenticate.js';
import { obtainSandboxToken, type SandboxAuthorizationServer } from '../../src/sandbox/authorization-server.js';
import { SANDBOX_CLI_CLIENT, SANDBOX_IDENTITIES, withBackendClaims } from '../../src/sandbox/sandbox-identities.js';
import { SANDBOX_ORGANISATIONS, sandboxOrganisationClaims } from '../../src/overrides/finopps/organization.js';
import { startSigningSandbox, type SigningSandbox } from '../helpers/sandbox-issuer.js';

const RESOURCE = 'http://127.0.0.1:3999/demo/mcp';
const PRM_URL = 'http://127.0.0.1:3999/.well-known/oauth-protected-resource/demo/mcp';
const SCOPES = ['demo:read', 'demo:write'];
const COGNITO_CLIENT = 'cognito-app-client';

describe('createOAuthResourceServer', () => {
  let sandbox: SigningSandbox;
  let as: SandboxAuthorizationServer;
  let signingKey: CryptoKey;
  let signingJwk: JWK;
  let rs: OAuthResourceServer;
  let options: OAuthResourceServerOptions;

  const now = (): number => Math.floor(Date.now() / 1000);
  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    iss: as.issuer,
    aud: RESOURCE,
    sub: 'alice',
    scope: 'demo:read',
    iat: now(),
    exp: now() + 300,
    ...overrides,
  });
  /** Signs with the authorization server's own key unless told otherwise. */
  const sign = async (
    payload: JWTPayload,
    header: { alg?: string; kid?: string; key?: CryptoKey | Uint8Array } = {},
  ): Promise<string> =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: header.alg ?? 'RS256', kid: header.kid ?? signingJwk.kid, typ: 'at+jwt' })
      .sign(header.key ?? signingKey);
  const without = (payload: JWTPayload, ...names: string[]): JWTPayload =>
    Object.fromEntries(Object.entries(payload).filter(([name]) => !names.includes(name)));

  beforeAll(async () => {
    // The users carry what FinOpps' module adds (their organisations), as under `serve --sandbox`.
    sandbox = await startSigningSandbox(
      [{ url: RESOURCE, scopes: SCOPES }],
      withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]),
    );
    ({ as, jwk: signingJwk, key: signingKey } = sandbox);
    options = {
      resource: RESOURCE,
      authorizationServers: [as.issuer],
      scopesSupported: SCOPES,
      toolScopes: (tool) => (tool === 'create_invoice' ? ['demo:write'] : ['demo:read']),
      audiencelessClientIds: [COGNITO_CLIENT],
    };
    rs = createOAuthResourceServer(options);
  });

  afterAll(() => sandbox?.close());

  it('challenges a request without a token with resource_metadata and scope (401, no error code)', async () => {
    const given = [undefined, 'Basic dXNlcjpwYXNz', ''];
    for (const header of given) {
      const result = await rs.authenticate(header);
      expect(result, String(header)).toEqual({
        ok: false,
        status: 401,
        headers: { 'www-authenticate': `Bearer scope="demo:read demo:write", resource_metadata="${PRM_URL}"` },
        body: { error: 'unauthorized', error_description: 'a bearer access token is required' },
      });
    }
  });

  it('rejects bad tokens with 401 invalid_token and a description that never holds the token', async () => {
    const otherKeys = await generateKeyPair('RS256', { extractable: true });
    const publicPem = await exportSPKI((await importJWK(publicPart(signingJwk), 'RS256')) as CryptoKey);
    const good = await sign(claims());
    const [head, body, signature] = good.split('.') as [string, string, string];
    const given: Array<{ name: string; token: () => Promise<string>; want: RegExp }> = [
      { name: 'malformed', token: async () => 'not-a-jwt', want: /malformed/ },
      {
        name: 'wrong audience',
        token: () => sign(claims({ aud: 'http://127.0.0.1:3999/other/mcp' })),
        want: /audience/,
      },
      { name: 'wrong issuer', token: () => sign(claims({ iss: 'http://127.0.0.1:1' })), want: /claim "iss"/ },
      { name: 'expired', token: () => sign(claims({ exp: now() - 120 })), want: /expired/ },
      { name: 'not yet valid', token: () => sign(claims({ nbf: now() + 120 })), want: /claim "nbf"/ },
      { name: 'no exp', token: () => sign(without(claims(), 'exp')), want: /claim "exp"/ },
      { name: 'no sub', token: () => sign(without(claims(), 'sub')), want: /claim "sub"/ },
      { name: 'alg none', token: async () => new UnsecuredJWT(claims()).encode(), want: /algorithm not allowed/ },
      {
        name: 'bad signature',
        token: async () => `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
        want: /signature is invalid/,
      },
      {
        name: 'payload swapped under a valid signature',
        token: async () =>
          `${head}.${Buffer.from(JSON.stringify(claims({ sub: 'mallory' }))).toString('base64url')}.${signature}`,
        want: /signature is invalid/,
      },
      {
        name: 'unknown kid (key not in the JWKS)',
        token: () => sign(claims(), { kid: 'not-in-the-jwks', key: otherKeys.privateKey }),
        want: /signing key is unknown/,
      },
      {
        name: 'known kid, other key',
        token: () => sign(claims(), { key: otherKeys.privateKey }),
        want: /signature is invalid/,
      },
      {
        name: 'HS256 signed with the public key (algorithm confusion)',
        token: () => sign(claims(), { alg: 'HS256', key: new TextEncoder().encode(publicPem) }),
        want: /algorithm not allowed/,
      },
      {
        name: 'Cognito-style token from a client not allowed',
        token: () => sign(without(claims({ client_id: 'other-app', token_use: 'access' }), 'aud')),
        want: /client is not allowed/,
      },
      {
        name: 'Cognito-style token without token_use=access (an ID token)',
        token: () => sign(without(claims({ client_id: COGNITO_CLIENT, token_use: 'id' }), 'aud')),
        want: /not an access token/,
      },
      {
        name: 'Cognito ID token (aud = client id)',
        token: () => sign(claims({ aud: COGNITO_CLIENT, token_use: 'id' })),
        want: /audience/,
      },
    ];
    for (const { name, token: make, want } of given) {
      const token = await make();
      const result = await rs.authenticate(`Bearer ${token}`);
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect(result.status, name).toBe(401);
      const challenge = result.headers['www-authenticate'] ?? '';
      expect(challenge, name).toMatch(
        /^Bearer error="invalid_token", error_description="[^"]+", scope="demo:read demo:write", resource_metadata="/,
      );
      expect(challenge, name).toContain(`resource_metadata="${PRM_URL}"`);
      expect(result.body.error, name).toBe('invalid_token');
      expect(result.body.error_description, name).toMatch(want);
      expect(JSON.stringify(result), name).not.toContain(token);
      // For the security log: the subject the token claims (unverified), when it is a JWT with one.
      const claimed =
        name === 'malformed' || name === 'no sub'
          ? undefined
          : name.startsWith('payload swapped')
            ? 'mallory'
            : claims().sub;
      expect(result.claimedSubject, name).toBe(claimed);
    }
  });

  it('accepts good tokens and builds the principal', async () => {
    const [firstOrg] = SANDBOX_ORGANISATIONS.map((o) => o.id);
    const given: Array<{ name: string; token: () => Promise<string>; want: Record<string, unknown> }> = [
      {
        name: 'issued by the authorization server (code + PKCE)',
        token: () =>
          obtainSandboxToken({ issuer: as.issuer, user: 'alice', resource: RESOURCE, scopes: ['demo:read'] }),
        want: {
          id: 'alice',
          scopes: ['demo:read'],
          clientId: SANDBOX_CLI_CLIENT.id,
          claims: expect.objectContaining({ email: 'alice@example.com', 'cognito:groups': [firstOrg] }),
        },
      },
      {
        name: 'scp array, audience list',
        token: () => sign(without(claims({ scp: SCOPES, aud: ['http://other', RESOURCE] }), 'scope')),
        want: { id: 'alice', scopes: SCOPES },
      },
      {
        name: 'expired within the clock tolerance',
        token: () => sign(claims({ exp: now() - 10 })),
        want: { id: 'alice', scopes: ['demo:read'] },
      },
      {
        name: 'Cognito-style access token from an allowed client',
        token: () => sign(without(claims({ sub: 'svc', client_id: COGNITO_CLIENT, token_use: 'access' }), 'aud')),
        want: { id: 'svc', clientId: COGNITO_CLIENT, scopes: ['demo:read'] },
      },
    ];
    for (const { name, token, want } of given) {
      const result = await rs.authenticate(`bearer ${await token()}`);
      expect(result, name).toMatchObject({ ok: true, principal: want });
    }
  });

  it('serves RFC 9728 metadata at the path-inserted and the root well-known URIs', () => {
    const want = {
      resource: RESOURCE,
      authorization_servers: [as.issuer],
      scopes_supported: SCOPES,
      bearer_methods_supported: ['header'],
    };
    expect(rs.wellKnown()).toEqual({
      '/.well-known/oauth-protected-resource/demo/mcp': want,
      '/.well-known/oauth-protected-resource': want,
    });
    expect(rs.resourceMetadataUrl).toBe(PRM_URL);
  });

  it('with resourceHosts, names the resource by the Host used: metadata, challenge, 403 and the required audience', async () => {
    const aliased = createOAuthResourceServer({ ...options, resourceHosts: ['LOCALHOST:3999', '127.0.0.1:3999'] });
    const alias = 'http://localhost:3999/demo/mcp';
    const aliasMetadata = 'http://localhost:3999/.well-known/oauth-protected-resource/demo/mcp';
    expect(aliased.wellKnown('localhost:3999')['/.well-known/oauth-protected-resource/demo/mcp']).toMatchObject({
      resource: alias,
    });
    expect(aliased.wellKnown('127.0.0.1:3999')['/.well-known/oauth-protected-resource/demo/mcp']).toMatchObject({
      resource: RESOURCE,
    });
    // A Host not among them (the transport refuses it anyway) and no Host (stdio) get the configured resource.
    expect(aliased.wellKnown('elsewhere:3999')['/.well-known/oauth-protected-resource']).toMatchObject({
      resource: RESOURCE,
    });
    expect(aliased.wellKnown()['/.well-known/oauth-protected-resource']).toMatchObject({ resource: RESOURCE });
    const missing = await aliased.authenticate(undefined, 'localhost:3999');
    expect(missing).toMatchObject({ ok: false, status: 401 });
    expect(!missing.ok && missing.headers['www-authenticate']).toContain(`resource_metadata="${aliasMetadata}"`);
    expect(aliased.insufficientScope(['demo:write'], 'localhost:3999').headers['www-authenticate']).toContain(
      `resource_metadata="${aliasMetadata}"`,
    );
    // A token is for the name it was asked for, even when the cache has already seen it under the other name.
    const forAlias = await sign(claims({ aud: alias }));
    expect(await aliased.authenticate(`Bearer ${forAlias}`, 'localhost:3999')).toMatchObject({ ok: true });
    expect(await aliased.authenticate(`Bearer ${forAlias}`, '127.0.0.1:3999')).toMatchObject({
      ok: false,
      body: { error_description: 'token audience is not this resource' },
    });
    expect(await aliased.authenticate(`Bearer ${await sign(claims())}`, 'localhost:3999')).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('answers missing scopes with 403 insufficient_scope', () => {
    const given = [
      { tool: 'create_invoice', want: 'demo:write' },
      { tool: 'list_invoices', want: 'demo:read' },
    ];
    for (const { tool, want } of given) {
      const required = rs.requiredScopes(tool);
      expect(required).toEqual([want]);
      const header = `Bearer error="insufficient_scope", error_description="the access token does not carry the scopes this request needs", scope="${want}", resource_metadata="${PRM_URL}"`;
      expect(insufficientScopeHeader(RESOURCE, required)).toBe(header);
      expect(rs.insufficientScope(required)).toEqual({
        ok: false,
        status: 403,
        headers: { 'www-authenticate': header },
        body: { error: 'insufficient_scope', error_description: `required scopes: ${want}` },
      });
    }
  });

  it('answers 401 when the issuer cannot be reached, and refuses unsafe configurations', async () => {
    const unreachable = createOAuthResourceServer({ ...options, authorizationServers: ['http://127.0.0.1:1'] });
    const result = await unreachable.authenticate(`Bearer ${await sign(claims())}`);
    expect(result).toMatchObject({
      ok: false,
      status: 401,
      body: { error_description: 'authorization server keys unavailable' },
    });

    const given: Array<{ name: string; change: Partial<OAuthResourceServerOptions>; want: RegExp }> = [
      { name: 'HS256', change: { algorithms: ['RS256', 'HS256'] }, want: /HS256 is not allowed/ },
      { name: 'none', change: { algorithms: ['none'] }, want: /none is not allowed/ },
      { name: 'no algorithms', change: { algorithms: [] }, want: /must not be empty/ },
      { name: 'no issuer', change: { authorizationServers: [] }, want: /at least one issuer/ },
    ];
    for (const { name, change, want } of given) {
      expect(() => createOAuthResourceServer({ ...options, ...change }), name).toThrow(want);
    }
  });

  it('verifyAccessToken validates a token from the environment the same way (stdio)', async () => {
    const good = await sign(claims({ sub: 'bob' }));
    await expect(verifyAccessToken(good, options)).resolves.toMatchObject({ id: 'bob', scopes: ['demo:read'] });
    await expect(verifyAccessToken(`Bearer ${good}\n`, options)).resolves.toMatchObject({ id: 'bob' });

    const expired = await sign(claims({ exp: now() - 120 }));
    const error = await verifyAccessToken(expired, options).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('access token rejected: token expired');
    expect(error?.message).not.toContain(expired);
  });
});

/** The public members of an RSA private JWK. */
function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: jwk.alg, kid: jwk.kid };
}
