/**
 * The FinOpps overrides through the real ToolService: tenant binding from token claims and the server's own
 * credential to the backend (recording stub backend: it shows which path and which token the backend received),
 * and every reference tool against Prism serving specs/finopps.yaml.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../../src/core/call-context.js';
import type { ToolResult, ToolService } from '../../../src/core/tool-service-api.js';
import { backend as finopps } from '../../../generated/finopps/index.gen.js';
import { createToolService } from '../../../src/core/tool-service.js';
import { createBackendHttp, type BackendHttp } from '../../../src/backend/backend-http.js';
import { createLogger } from '../../../src/log.js';
import {
  SERVICE_TOKEN_UNAVAILABLE,
  createFinoppsOverrides,
  type FinoppsOverridesConfig,
} from '../../../src/overrides/finopps/overrides.js';
import { startPrism, type PrismServer } from '../../../src/sandbox/prism.js';
import { reply, type FaultBackend } from '../../../testkit/fault-backend.js';
import { stubBackendPerBlock } from '../stub-backend.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const ACME = '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f';
const HARBOUR = '5e8d2f4a-3c1b-4a7e-8f9d-6b5c4a3e2d1f';
const OTHER_TENANT = '9a9a9a9a-9a9a-4a9a-9a9a-9a9a9a9a9a9a';
/** A stand-in for the user's own access token: it must never reach the backend. */
const USER_TOKEN_MARKER = 'user-access-token-never-forwarded';

/** The server's credential: generation n is `svc-token-n`; invalidating moves to the next generation. */
function serviceCredential(options: { fail?: boolean } = {}): Pick<
  FinoppsOverridesConfig,
  'serviceToken' | 'invalidateServiceToken'
> & {
  invalidations: () => number;
} {
  let generation = 1;
  let invalidations = 0;
  return {
    serviceToken: async () => {
      if (options.fail === true) throw new Error('token endpoint said invalid_client for client secret s3cr3t');
      return `svc-token-${generation}`;
    },
    invalidateServiceToken: () => {
      generation++;
      invalidations++;
    },
    invalidations: () => invalidations,
  };
}

