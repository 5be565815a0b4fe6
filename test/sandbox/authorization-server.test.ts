/**
 * The sandbox authorization server, end to end with real parts: oidc-provider on 127.0.0.1, the MCP SDK
 * client's own OAuth support (PRM discovery → RFC 8414 metadata → DCR → authorization code + PKCE with
 * `resource` → token → refresh) against an MCP endpoint served by `createHttpServer` and protected by our
 * resource server.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthResourceServer } from '../../src/auth/oauth-resource-server.js';
import type { CallContext } from '../../src/core/call-context.js';
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolResult, ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import {
  completeSandboxAuthorization,
  obtainSandboxToken,
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';
import { loadOrCreateSigningKeys } from '../../src/sandbox/authorization-keys.js';
import { SANDBOX_CLI_CLIENT, SANDBOX_IDENTITIES, withBackendClaims } from '../../src/sandbox/sandbox-identities.js';
import { SANDBOX_ORGANISATIONS, sandboxOrganisationClaims } from '../../src/overrides/finopps/organization.js';
import { createHttpServer, type HttpServerHandle } from '../../src/transport/http.js';
import { InMemoryOAuthProvider } from '../helpers/oauth-client-provider.js';

const SCOPES = ['demo:read', 'demo:write'];
const [FIRST_ORG, SECOND_ORG] = SANDBOX_ORGANISATIONS.map((o) => o.id);

/** A free loopback port (bound for a moment, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One tool that answers with the caller's principal, so the test sees what the token established. */
function whoamiService(): ToolService {
  const tools: ListedTool[] = [
    { name: 'whoami', description: 'The caller', inputSchema: { type: 'object', properties: {} } },
  ];
  return {
    backend: 'demo',
    stateful: false,
    listTools: () => tools,
    hasTool: (name) => name === 'whoami',
    callTool: async (_name: string, _args: unknown, ctx: CallContext): Promise<ToolResult> => {
      const structuredContent = { id: ctx.principal.id, scopes: ctx.principal.scopes, claims: ctx.principal.claims };
      return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    },
  };
}

