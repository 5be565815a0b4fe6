/**
 * FinOpps's security promises, end to end (README "Security model"; issue "FinOpps: OAuth 2.1 resource server,
 * tenant isolation, read-only"). Real parts: the server `startServers` assembles, over Streamable HTTP; a real
 * sandbox oidc-provider authorization server started here (it issues the users' tokens AND the server's own
 * client-credentials token); the official SDK `Client`. The only stand-in is the backend: a recording stub, because
 * what the backend received is exactly what has to be proven (organisation in the path, token, method).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendLoaders } from '../../generated/index.gen.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { buildServedTools } from '../../src/core/served-tools.js';
import type { GeneratedBackend, ListedTool } from '../../contract/descriptor.js';
import { createLogger } from '../../src/log.js';
import { createFinoppsOverrides } from '../../src/overrides/finopps/overrides.js';
import {
  completeSandboxAuthorization,
  obtainSandboxToken,
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';
import { findFreePort } from '../../src/free-port.js';
import {
  SANDBOX_CLI_CLIENT,
  SANDBOX_IDENTITIES,
  SANDBOX_SERVICE_CLIENT,
  withBackendClaims,
  type SandboxIdentity,
} from '../../src/sandbox/sandbox-identities.js';
import { SANDBOX_ORGANISATIONS, sandboxOrganisationClaims } from '../../src/overrides/finopps/organization.js';
import { reply, startFaultBackend, type FaultBackend, type RecordedRequest } from '../../testkit/fault-backend.js';
import { exampleArgumentsByTool } from '../helpers/spec-examples.js';
import { bearerParams, jwtPayload, mcpPost, responseExamplesByTool, specOperations, toolCall } from './helpers.js';
import { InMemoryOAuthProvider } from '../helpers/oauth-client-provider.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const [ORG_A, ORG_B] = SANDBOX_ORGANISATIONS.map((o) => o.id) as [string, string];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** A user the authorization server knows, whose tokens carry no organisation claim at all. */
const DAVE: SandboxIdentity = { id: 'dave', claims: { email: 'dave@example.com', name: 'Dave Nobody' } };
/** Another resource the same authorization server issues tokens for (the "wrong audience"). */
const OTHER_RESOURCE = 'https://other-mcp.example/mcp';
const EXPECTED_TOOLS = [
  'get_business',
  'get_financial_summary',
  'get_invoice',
  'list_expenses',
  'list_invoices',
  'payments_report',
  'search_customers',
];

let finopps: GeneratedBackend;
let allScopes: string[];
/** The backend API audience of the service token (the spec's first server URL). */
let serviceAudience: string;
let as: SandboxAuthorizationServer;
let backend: FaultBackend;
let running: RunningServers;
let publicUrl: string;
let endpoint: string;
let settingsEnv: Record<string, string>;
/** Example arguments per tool (spec examples, filtered to the served input schema). */
let exampleArgs: Map<string, Record<string, unknown>>;
const tokens: Record<'alice' | 'bob' | 'carol' | 'dave', string> = { alice: '', bob: '', carol: '', dave: '' };
/** Every token issued to an end user in this file (and refresh tokens): none may ever reach the backend. */
const userSecrets = new Set<string>();

function scopesOf(generated: GeneratedBackend): string[] {
  return [
    ...new Set(generated.tools.flatMap((t) => t.operation.security.flatMap((r) => Object.values(r).flat()))),
  ].sort();
}

async function userToken(
  user: string,
  options: { scopes?: string[]; resource?: string; issuer?: string } = {},
): Promise<string> {
  const token = await obtainSandboxToken({
    issuer: options.issuer ?? as.issuer,
    user,
    resource: options.resource ?? endpoint,
    scopes: options.scopes ?? allScopes,
  });
  userSecrets.add(token);
  return token;
}

