/**
 * The client credentials provider against the real sandbox authorization server (oidc-provider on 127.0.0.1):
 * token requests are counted at the authorization server, from its "sandbox token issued" log lines.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsProvider } from '../../src/auth/client-credentials.js';
import { createLogger } from '../../src/log.js';
import {
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';
import { SANDBOX_SERVICE_CLIENT } from '../../src/sandbox/sandbox-identities.js';

const API = 'http://127.0.0.1:1/api';

describe('createClientCredentialsProvider', () => {
  const issued: string[] = [];
  let as: SandboxAuthorizationServer;
  let shortLived: SandboxAuthorizationServer;

  /** Client credentials token requests the authorization server has answered so far. */
  const tokenRequests = (): number => issued.filter((line) => line.includes('"grantType":"client_credentials"')).length;

  beforeAll(async () => {
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => void (line.includes('sandbox token issued') && issued.push(line)) },
    });
    const resources = [{ url: API, scopes: ['api:read', 'api:write'] }];
    as = await startSandboxAuthorizationServer({ resources, logger });
    shortLived = await startSandboxAuthorizationServer({ resources, logger, accessTokenTtlSec: 2 });
  });

  afterAll(async () => {
    await as?.stop();
    await shortLived?.stop();
  });

  const provider = (server: SandboxAuthorizationServer, secret: string = SANDBOX_SERVICE_CLIENT.secret) =>
    createClientCredentialsProvider({
      tokenUrl: `${server.issuer}/token`,
      clientId: SANDBOX_SERVICE_CLIENT.id,
      clientSecret: secret,
      scope: 'api:read',
      resource: API,
    });

  it('gets an audience-bound token once, serves it from cache, and refetches after invalidate()', async () => {
    const tokens = provider(as);
    const before = tokenRequests();

    const first = await tokens.getToken();
    expect(decodeJwt(first)).toMatchObject({
      iss: as.issuer,
      aud: API,
      sub: SANDBOX_SERVICE_CLIENT.id,
      scope: 'api:read',
    });
    expect(tokenRequests() - before).toBe(1);

    expect(await tokens.getToken()).toBe(first);
    expect(tokenRequests() - before).toBe(1);

    tokens.invalidate();
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(tokenRequests() - before).toBe(2);
  });

  it('shares one request between concurrent callers (single-flight)', async () => {
    const tokens = provider(as);
    const before = tokenRequests();
    const all = await Promise.all(Array.from({ length: 8 }, () => tokens.getToken()));
    expect(new Set(all).size).toBe(1);
    expect(tokenRequests() - before).toBe(1);
  });

  it('refreshes a token that is about to expire', async () => {
    const tokens = provider(shortLived);
    const before = tokenRequests();
    const first = await tokens.getToken();
    // 2 s lifetime, 60 s skew: reused only briefly (at most 1 s), then fetched again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(tokenRequests() - before).toBe(2);
  });

  it('reports failures without the secret, and a later call retries', async () => {
    const secret = 'wrong-secret-value-123';
    const tokens = provider(as, secret);
    const given = [1, 2];
    for (const attempt of given) {
      const error = await tokens.getToken().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message, `attempt ${attempt}`).toMatch(/HTTP 401 invalid_client/);
      expect(error?.message).not.toContain(secret);
    }
  });

  it('reports an unreachable token endpoint', async () => {
    const tokens = createClientCredentialsProvider({
      tokenUrl: 'http://127.0.0.1:1/token',
      clientId: 'x',
      clientSecret: 'y',
      timeoutMs: 2000,
    });
    await expect(tokens.getToken()).rejects.toThrow(/token request to http:\/\/127\.0\.0\.1:1\/token failed/);
  });
});