interface Harness {
  service: ToolService;
  call(name: string, args: Record<string, unknown>, claims: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

function harness(baseUrl: string, config: FinoppsOverridesConfig): Harness {
  const http: BackendHttp = createBackendHttp({ baseUrl, maxAttempts: 1, logger });
  const service = createToolService(
    { generated: finopps, overrides: createFinoppsOverrides(config) },
    { http, logger },
  );
  return {
    service,
    call: (name, args, claims) => {
      const ctx: CallContext = {
        backend: 'finopps',
        tool: name,
        requestId: randomUUID(),
        principal: {
          id: 'user-1',
          scopes: ['finopps:read'],
          claims: { sub: 'user-1', token_use: USER_TOKEN_MARKER, ...claims },
        },
      };
      return service.callTool(name, args, ctx);
    },
    close: () => http.close(),
  };
}

function text(result: ToolResult): string {
  return result.content.map((c) => c.text).join('\n');
}

/** A business profile as the spec describes it (results are checked against the published output schema). */
const BUSINESS = {
  organizationId: 'b1',
  name: 'Acme Catering',
  legalName: null,
  contact: { email: null, phone: null, website: null },
  address: { line1: '1 Main St', line2: null, city: 'Springfield', region: null, postalCode: null, country: 'US' },
  currency: 'USD',
  timezone: 'America/Chicago',
  taxRate: '0.08',
  gratuityRate: '0.18',
  defaultPaymentTermsDays: 30,
  leadTimes: { minimumOrderLeadTimeDays: 2, maximumAdvanceBookingDays: 180, cancellationNoticeHours: 48 },
};

describe('FinOpps tools as served', () => {
  const service = createToolService(
    { generated: finopps, overrides: createFinoppsOverrides(serviceCredential()) },
    { http: createBackendHttp({ baseUrl: 'http://127.0.0.1:9' }), logger },
  );
  const listed = service.listTools();

  it('serves the seven reference tools, all read-only GETs', () => {
    expect(listed.map((t) => t.name).sort()).toEqual([
      'get_business',
      'get_financial_summary',
      'get_invoice',
      'list_expenses',
      'list_invoices',
      'payments_report',
      'search_customers',
    ]);
    for (const t of listed) expect(t.annotations?.readOnlyHint).toBe(true);
    const methods = new Set(
      finopps.tools.filter((d) => listed.some((t) => t.name === d.name)).map((d) => d.operation.method),
    );
    expect([...methods]).toEqual(['get']);
  });

  it('never offers organizationId, and offers the optional organization choice', () => {
    for (const t of listed) {
      const properties = t.inputSchema['properties'] as Record<string, unknown>;
      expect(Object.keys(properties)).not.toContain('organizationId');
      expect(properties['organization']).toMatchObject({ type: 'string' });
      expect((t.inputSchema['required'] as string[] | undefined) ?? []).not.toContain('organization');
    }
  });

  it('makes the MCP endpoint an OAuth resource server and lets only GETs through', () => {
    const overrides = createFinoppsOverrides(serviceCredential());
    expect(overrides.inboundAuth).toBe('oauth');
    expect(overrides.allowedMethods).toEqual(['get']);
  });
});

describe('FinOpps tenant binding (recording stub backend)', () => {
  let stub: FaultBackend;
  let h: Harness;
  let credential: ReturnType<typeof serviceCredential>;
  stubBackendPerBlock(
    (started) => (stub = started),
    () => h?.close(),
  );
  const start = (config: Partial<FinoppsOverridesConfig> = {}, fail = false): Harness => {
    credential = serviceCredential({ fail });
    return (h = harness(stub.url, { ...credential, ...config }));
  };

  const cases: Array<{
    given: string;
    claims: Record<string, unknown>;
    args?: Record<string, unknown>;
    config?: Partial<FinoppsOverridesConfig>;
    want: { path: string } | { error: string[]; notIn?: string[] };
  }> = [
    {
      given: 'one organisation: bound in the path',
      claims: { 'cognito:groups': [ACME] },
      want: { path: `/organizations/${ACME}/business` },
    },
    {
      given: 'the claim as a single string',
      claims: { 'cognito:groups': ACME },
      want: { path: `/organizations/${ACME}/business` },
    },
    {
      given: 'several organisations and a choice among them',
      claims: { 'cognito:groups': [ACME, HARBOUR] },
      args: { organization: HARBOUR },
      want: { path: `/organizations/${HARBOUR}/business` },
    },
    {
      given: 'a custom claim name',
      claims: { orgs: [HARBOUR], 'cognito:groups': [ACME] },
      config: { organizationClaim: 'orgs' },
      want: { path: `/organizations/${HARBOUR}/business` },
    },
    {
      given: 'organizationId passed by the model',
      claims: { 'cognito:groups': [ACME] },
      args: { organizationId: OTHER_TENANT },
      want: { error: ['organizationId', 'cannot be set'] },
    },
    {
      given: 'an organization outside the token groups',
      claims: { 'cognito:groups': [ACME] },
      args: { organization: OTHER_TENANT },
      want: { error: ['organization', 'your own organisations', ACME], notIn: [OTHER_TENANT] },
    },
    {
      given: 'several organisations and no choice',
      claims: { 'cognito:groups': [ACME, HARBOUR] },
      want: { error: ['several organisations', ACME, HARBOUR, '`organization`'] },
    },
    {
      given: 'no organisation',
      claims: { 'cognito:groups': [] },
      want: { error: ['Your account belongs to no organisation in FinOpps'] },
    },
    {
      given: 'no organisation claim at all',
      claims: {},
      want: { error: ['Your account belongs to no organisation in FinOpps'] },
    },
    {
      given: 'organization of the wrong type',
      claims: { 'cognito:groups': [ACME] },
      args: { organization: 42 },
      want: { error: ['organization', 'must be string'] },
    },
  ];
  it.each(cases)('$given', async ({ claims, args, config, want }) => {
    start(config);
    stub.script(`/organizations/${ACME}/business`, reply.json(200, BUSINESS));
    stub.script(`/organizations/${HARBOUR}/business`, reply.json(200, BUSINESS));
    const result = await h.call('get_business', args ?? {}, claims);
    if ('path' in want) {
      expect(result.isError, text(result)).not.toBe(true);
      expect(stub.requests.map((r) => r.path)).toEqual([want.path]);
      // The backend sees the server's own credential, never anything of the user's.
      expect(stub.requests[0]?.headers['authorization']).toBe('Bearer svc-token-1');
      expect(JSON.stringify(stub.requests[0])).not.toContain(USER_TOKEN_MARKER);
      return;
    }
    expect(result.isError).toBe(true);
    for (const fragment of want.error) expect(text(result)).toContain(fragment);
    for (const fragment of want.notIn ?? []) expect(text(result)).not.toContain(fragment);
    expect(stub.requests).toHaveLength(0); // refused before any request
  });

  it('a 401 drops the cached service token and retries once with a new one', async () => {
    start();
    stub.script(
      `/organizations/${ACME}/business`,
      reply.problem(401, { title: 'Unauthorized' }),
      reply.json(200, BUSINESS),
    );
    const result = await h.call('get_business', {}, { 'cognito:groups': [ACME] });
    expect(result.isError, text(result)).not.toBe(true);
    expect(credential.invalidations()).toBe(1);
    expect(stub.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer svc-token-1', 'Bearer svc-token-2']);
  });

  it('a second 401 is reported, not retried again', async () => {
    start();
    stub.script(`/organizations/${ACME}/business`, reply.problem(401, { title: 'Unauthorized' }));
    const result = await h.call('get_business', {}, { 'cognito:groups': [ACME] });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('401');
    expect(stub.requests).toHaveLength(2);
  });

  it('no service credential: a clear error that reveals nothing of it, and no request', async () => {
    start({}, true);
    const result = await h.call('get_business', {}, { 'cognito:groups': [ACME] });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(SERVICE_TOKEN_UNAVAILABLE);
    expect(text(result)).not.toContain('s3cr3t');
    expect(stub.requests).toHaveLength(0);
  });
});

describe('FinOpps reference tools against Prism', () => {
  let prism: PrismServer;
  let h: Harness;
  beforeAll(async () => {
    prism = await startPrism({ specFile: 'specs/finopps.yaml', logger });
    h = harness(prism.url, serviceCredential());
  });
  afterAll(async () => {
    await h?.close();
    await prism?.stop();
  });

  const tools: Array<{ given: string; args: Record<string, unknown> }> = [
    { given: 'list_invoices', args: { status: 'overdue', limit: 10 } },
    { given: 'get_invoice', args: { invoiceId: '8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61' } },
    { given: 'get_financial_summary', args: {} },
    { given: 'list_expenses', args: { startDate: '2025-03-01', endDate: '2025-03-31' } },
    { given: 'payments_report', args: { startDate: '2025-01-01', endDate: '2025-03-31' } },
    { given: 'search_customers', args: { query: 'acme' } },
    { given: 'get_business', args: {} },
  ];
  it.each(tools)("$given answers for the caller's organisation", async ({ given, args }) => {
    const result = await h.call(given, args, { 'cognito:groups': [ACME] });
    expect(result.isError, text(result)).not.toBe(true);
    expect(Object.keys(result.structuredContent ?? {}).length).toBeGreaterThan(0);
  });
});