async function connect(token: string, url = endpoint): Promise<Client> {
  const client = new Client({ name: 'finmcp-security', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

/** A client-credentials token of the service client, requested here exactly as the server requests its own. */
async function serviceClientToken(): Promise<string> {
  const response = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${SANDBOX_SERVICE_CLIENT.id}:${SANDBOX_SERVICE_CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: allScopes.join(' '),
      resource: serviceAudience,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || body.access_token === undefined)
    throw new Error(`client credentials grant failed: HTTP ${response.status}`);
  return body.access_token;
}

/** Calls a tool and returns its result with the backend requests that call caused (the stub records in order). */
async function recordedCall(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: ToolResult; text: string; requests: RecordedRequest[] }> {
  const before = backend.requests.length;
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const requests = backend.requests.slice(before);
  return { result, text: result.content.map((c) => c.text).join('\n'), requests };
}

/** Everything the backend saw of one request, as one string (to look for ids or tokens anywhere in it). */
function everything(request: RecordedRequest): string {
  return JSON.stringify(request);
}

/** The request is scoped to `org`: its path starts with `/organizations/<org>/`, and stays so once normalised. */
function expectScopedTo(request: RecordedRequest, org: string, other: string, label: string): void {
  expect(request.path.startsWith(`/organizations/${org}/`), `${label}: ${request.path}`).toBe(true);
  // A backend that resolves dot-segments or decodes %2F must land in the same organisation.
  const normalised = new URL(decodeURIComponent(request.path), 'http://backend.invalid').pathname;
  expect(normalised.startsWith(`/organizations/${org}/`), `${label}: normalised ${normalised}`).toBe(true);
  expect(normalised.includes(`/organizations/${other}`), `${label}: ${normalised}`).toBe(false);
}

beforeAll(async () => {
  finopps = await backendLoaders['finopps']!();
  allScopes = scopesOf(finopps);
  serviceAudience = finopps.servers[0]!;
  backend = await startFaultBackend();
  const port = await findFreePort('127.0.0.1');
  publicUrl = `http://127.0.0.1:${port}`;
  endpoint = `${publicUrl}/finopps/mcp`;
  as = await startSandboxAuthorizationServer({
    resources: [
      { url: endpoint, scopes: allScopes },
      { url: serviceAudience, scopes: allScopes },
      { url: OTHER_RESOURCE, scopes: allScopes },
    ],
    identities: [...withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]), DAVE],
    logger,
  });
  settingsEnv = {
    FINMCP_PUBLIC_URL: publicUrl,
    FINOPPS_BACKEND_URL: backend.url,
    FINOPPS_OAUTH_ISSUER: as.issuer,
    FINOPPS_TOKEN_URL: `${as.issuer}/token`,
    FINOPPS_CLIENT_ID: SANDBOX_SERVICE_CLIENT.id,
    FINOPPS_CLIENT_SECRET: SANDBOX_SERVICE_CLIENT.secret,
    FINMCP_MAX_ATTEMPTS: '1',
    // Many calls per user in a few seconds: the per-principal limit is not what this file tests.
    FINMCP_RATE_LIMIT_PER_MINUTE: '600000',
  };
  running = await startServers(
    ['finopps'],
    { transport: 'http', port: String(port) },
    new Settings(settingsEnv),
    logger,
  );
  expect(running.endpoints['finopps']).toBe(endpoint);
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((u) => userToken(u)));
  Object.assign(tokens, { alice, bob, carol, dave });

  // The stub answers every tool, for both organisations, with the spec's own 200 example.
  const client = await connect(tokens.alice);
  const { tools } = await client.listTools();
  await client.close();
  exampleArgs = exampleArgumentsByTool(finopps, tools as ListedTool[]);
  const examples = responseExamplesByTool(finopps);
  for (const tool of finopps.tools) {
    for (const org of [ORG_A, ORG_B]) {
      const path = tool.operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'organizationId' ? org : String(exampleArgs.get(tool.name)?.[name]),
      );
      backend.script(path, reply.json(200, examples.get(tool.name)));
    }
  }
}, 120_000);

afterAll(async () => {
  await running?.close();
  await as?.stop();
  await backend?.close();
});

