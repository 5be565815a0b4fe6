/**
 * The verified-token cache of the access-token verifier: a token sent again is not signature-checked again, but
 * the cache never outlives the token's `exp`, never accepts a changed token, and stays within its size.
 * Tokens are signed with the real sandbox authorization server's key and verified against its JWKS.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccessTokenVerifier,
  InvalidTokenError,
  type AccessTokenVerifierOptions,
} from '../../src/auth/access-token-verifier.js';
import { startSigningSandbox, type SigningSandbox } from '../helpers/sandbox-issuer.js';

const RESOURCE = 'http://127.0.0.1:3998/demo/mcp';

describe('verified-token cache', () => {
  let sandbox: SigningSandbox;
  let base: AccessTokenVerifierOptions;

  const seconds = (): number => Math.floor(Date.now() / 1000);
  const token = (claims: JWTPayload = {}): Promise<string> =>
    new SignJWT({
      iss: sandbox.as.issuer,
      aud: RESOURCE,
      sub: 'alice',
      scope: 'demo:read',
      iat: seconds(),
      exp: seconds() + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: sandbox.jwk.kid!, typ: 'at+jwt' })
      .sign(sandbox.key);

  beforeAll(async () => {
    sandbox = await startSigningSandbox([{ url: RESOURCE, scopes: ['demo:read'] }]);
    base = { resource: RESOURCE, issuer: sandbox.as.issuer };
  });

  afterAll(() => sandbox?.close());

  it('answers a token sent again from the cache (the same principal object)', async () => {
    const verifier = createAccessTokenVerifier(base);
    const t = await token();
    const first = await verifier.verify(t);
    expect(await verifier.verify(t)).toBe(first);
    expect(first.id).toBe('alice');
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('answers a cached token without a promise, still checking its audience per request', async () => {
    const verifier = createAccessTokenVerifier(base);
    const t = await token();
    expect(verifier.cached(t)).toBeUndefined();
    const first = await verifier.verify(t);
    expect(verifier.cached(t)).toBe(first);
    expect(verifier.cached(t, RESOURCE)).toBe(first);
    expect(() => verifier.cached(t, 'http://127.0.0.1:3998/other/mcp')).toThrow(InvalidTokenError);
    expect(verifier.cached(`${t}x`)).toBeUndefined();
  });

  it('answers tokens taking turns each with its own principal', async () => {
    const verifier = createAccessTokenVerifier(base);
    const [t1, t2] = await Promise.all([token({ sub: 'u1' }), token({ sub: 'u2' })]);
    const p1 = await verifier.verify(t1);
    const p2 = await verifier.verify(t2);
    for (let turn = 0; turn < 3; turn += 1) {
      expect(verifier.cached(t2)).toBe(p2);
      expect(verifier.cached(t2)).toBe(p2);
      expect(verifier.cached(t1)).toBe(p1);
    }
    expect([p1.id, p2.id]).toEqual(['u1', 'u2']);
  });

  it('checks every time with the cache off', async () => {
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 0 });
    const t = await token();
    expect(await verifier.verify(t)).not.toBe(await verifier.verify(t));
  });

  it('never trusts a cached token past its exp', async () => {
    let clock = Date.now();
    const verifier = createAccessTokenVerifier({ ...base, cacheTtlMs: 3_600_000, now: () => clock });
    const t = await token({ exp: seconds() + 120 });
    const first = await verifier.verify(t);
    clock += 60_000;
    expect(await verifier.verify(t)).toBe(first);
    clock += 61_000; // past exp by the cache's clock: verified again (jose, on the real clock, still accepts it)
    expect(await verifier.verify(t)).not.toBe(first);
  });

  it('refuses a changed token even when the original is cached', async () => {
    const verifier = createAccessTokenVerifier(base);
    const t = await token();
    await verifier.verify(t);
    const [header, payload, signature] = t.split('.') as [string, string, string];
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifier.verify(flipped)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('keeps at most cacheSize tokens, dropping the least recently used', async () => {
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 2 });
    const [t1, t2, t3] = await Promise.all([token({ sub: 'u1' }), token({ sub: 'u2' }), token({ sub: 'u3' })]);
    const p1 = await verifier.verify(t1);
    const p2 = await verifier.verify(t2);
    expect(await verifier.verify(t1)).toBe(p1); // t1 is now the most recent
    await verifier.verify(t3); // evicts t2
    expect(await verifier.verify(t1)).toBe(p1);
    expect(await verifier.verify(t2)).not.toBe(p2);
  });
});