describe('sandbox authorization server with the MCP SDK client', () => {
  let as: SandboxAuthorizationServer;
  let mcp: HttpServerHandle;
  let mcpUrl: string;
  let keysDir: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    keysDir = await mkdtemp(join(tmpdir(), 'finmcp-as-'));
    const port = await freePort();
    mcpUrl = `http://127.0.0.1:${port}/demo/mcp`;
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    as = await startSandboxAuthorizationServer({
      resources: [{ url: mcpUrl, scopes: SCOPES }],
      keysFile: join(keysDir, 'keys.json'),
      // The users carry what a backend's module adds (here FinOpps' organisations) on top of the generic ones.
      identities: withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]),
      logger,
    });
    const inboundAuth = createOAuthResourceServer({
      resource: mcpUrl,
      authorizationServers: [as.issuer],
      scopesSupported: SCOPES,
      toolScopes: () => ['demo:read'],
    });
    mcp = createHttpServer({
      port,
      backends: [{ service: whoamiService(), inboundAuth, info: { name: 'demo', version: '1.0.0' } }],
      allowedOrigins: [],
      rateLimit: false,
      logger,
    });
    await mcp.listen();
  });

  afterAll(async () => {
    await mcp?.close(0);
    await as?.stop();
    await rm(keysDir, { recursive: true, force: true });
  });

  it('serves RFC 8414 metadata with S256 PKCE, registration, refresh and client credentials', async () => {
    const response = await fetch(`${as.issuer}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(as.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.registration_endpoint).toBe(`${as.issuer}/reg`);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(SCOPES));
  });

  it('lets browser clients on loopback (Inspector) discover and register cross-origin, and nobody else', async () => {
    const given = [
      { origin: 'http://localhost:6274', want: 'http://localhost:6274' },
      { origin: 'http://127.0.0.1:6274', want: 'http://127.0.0.1:6274' },
      { origin: 'https://evil.example', want: null },
    ];
    for (const { origin, want } of given) {
      const preflight = await fetch(`${as.issuer}/reg`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBe(want);
      await preflight.body?.cancel();
      const registration = await fetch(`${as.issuer}/reg`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: [`${origin}/oauth/callback`],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'demo:read',
        }),
      });
      expect(registration.status, origin).toBe(201);
      expect(registration.headers.get('access-control-allow-origin'), origin).toBe(want);
      await registration.body?.cancel();
    }
    // Discovery documents are public to every origin (oidc-provider reflects it).
    const discovery = await fetch(`${as.issuer}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'https://any.example' },
    });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('https://any.example');
    await discovery.body?.cancel();
  });

  it('lets the SDK client discover, register, authorize with PKCE + resource, call a tool and refresh', async () => {
    const provider = new InMemoryOAuthProvider();

    // 1. Unauthenticated connect: 401 → PRM → AS metadata → DCR → redirect to the authorization endpoint.
    const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await expect(new Client({ name: 'vitest', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    expect(provider.information?.client_id).toEqual(expect.any(String));
    const authorizationUrl = provider.authorizationUrl;
    expect(authorizationUrl?.origin).toBe(as.issuer);
    expect(authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl?.searchParams.get('resource')).toBe(mcpUrl);
    expect(authorizationUrl?.searchParams.get('scope')).toBe(SCOPES.join(' '));

    // 2. The "browser": sign in as carol, allow; the AS redirects to the client's redirect URI with a code.
    const callback = await completeSandboxAuthorization(authorizationUrl!, 'carol');
    expect(callback.searchParams.get('iss')).toBe(as.issuer);
    const code = callback.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    await first.finishAuth(code!);

    // 3. The token is a JWT for this resource carrying the user's claims; a refresh token came with it.
    const tokens = provider.savedTokens!;
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: as.issuer,
      aud: mcpUrl,
      sub: 'carol',
      scope: SCOPES.join(' '),
      email: 'carol@example.com',
      'cognito:groups': [FIRST_ORG, SECOND_ORG],
    });

    // 4. Connect again with the token and call the tool: the resource server established the principal.
    const client = new Client({ name: 'vitest', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toMatchObject({ id: 'carol', scopes: SCOPES });
    await client.close();

    // 5. A rejected access token makes the SDK use the refresh token (resource-bound) and carry on.
    provider.savedTokens = { ...tokens, access_token: 'not.a.token' };
    const again = new Client({ name: 'vitest', version: '1.0.0' });
    await again.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    const refreshed = provider.savedTokens!.access_token;
    expect(refreshed).not.toBe('not.a.token');
    expect(decodeJwt(refreshed)).toMatchObject({ aud: mcpUrl, sub: 'carol' });
    const second = await again.callTool({ name: 'whoami', arguments: {} });
    expect(second.structuredContent).toMatchObject({ id: 'carol' });
    await again.close();
  });

  it('login and consent pages name the client by its client_name and list each scope once', async () => {
    const registration = await fetch(`${as.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Acme <Agent>',
        redirect_uris: ['http://127.0.0.1:9/callback'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        scope: SCOPES.join(' '),
      }),
    });
    expect(registration.status).toBe(201);
    const clientId = ((await registration.json()) as { client_id: string }).client_id;
    const authorize = new URL(`${as.issuer}/auth`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      resource: mcpUrl,
      scope: SCOPES.join(' '),
    }).toString();

    // A minimal browser: every cookie on every request (one loopback host), redirects followed by hand.
    const cookies = new Map<string, string>();
    const browse = async (url: URL, form?: Record<string, string>): Promise<Response> => {
      const response = await fetch(url, {
        method: form === undefined ? 'GET' : 'POST',
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return response;
    };
    const pageAfterRedirects = async (start: Response, from: URL): Promise<{ html: string; url: URL }> => {
      let response = start;
      let url = from;
      while (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        url = new URL(response.headers.get('location')!, url);
        response = await browse(url);
      }
      expect(response.status).toBe(200);
      return { html: await response.text(), url };
    };

    const login = await pageAfterRedirects(await browse(authorize), authorize);
    expect(login.html).toContain('<strong>Acme &#60;Agent&#62;</strong> asks you to sign in');
    expect(login.html).not.toContain(clientId);
    const loginAction = new URL(/<form method="post" action="([^"]+)">/.exec(login.html)![1]!, login.url);
    const consent = await pageAfterRedirects(await browse(loginAction, { user: 'alice' }), loginAction);
    expect(consent.html).toContain('<strong>Acme &#60;Agent&#62;</strong> asks for access to:');
    expect(consent.html).not.toContain(clientId);
    for (const scope of SCOPES) expect(consent.html.split(`<code>${scope}</code>`)).toHaveLength(2);
  });

  it('issues tokens to the CLI client for each demo user with their organisations', async () => {
    const given = [
      { user: 'alice', want: [FIRST_ORG] },
      { user: 'bob', want: [SECOND_ORG] },
      { user: 'carol', want: [FIRST_ORG, SECOND_ORG] },
    ];
    for (const { user, want } of given) {
      const token = await obtainSandboxToken({ issuer: as.issuer, user, resource: mcpUrl, scopes: ['demo:read'] });
      expect(decodeJwt(token), user).toMatchObject({
        sub: user,
        aud: mcpUrl,
        client_id: SANDBOX_CLI_CLIENT.id,
        scope: 'demo:read',
        'cognito:groups': want,
      });
    }
  });

  it('refuses what it must refuse', async () => {
    const given: Array<{ name: string; run: () => Promise<unknown>; want: RegExp }> = [
      {
        name: 'unknown user',
        run: () => obtainSandboxToken({ issuer: as.issuer, user: 'mallory', resource: mcpUrl, scopes: [] }),
        want: /unknown sandbox user "mallory"/,
      },
      {
        name: 'unknown resource',
        run: () =>
          obtainSandboxToken({ issuer: as.issuer, user: 'alice', resource: 'http://127.0.0.1:1/other', scopes: [] }),
        want: /invalid_target/,
      },
    ];
    for (const { name, run, want } of given) {
      await expect(run(), name).rejects.toThrow(want);
    }
  });

  it('requires PKCE: an authorization request without code_challenge is refused', async () => {
    const url = new URL(`${as.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: SANDBOX_CLI_CLIENT.id,
      redirect_uri: SANDBOX_CLI_CLIENT.redirectUri,
      resource: mcpUrl,
      scope: 'demo:read',
      state: 'xyz',
    }).toString();
    const callback = await completeSandboxAuthorization(url, 'alice');
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('serves only requests addressed to its loopback names (DNS rebinding)', async () => {
    const port = new URL(as.issuer).port;
    const given = [
      { host: `127.0.0.1:${port}`, want: 200 },
      { host: `localhost:${port}`, want: 200 },
      { host: `evil.example:${port}`, want: 403 },
      { host: `127.0.0.1:1`, want: 403 },
    ];
    for (const { host, want } of given) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status, host).toBe(want);
    }
  });

  it('persists its signing keys so a restarted server publishes the same key', async () => {
    const file = join(keysDir, 'keys.json');
    const mode = (await stat(file)).mode & 0o777;
    expect(mode).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { keys: Array<{ kid: string }> };
    const restarted = await startSandboxAuthorizationServer({ resources: [], keysFile: file });
    try {
      const jwks = (await (await fetch(`${restarted.issuer}/jwks`)).json()) as {
        keys: Array<{ kid: string; d?: string }>;
      };
      expect(jwks.keys.map((k) => k.kid)).toEqual(stored.keys.map((k) => k.kid));
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    } finally {
      await restarted.stop();
    }
    // Two processes creating the key file at once end up with one key set.
    const racing = join(keysDir, 'nested', 'race.json');
    const [a, b] = await Promise.all([loadOrCreateSigningKeys(racing), loadOrCreateSigningKeys(racing)]);
    expect(a.keys[0]?.kid).toEqual(expect.any(String));
    expect(b.keys[0]?.kid).toBe(a.keys[0]?.kid);
  });

  it('never logs tokens', () => {
    const joined = logLines.join('\n');
    expect(joined).toContain('sandbox authorization server listening');
    expect(joined).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });
});