describe('1. the SDK client completes OAuth 2.1 (authorization code + PKCE, DCR, resource indicator) and calls every tool', () => {
  it('discovers the AS from the 401, registers, authorizes as alice, then every FinOpps tool succeeds', async () => {
    const provider = new InMemoryOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: provider });
    await expect(new Client({ name: 'finmcp-security', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );

    // Dynamic client registration happened: a new client id, not one of the pre-registered clients.
    const clientId = provider.information?.client_id;
    expect(clientId).toEqual(expect.any(String));
    expect([SANDBOX_CLI_CLIENT.id, SANDBOX_SERVICE_CLIENT.id]).not.toContain(clientId);
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.origin).toBe(as.issuer);
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
    expect(authorizationUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizationUrl.searchParams.get('resource')).toBe(endpoint);

    const callback = await completeSandboxAuthorization(authorizationUrl, 'alice');
    expect(callback.searchParams.get('iss')).toBe(as.issuer);
    const code = callback.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    await first.finishAuth(code!);
    const saved = provider.savedTokens!;
    userSecrets.add(saved.access_token);
    if (saved.refresh_token !== undefined) userSecrets.add(saved.refresh_token);
    expect(jwtPayload(saved.access_token)).toMatchObject({
      iss: as.issuer,
      aud: endpoint,
      sub: 'alice',
      client_id: clientId,
    });

    const client = new Client({ name: 'finmcp-security', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: provider }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(EXPECTED_TOOLS);
    for (const tool of tools) {
      const { result, text, requests } = await recordedCall(client, tool.name, exampleArgs.get(tool.name) ?? {});
      expect(result.isError, `${tool.name}: ${text}`).not.toBe(true);
      expect(result.structuredContent, tool.name).toBeDefined();
      expect(requests, tool.name).toHaveLength(1);
      expectScopedTo(requests[0]!, ORG_A, ORG_B, tool.name);
    }
    await client.close();
  });
});

describe('2. tenant isolation: the organisation comes from the token only', () => {
  let alice: Client;
  let bob: Client;
  let carol: Client;
  let tools: ListedTool[];

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([connect(tokens.alice), connect(tokens.bob), connect(tokens.carol)]);
    tools = (await alice.listTools()).tools as ListedTool[];
    expect(tools.map((t) => t.name).sort()).toEqual(EXPECTED_TOOLS);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
  });

  it('no tool takes organizationId; every call of alice reaches the backend under her organisation and never names B', async () => {
    for (const tool of tools) {
      expect(Object.keys(tool.inputSchema['properties'] as object), tool.name).not.toContain('organizationId');
      const { result, text, requests } = await recordedCall(alice, tool.name, exampleArgs.get(tool.name) ?? {});
      expect(result.isError, `${tool.name}: ${text}`).not.toBe(true);
      expect(requests, tool.name).toHaveLength(1);
      expectScopedTo(requests[0]!, ORG_A, ORG_B, tool.name);
      expect(everything(requests[0]!), tool.name).not.toContain(ORG_B);
    }
  });

  it('refuses organizationId (and look-alike names) carrying B, for every tool, without calling the backend', async () => {
    for (const tool of tools) {
      for (const name of ['organizationId', 'organization_id', 'orgId', 'OrganizationId', 'tenantId', 'tenant']) {
        const { result, text, requests } = await recordedCall(alice, tool.name, {
          ...exampleArgs.get(tool.name),
          [name]: ORG_B,
        });
        expect(result.isError, `${tool.name} ${name}`).toBe(true);
        expect(requests, `${tool.name} ${name}`).toHaveLength(0);
        if (name === 'organizationId') expect(text).toMatch(/cannot be set: it comes from your credentials/);
      }
    }
  });

  it('refuses organization = B for alice, naming only her own organisation, without calling the backend', async () => {
    for (const tool of tools) {
      const { result, text, requests } = await recordedCall(alice, tool.name, {
        ...exampleArgs.get(tool.name),
        organization: ORG_B,
      });
      expect(result.isError, tool.name).toBe(true);
      expect(requests, tool.name).toHaveLength(0);
      expect(text.match(UUID) ?? [], `${tool.name}: ${text}`).toEqual([ORG_A]);
    }
  });

  it("keeps B's id inside any other string argument scoped to A (refused, or sent under /organizations/<A>/)", async () => {
    const payloads = [
      ORG_B,
      `../${ORG_B}`,
      `../../${ORG_B}/business`,
      `../../../organizations/${ORG_B}/invoices`,
      `%2e%2e%2f%2e%2e%2f${ORG_B}`,
      `/organizations/${ORG_B}/business`,
    ];
    let reached = 0;
    for (const tool of tools) {
      const properties = tool.inputSchema['properties'] as Record<string, { type?: unknown }>;
      const stringProps = Object.keys(properties).filter(
        (p) => properties[p]?.type === 'string' && p !== 'organization',
      );
      for (const prop of stringProps) {
        for (const payload of payloads) {
          const label = `${tool.name} ${prop}=${payload}`;
          const { requests } = await recordedCall(alice, tool.name, { ...exampleArgs.get(tool.name), [prop]: payload });
          expect(requests.length, label).toBeLessThanOrEqual(1);
          for (const request of requests) expectScopedTo(request, ORG_A, ORG_B, label);
          reached += requests.length;
        }
      }
    }
    // Not vacuous: some of these (a search term, an invoice id, a cursor) did reach the backend, still under A.
    expect(reached).toBeGreaterThan(3);
    const { requests } = await recordedCall(alice, 'search_customers', { query: ORG_B });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe(`/organizations/${ORG_A}/customers/search`);
    expect(new URLSearchParams(requests[0]!.query).get('query')).toBe(ORG_B);
  });

  it('carol (both organisations) must pick one: without organization every tool answers an error listing only hers', async () => {
    for (const tool of tools) {
      const { result, text, requests } = await recordedCall(carol, tool.name, exampleArgs.get(tool.name) ?? {});
      expect(result.isError, tool.name).toBe(true);
      expect(requests, tool.name).toHaveLength(0);
      expect(text).toMatch(/several organisations/);
      expect([...new Set(text.match(UUID))].sort(), text).toEqual([ORG_A, ORG_B].sort());
    }
  });

  it('carol reaches exactly the organisation she picks', async () => {
    for (const tool of tools) {
      for (const [org, other] of [
        [ORG_A, ORG_B],
        [ORG_B, ORG_A],
      ] as const) {
        const { result, text, requests } = await recordedCall(carol, tool.name, {
          ...exampleArgs.get(tool.name),
          organization: org,
        });
        expect(result.isError, `${tool.name} ${org}: ${text}`).not.toBe(true);
        expect(requests, tool.name).toHaveLength(1);
        expectScopedTo(requests[0]!, org, other, `${tool.name} as carol in ${org}`);
      }
    }
  });

  it("bob's token with organization = A is refused for every tool; without it he only reaches B", async () => {
    for (const tool of tools) {
      const refused = await recordedCall(bob, tool.name, { ...exampleArgs.get(tool.name), organization: ORG_A });
      expect(refused.result.isError, tool.name).toBe(true);
      expect(refused.requests, tool.name).toHaveLength(0);
      expect(refused.text.match(UUID) ?? [], refused.text).toEqual([ORG_B]);

      const own = await recordedCall(bob, tool.name, exampleArgs.get(tool.name) ?? {});
      expect(own.result.isError, `${tool.name}: ${own.text}`).not.toBe(true);
      expect(own.requests).toHaveLength(1);
      expectScopedTo(own.requests[0]!, ORG_B, ORG_A, `${tool.name} as bob`);
    }
  });
});

describe('3. no token passthrough: the backend only ever sees the server’s own client-credentials token', () => {
  it('every recorded Authorization is a service JWT (verified against the AS keys), never a user token', async () => {
    // At least one fresh call, so the check does not depend on other tests having run.
    const client = await connect(tokens.alice);
    const { requests: fresh } = await recordedCall(client, 'get_business', {});
    await client.close();
    expect(fresh).toHaveLength(1);

    // A client-credentials token obtained here the way the server obtains its own: the reference to compare with.
    const reference = jwtPayload(await serviceClientToken())!;
    expect(reference).toMatchObject({ iss: as.issuer, aud: serviceAudience, client_id: SANDBOX_SERVICE_CLIENT.id });

    const jwks = createRemoteJWKSet(new URL(`${as.issuer}/jwks`));
    const userIds = new Set(['alice', 'bob', 'carol', 'dave']);
    const seen = new Set<string>();
    expect(backend.requests.length).toBeGreaterThan(0);
    for (const request of backend.requests) {
      const header = request.headers['authorization'];
      expect(typeof header, request.path).toBe('string');
      const match = /^Bearer (\S+)$/.exec(header as string);
      expect(match, String(header)).not.toBeNull();
      const token = match![1]!;
      expect(userSecrets.has(token), request.path).toBe(false);
      for (const secret of userSecrets) expect(everything(request)).not.toContain(secret.split('.').pop()!);
      if (seen.has(token)) continue;
      seen.add(token);
      const { payload } = await jwtVerify(token, jwks, { issuer: as.issuer, audience: serviceAudience });
      expect(payload['client_id']).toBe(SANDBOX_SERVICE_CLIENT.id);
      expect(userIds.has(String(payload.sub))).toBe(false);
      expect(payload['cognito:groups']).toBeUndefined();
      expect(payload['email']).toBeUndefined();
      expect(payload['scope']).toBe(reference['scope']);
    }
    // The user tokens themselves are audience-bound to the MCP endpoint, so the comparison is meaningful.
    expect(jwtPayload(tokens.alice)).toMatchObject({ aud: endpoint, sub: 'alice' });
  });
});

describe('4. read-only', () => {
  it('serves exactly the GET operations of the spec, each annotated readOnlyHint: true', async () => {
    const client = await connect(tokens.alice);
    const { tools } = await client.listTools();
    await client.close();
    const gets = specOperations(finopps).filter((op) => op.startsWith('GET '));
    expect(tools).toHaveLength(gets.length);
    for (const tool of tools) {
      const descriptor = finopps.tools.find((t) => t.name === tool.name);
      expect(descriptor?.operation.method, tool.name).toBe('get');
      expect(gets).toContain(`GET ${descriptor!.operation.path}`);
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(tool.annotations?.destructiveHint, tool.name).not.toBe(true);
    }
  });

  it('the FinOpps overrides drop any non-GET operation the spec might gain', () => {
    const template = finopps.tools.find((t) => t.name === 'get_business')!;
    const writes = (['post', 'put', 'patch', 'delete'] as const).map((method) => ({
      ...template,
      name: `${method}_business`,
      annotations: { ...template.annotations, readOnlyHint: false },
      operation: { ...template.operation, method },
    }));
    const generated: GeneratedBackend = {
      ...finopps,
      tools: [...finopps.tools, ...writes],
      validators: {
        ...finopps.validators,
        ...Object.fromEntries(writes.map((w) => [w.name, finopps.validators['get_business']!])),
      },
    };
    const overrides = createFinoppsOverrides({
      serviceToken: async () => 'unused',
      invalidateServiceToken: () => undefined,
    });
    const { listed } = buildServedTools({ generated, overrides }, 200_000);
    expect(listed.map((t) => t.name).sort()).toEqual(EXPECTED_TOOLS);
  });
});

describe('5. rejections at the HTTP level', () => {
  const list = toolCall('list_invoices', {});

  it('no token: 401 whose resource_metadata names the PRM document, which lists this AS', async () => {
    const before = backend.requests.length;
    const { status, headers } = await mcpPost(endpoint, list);
    expect(status).toBe(401);
    const params = bearerParams(headers.get('www-authenticate'));
    expect(params?.['resource_metadata']).toBe(`${publicUrl}/.well-known/oauth-protected-resource/finopps/mcp`);
    expect(params?.['error']).toBeUndefined();
    const prm = await fetch(params!['resource_metadata']!);
    expect(prm.status).toBe(200);
    const metadata = (await prm.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: endpoint, authorization_servers: [as.issuer] });
    expect([...(metadata['scopes_supported'] as string[])].sort()).toEqual(allScopes);
    const asMetadata = (await (await fetch(`${as.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(asMetadata['issuer']).toBe(as.issuer);
    expect(asMetadata['code_challenge_methods_supported']).toContain('S256');
    expect(backend.requests.length).toBe(before);
  });

  it('a token for another resource (wrong audience), the service token, or garbage: 401 invalid_token', async () => {
    const wrongAudience = await userToken('alice', { resource: OTHER_RESOURCE });
    expect(jwtPayload(wrongAudience)).toMatchObject({ iss: as.issuer, aud: OTHER_RESOURCE, sub: 'alice' });
    const serviceToken = await serviceClientToken();
    expect(jwtPayload(serviceToken)).toMatchObject({
      iss: as.issuer,
      aud: serviceAudience,
      client_id: SANDBOX_SERVICE_CLIENT.id,
    });
    const before = backend.requests.length;
    for (const [label, token] of [
      ['wrong audience', wrongAudience],
      ['service token', serviceToken],
      ['garbage', 'not-a-jwt'],
    ] as const) {
      const { status, headers, body } = await mcpPost(endpoint, list, { authorization: `Bearer ${token}` });
      expect(status, label).toBe(401);
      const params = bearerParams(headers.get('www-authenticate'));
      expect(params?.['error'], label).toBe('invalid_token');
      expect(params?.['resource_metadata'], label).toBe(
        `${publicUrl}/.well-known/oauth-protected-resource/finopps/mcp`,
      );
      expect(body?.['error'], label).toBe('invalid_token');
    }
    // The same user, same AS, right audience: accepted (so the refusals above are about the audience).
    const ok = await mcpPost(endpoint, list, { authorization: `Bearer ${tokens.alice}` });
    expect(ok.status).toBe(200);
    expect(backend.requests.length).toBe(before + 1);
  });

  it('a token signed by another authorization server for this very resource: 401 invalid_token', async () => {
    const rogue = await startSandboxAuthorizationServer({
      resources: [{ url: endpoint, scopes: allScopes }],
      identities: withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]),
      logger,
    });
    try {
      const forged = await userToken('alice', { issuer: rogue.issuer });
      expect(jwtPayload(forged)).toMatchObject({ aud: endpoint, sub: 'alice', 'cognito:groups': [ORG_A] });
      const { status, headers } = await mcpPost(endpoint, list, { authorization: `Bearer ${forged}` });
      expect(status).toBe(401);
      expect(bearerParams(headers.get('www-authenticate'))?.['error']).toBe('invalid_token');
    } finally {
      await rogue.stop();
    }
  });

  it('a valid token without the organisation claim: a clear tool error, nothing sent to the backend', async () => {
    expect(jwtPayload(tokens.dave)).toMatchObject({ sub: 'dave', aud: endpoint });
    expect(jwtPayload(tokens.dave)?.['cognito:groups']).toBeUndefined();
    const before = backend.requests.length;
    const { status, body } = await mcpPost(endpoint, list, { authorization: `Bearer ${tokens.dave}` });
    expect(status).toBe(200);
    const result = body?.['result'] as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/belongs to no organisation/);
    expect(backend.requests.length).toBe(before);
  });

  it('an Origin that is not allowed: 403 even with a valid token (an allowed Origin passes)', async () => {
    const before = backend.requests.length;
    const refused = await mcpPost(endpoint, list, {
      authorization: `Bearer ${tokens.alice}`,
      origin: 'https://evil.example',
    });
    expect(refused.status).toBe(403);
    expect(backend.requests.length).toBe(before);
    const allowed = await mcpPost(endpoint, list, {
      authorization: `Bearer ${tokens.alice}`,
      origin: 'http://localhost:6274',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(backend.requests.length).toBe(before + 1);
  });

  describe('insufficient scope', () => {
    let narrow: string;
    beforeAll(async () => {
      narrow = await userToken('alice', { scopes: ['invoices:read'] });
    });

    it('a token without a tool’s scopes: 403 insufficient_scope naming them; its own scope still works', async () => {
      expect(jwtPayload(narrow)?.['scope']).toBe('invoices:read');
      const ok = await mcpPost(endpoint, list, { authorization: `Bearer ${narrow}` });
      expect(ok.status).toBe(200);
      expect((ok.body?.['result'] as ToolResult).isError).not.toBe(true);

      const before = backend.requests.length;
      for (const [tool, args, scope] of [
        ['get_business', {}, 'business:read'],
        ['payments_report', exampleArgs.get('payments_report') ?? {}, 'payments:read reports:read'],
      ] as const) {
        const { status, headers } = await mcpPost(endpoint, toolCall(tool, args), {
          authorization: `Bearer ${narrow}`,
        });
        expect(status, tool).toBe(403);
        const params = bearerParams(headers.get('www-authenticate'));
        expect(params?.['error'], tool).toBe('insufficient_scope');
        expect(params?.['scope']?.split(' ').sort().join(' '), tool).toBe(scope);
      }
      expect(backend.requests.length).toBe(before);
    });

    // MCP 2025-11-25 "Runtime Insufficient Scope Errors": the 403 challenge carries resource_metadata, "for
    // consistency with 401 responses", so that a client can step up against the right authorization server.
    it('the 403 insufficient_scope challenge carries resource_metadata like the 401', async () => {
      const { status, headers } = await mcpPost(endpoint, toolCall('get_business', {}), {
        authorization: `Bearer ${narrow}`,
      });
      expect(status).toBe(403);
      expect(bearerParams(headers.get('www-authenticate'))?.['resource_metadata']).toBe(
        `${publicUrl}/.well-known/oauth-protected-resource/finopps/mcp`,
      );
    });
  });
});

describe('6. stateless: one logical client, two server instances', () => {
  let second: RunningServers;

  beforeAll(async () => {
    // Same AS, same public URL (hence the same token audience), another port.
    second = await startServers(['finopps'], { transport: 'http', port: '0' }, new Settings(settingsEnv), logger);
    expect(second.url).not.toBe(running.url);
    expect(second.endpoints['finopps']).toBe(endpoint);
  }, 60_000);

  afterAll(async () => {
    await second?.close();
  });

  it('requests alternate between the instances, both answer, and no Mcp-Session-Id is ever issued', async () => {
    const instances = [new URL(running.url!), new URL(second.url!)];
    const answered: Array<{ instance: number; method: string; rpc: string; status: number; sessionId: string | null }> =
      [];
    let turn = 0;
    const alternating = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const instance = turn++ % 2;
      const url = new URL(input);
      url.host = instances[instance]!.host;
      const rpc = typeof init?.body === 'string' ? String((JSON.parse(init.body) as { method?: string }).method) : '';
      const response = await fetch(url, init);
      answered.push({
        instance,
        method: init?.method ?? 'GET',
        rpc,
        status: response.status,
        sessionId: response.headers.get('mcp-session-id'),
      });
      return response;
    };
    const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { authorization: `Bearer ${tokens.alice}` } },
      fetch: alternating,
    });
    const client = new Client({ name: 'finmcp-security', version: '1.0.0' });
    await client.connect(transport);
    await client.listTools();
    for (let i = 0; i < 4; i++) {
      const { result, text, requests } = await recordedCall(
        client,
        'list_invoices',
        exampleArgs.get('list_invoices') ?? {},
      );
      expect(result.isError, text).not.toBe(true);
      expect(requests).toHaveLength(1);
      expectScopedTo(requests[0]!, ORG_A, ORG_B, 'list_invoices');
    }
    await client.close();

    const calls = answered.filter((a) => a.rpc === 'tools/call');
    expect(calls).toHaveLength(4);
    expect(calls.every((a) => a.status === 200)).toBe(true);
    expect(new Set(calls.map((a) => a.instance))).toEqual(new Set([0, 1]));
    expect(new Set(answered.filter((a) => a.method === 'POST' && a.status === 200).map((a) => a.instance))).toEqual(
      new Set([0, 1]),
    );
    expect(answered.filter((a) => a.sessionId !== null)).toEqual([]);
    expect(transport.sessionId).toBeUndefined();
  });
});

describe('the backend, over the whole file', () => {
  it('received only GET requests', () => {
    expect(backend.requests.length).toBeGreaterThan(50);
    const methods = [...new Set(backend.requests.map((r) => r.method))];
    expect(methods).toEqual(['GET']);
    expect(backend.requests.every((r) => r.body === '')).toBe(true);
  });
});
