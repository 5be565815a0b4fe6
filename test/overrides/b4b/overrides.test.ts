/**
 * The B4B overrides through the real ToolService: the reference flow against Prism serving specs/b4b.yaml
 * (login → whoami → every tool → logout → login required again), and faults Prism cannot produce against the
 * recording stub backend (401 on login and on a tool, a locally expired token, a failing logout, refused XML).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../../src/core/call-context.js';
import type { SessionHandle, SessionRecord } from '../../../src/state/session.js';
import type { ToolResult, ToolService } from '../../../src/core/tool-service-api.js';
import { backend as b4b } from '../../../generated/b4b/index.gen.js';
import { buildServedTools } from '../../../src/core/served-tools.js';
import { toolSelection } from '../../../src/core/tool-selection.js';
import { createToolService } from '../../../src/core/tool-service.js';
import { createBackendHttp, type BackendHttp } from '../../../src/backend/backend-http.js';
import { createLogger } from '../../../src/log.js';
import { B4B_AUTH_KEY, NOT_LOGGED_IN, SESSION_EXPIRED } from '../../../src/overrides/b4b/session.js';
import { LOGIN_FAILED, createB4bOverrides, type B4bOverridesConfig } from '../../../src/overrides/b4b/overrides.js';
import { startPrism, type PrismServer } from '../../../src/sandbox/prism.js';
import { MemorySessionStore, createSessionHandle } from '../../../src/state/session-store.js';
import { reply, startFaultBackend, type FaultBackend } from '../../../testkit/fault-backend.js';
import { INVOICE_XML } from '../invoice.js';
import { stubBackendPerBlock } from '../stub-backend.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const ENTITY = '550e8400-e29b-41d4-a716-446655440000';
const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';

/** A B4B ToolService over `baseUrl`, and one MCP session of it. */
interface Harness {
  service: ToolService;
  session: SessionHandle;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

function harness(baseUrl: string, config: B4bOverridesConfig = {}): Harness {
  const http: BackendHttp = createBackendHttp({ baseUrl, maxAttempts: 1, logger });
  const service = createToolService({ generated: b4b, overrides: createB4bOverrides(config) }, { http, logger });
  const store = new MemorySessionStore();
  const record: SessionRecord = { principalId: 'anonymous', backend: 'b4b', createdAt: Date.now(), state: {} };
  const session = createSessionHandle(store, 'session-1', record);
  const call = (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> => {
    const ctx: CallContext = {
      backend: 'b4b',
      tool: name,
      requestId: randomUUID(),
      principal: { id: 'anonymous', scopes: [], claims: {} },
      sessionId: 'session-1',
      session,
    };
    return service.callTool(name, args, ctx);
  };
  return {
    service,
    session,
    call,
    close: async () => {
      await http.close();
      await store.close();
    },
  };
}

function text(result: ToolResult): string {
  return result.content.map((c) => c.text).join('\n');
}

const loginResponse = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl',
  token_type: 'bearer',
  expires_in: 3600,
  expires_at: '2030-01-01T00:00:00Z',
  user: { id: '3f2b8c1e-7a4d-4e6b-9c2a-1d5e8f7a6b40', email: 'an.nguyen@b4b.example', phone: PHONE },
  ...overrides,
});

describe('B4B tools as served', () => {
  const service = createToolService(
    { generated: b4b, overrides: createB4bOverrides() },
    { http: createBackendHttp({ baseUrl: 'http://127.0.0.1:9' }), logger },
  );
  const tools = new Map(service.listTools().map((t) => [t.name, t]));

  it('serves exactly the fifteen reference tools, statefully', () => {
    expect([...tools.keys()].sort()).toEqual(
      [
        'login',
        'logout',
        'whoami',
        'list_entities',
        'get_entity',
        'create_entity',
        'update_entity',
        'list_invoices',
        'get_invoice',
        'import_invoice_xml',
        'get_invoice_statistics',
        'list_vendors',
        'get_vendor',
        'list_products',
        'search_similar_products',
      ].sort(),
    );
    expect(service.stateful).toBe(true);
  });

  const annotationCases: Array<{ given: string; want: Record<string, boolean> }> = [
    { given: 'login', want: { readOnlyHint: false, destructiveHint: false, idempotentHint: true } },
    { given: 'logout', want: { readOnlyHint: false, destructiveHint: false, idempotentHint: true } },
    { given: 'whoami', want: { readOnlyHint: true, destructiveHint: false, idempotentHint: true } },
    { given: 'create_entity', want: { readOnlyHint: false, destructiveHint: false, idempotentHint: false } },
    { given: 'update_entity', want: { readOnlyHint: false, destructiveHint: false, idempotentHint: true } },
    { given: 'import_invoice_xml', want: { readOnlyHint: false, destructiveHint: false, idempotentHint: false } },
    { given: 'list_entities', want: { readOnlyHint: true, destructiveHint: false } },
  ];
  it.each(annotationCases)('$given has honest annotations', ({ given, want }) => {
    expect(tools.get(given)?.annotations).toMatchObject(want);
  });

  it('--read-only keeps login, logout and whoami beside the read operations (a read-only B4B server still signs users in)', () => {
    const { listed } = buildServedTools(
      { generated: b4b, overrides: createB4bOverrides({}) },
      1000,
      toolSelection({ readOnly: true }),
    );
    expect(listed.map((t) => t.name).sort()).toEqual(
      [
        'login',
        'logout',
        'whoami',
        'list_entities',
        'get_entity',
        'list_invoices',
        'get_invoice',
        'get_invoice_statistics',
        'list_vendors',
        'get_vendor',
        'list_products',
        'search_similar_products',
      ].sort(),
    );
  });

  it('login takes phone and password only (both optional: without a password the user signs in on a page), password write-only, and says what it returns', () => {
    const login = tools.get('login');
    expect(login?.inputSchema.required).toBeUndefined();
    expect(login?.inputSchema).toMatchObject({
      additionalProperties: false,
      properties: { phone: { type: 'string' }, password: { type: 'string', writeOnly: true } },
    });
    expect(login?.outputSchema).toMatchObject({ properties: { success: {}, message: {}, email: {} } });
    expect(login?.title).toBe('Log in to Finizi B4B');
  });

  it('import_invoice_xml takes xml_content', () => {
    expect(tools.get('import_invoice_xml')?.inputSchema).toMatchObject({
      properties: { xml_content: { type: 'string' } },
    });
  });
});

describe('B4B reference flow against Prism', () => {
  let prism: PrismServer;
  let h: Harness;
  beforeAll(async () => {
    prism = await startPrism({ specFile: 'specs/b4b.yaml', logger });
    h = harness(prism.url);
  });
  afterAll(async () => {
    await h?.close();
    await prism?.stop();
  });

  it('asks for login before login', async () => {
    const result = await h.call('list_entities', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(NOT_LOGGED_IN);
    const whoami = await h.call('whoami');
    expect(text(whoami)).toBe(NOT_LOGGED_IN);
  });

  it('refuses a malformed phone, naming the field and never echoing the password', async () => {
    const result = await h.call('login', { phone: '0909495665', password: PASSWORD });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('phone: must match pattern');
    expect(text(result)).not.toContain(PASSWORD);
  });

  it('logs in, keeps the token in the session only, and returns the email', async () => {
    const result = await h.call('login', { phone: PHONE, password: PASSWORD });
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toMatchObject({
      success: true,
      message: 'Successfully logged in as an.nguyen@b4b.example',
      email: 'an.nguyen@b4b.example',
    });
    const stored = h.session.get<{ accessToken: string }>(B4B_AUTH_KEY);
    expect(stored?.accessToken).toMatch(/^eyJ/);
    expect(JSON.stringify(result)).not.toContain(stored?.accessToken ?? 'unreachable');
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('whoami returns the current user', async () => {
    const result = await h.call('whoami');
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ user: { email: 'an.nguyen@b4b.example', role: 'OWNER' } });
  });

  const everyTool: Array<{ given: string; args: Record<string, unknown>; want: string }> = [
    { given: 'list_entities', args: { page: 1, per_page: 10, search: 'Tech Corp' }, want: 'items' },
    { given: 'get_entity', args: { entity_id: ENTITY }, want: 'tax_code' },
    {
      given: 'create_entity',
      args: {
        name: 'Tech Innovations Ltd',
        entity_type: 'COMPANY',
        tax_code: '1234567890',
        address: '123 Tech Street',
        city: 'San Francisco',
        country: 'USA',
      },
      want: 'id',
    },
    {
      given: 'update_entity',
      args: { entity_id: ENTITY, name: 'Tech Innovations Inc', address: '456 Innovation Ave' },
      want: 'name',
    },
    {
      given: 'list_invoices',
      args: { entity_id: ENTITY, date_from: '2024-01-01', date_to: '2024-12-31', status: 1, page: 1, per_page: 50 },
      want: 'items',
    },
    {
      given: 'get_invoice',
      args: { entity_id: ENTITY, invoice_id: '8d3f5a2b-1c4e-4f6a-9b7d-2e8c0a1f3b5d' },
      want: 'id',
    },
    { given: 'import_invoice_xml', args: { entity_id: ENTITY, xml_content: INVOICE_XML }, want: 'invoice_id' },
    {
      given: 'get_invoice_statistics',
      args: { entity_id: ENTITY, date_from: '2024-01-01', date_to: '2024-12-31' },
      want: 'entity_id',
    },
    { given: 'list_vendors', args: { entity_id: ENTITY, search: 'supplies', page: 1, per_page: 20 }, want: 'items' },
    { given: 'get_vendor', args: { entity_id: ENTITY, vendor_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }, want: 'id' },
    {
      given: 'list_products',
      args: { entity_id: ENTITY, category: 'electronics', search: 'laptop', page: 1, per_page: 20 },
      want: 'items',
    },
    {
      given: 'search_similar_products',
      args: { entity_id: ENTITY, query: '15-inch laptop with 16GB RAM', max_results: 10 },
      want: 'query',
    },
  ];
  it.each(everyTool)('$given works once logged in', async ({ given, args, want }) => {
    const result = await h.call(given, args);
    expect(text(result), text(result)).not.toMatch(/^(Not logged in|Session expired|Invalid arguments|HTTP )/);
    expect(result.isError).not.toBe(true);
    expect(Object.keys(result.structuredContent ?? {})).toContain(want);
  });

  it('update_entity with nothing to change is refused by the tool itself, naming the rule (EntityUpdate minProperties: 1)', async () => {
    const result = await h.call('update_entity', { entity_id: ENTITY });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Invalid arguments/);
    expect(text(result)).toContain(
      '(root): must include at least one of name, entity_type, tax_code, address, city, country, email, phone',
    );
    const next = await h.call('update_entity', { entity_id: ENTITY, phone: null });
    expect(next.isError, text(next)).not.toBe(true);
  });

  it('logs out, then asks for login again', async () => {
    const result = await h.call('logout');
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ success: true, backend_revoked: true });
    expect(h.session.get(B4B_AUTH_KEY)).toBeUndefined();
    const next = await h.call('get_entity', { entity_id: ENTITY });
    expect(next.isError).toBe(true);
    expect(text(next)).toBe(NOT_LOGGED_IN);
  });
});

describe('B4B session faults (recording stub backend)', () => {
  let stub: FaultBackend;
  let h: Harness;
  let clock = Date.parse('2025-01-15T10:00:00Z');
  stubBackendPerBlock(
    (started) => (stub = started),
    () => h?.close(),
  );
  const start = (config: B4bOverridesConfig = {}): Harness => (h = harness(stub.url, { now: () => clock, ...config }));

  it('a 401 on login is "login failed", never echoing the password, and stores nothing', async () => {
    start();
    stub.script(
      '/api/v1/auth/login',
      reply.problem(401, { title: 'Invalid credentials', detail: `bad password ${PASSWORD}` }),
    );
    const result = await h.call('login', { phone: PHONE, password: PASSWORD });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(LOGIN_FAILED);
    expect(h.session.get(B4B_AUTH_KEY)).toBeUndefined();
  });

  const refusedLogins: Array<{ given: string; args: Record<string, unknown>; want: string }> = [
    {
      given: 'a password without its phone',
      args: { password: PASSWORD },
      want: 'phone: is required when password is set',
    },
    {
      given: 'a short password',
      args: { phone: PHONE, password: 'short' },
      want: 'password: must have at least 8 characters',
    },
    {
      given: 'a phone of the wrong type',
      args: { phone: 84909495665, password: PASSWORD },
      want: 'phone: must be string (got 84909495665)',
    },
    {
      given: 'an unknown property',
      args: { phone: PHONE, password: PASSWORD, otp: '123456' },
      want: '(root): unknown property "otp" is not allowed',
    },
  ];
  it.each(refusedLogins)(
    'login refuses $given from its own inputSchema, before any request',
    async ({ args, want }) => {
      start();
      const result = await h.call('login', args);
      expect(result).toEqual({ isError: true, content: [{ type: 'text', text: `Invalid arguments:\n- ${want}` }] });
      expect(stub.requests).toHaveLength(0);
      // The next call works.
      stub.script('/api/v1/auth/login', reply.json(200, loginResponse()));
      expect((await h.call('login', { phone: PHONE, password: PASSWORD })).isError).not.toBe(true);
    },
  );

  it('the sign-in from the environment refuses malformed credentials by the same rules, before any request', async () => {
    start({ credentials: { phone: '0909495665', password: '' } });
    const result = await h.call('list_entities', {});
    expect(text(result)).toMatch(
      /^Signing in with B4B_PHONE and B4B_PASSWORD failed: password: is required; phone: must match pattern .+ \(got "0909495665"\)$/,
    );
    expect(stub.requests).toHaveLength(0);
  });

  it('another login failure is described without the password', async () => {
    start();
    stub.script('/api/v1/auth/login', reply.problem(503, { title: 'Unavailable', detail: `echo ${PASSWORD}` }));
    const result = await h.call('login', { phone: PHONE, password: PASSWORD });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('HTTP 503');
    expect(text(result)).not.toContain(PASSWORD);
  });

  it('sends the session token as a bearer token, and the password only to login', async () => {
    start();
    stub.script('/api/v1/auth/login', reply.json(200, loginResponse()));
    stub.script('/api/v1/entities', reply.json(200, { items: [], total: 0, page: 1, per_page: 20, pages: 0 }));
    await h.call('login', { phone: PHONE, password: PASSWORD });
    const result = await h.call('list_entities', {});
    expect(result.isError).not.toBe(true);
    const [loginReq] = stub.requestsTo('/api/v1/auth/login');
    expect(loginReq?.headers['authorization']).toBeUndefined();
    expect(JSON.parse(loginReq?.body ?? '{}')).toEqual({ phone: PHONE, password: PASSWORD });
    const [listReq] = stub.requestsTo('/api/v1/entities');
    expect(listReq?.headers['authorization']).toBe(`Bearer ${String(loginResponse()['access_token'])}`);
  });

  it('a backend 401 on a tool ends the login: "session expired", then "not logged in"', async () => {
    start();
    stub.script('/api/v1/auth/login', reply.json(200, loginResponse()));
    stub.script('/api/v1/entities', reply.problem(401, { title: 'Unauthorized', detail: 'token revoked' }));
    await h.call('login', { phone: PHONE, password: PASSWORD });
    const result = await h.call('list_entities', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(SESSION_EXPIRED);
    expect(h.session.get(B4B_AUTH_KEY)).toBeUndefined();
    expect(stub.requestsTo('/api/v1/entities')).toHaveLength(1); // no retry: there is no refresh token
    expect(text(await h.call('list_entities', {}))).toBe(NOT_LOGGED_IN);
  });

  it('a token expired by the clock is not sent: "session expired"', async () => {
    start();
    stub.script('/api/v1/auth/login', reply.json(200, loginResponse({ expires_in: 60 })));
    stub.script('/api/v1/entities', reply.json(200, { items: [] }));
    await h.call('login', { phone: PHONE, password: PASSWORD });
    clock += 61_000;
    const result = await h.call('list_entities', {});
    expect(text(result)).toBe(SESSION_EXPIRED);
    expect(stub.requestsTo('/api/v1/entities')).toHaveLength(0);
    expect(text(await h.call('whoami'))).toBe(NOT_LOGGED_IN);
  });

  const logoutCases: Array<{
    given: string;
    backend: ReturnType<typeof reply.json>;
    want: { revoked: boolean; says: string };
  }> = [
    {
      given: 'the backend revokes',
      backend: reply.json(200, { success: true, message: 'ok' }),
      want: { revoked: true, says: 'Successfully logged out' },
    },
    {
      given: 'the backend fails (503)',
      backend: reply.problem(503, { title: 'Unavailable' }),
      want: { revoked: false, says: 'HTTP 503' },
    },
    {
      given: 'the backend already ended the token (401)',
      backend: reply.problem(401, { title: 'Unauthorized' }),
      want: { revoked: false, says: 'did not confirm' },
    },
  ];
  it.each(logoutCases)('logout clears the session when $given', async ({ backend, want }) => {
    start();
    stub.script('/api/v1/auth/login', reply.json(200, loginResponse()));
    stub.script('/api/v1/auth/logout', backend);
    await h.call('login', { phone: PHONE, password: PASSWORD });
    const result = await h.call('logout');
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toMatchObject({ success: true, backend_revoked: want.revoked });
    expect(text(result)).toContain(want.says);
    expect(stub.requestsTo('/api/v1/auth/logout')[0]?.headers['authorization']).toMatch(/^Bearer /);
    expect(h.session.get(B4B_AUTH_KEY)).toBeUndefined();
    expect(text(await h.call('list_entities', {}))).toBe(NOT_LOGGED_IN);
  });

  it('logout before login says so without calling the backend', async () => {
    start();
    const result = await h.call('logout');
    expect(result.structuredContent).toMatchObject({ success: true, backend_revoked: false });
    expect(stub.requests).toHaveLength(0);
  });
});

describe('import_invoice_xml gate (recording stub backend)', () => {
  let stub: FaultBackend;
  let h: Harness;
  const importPath = `/api/v1/entities/${ENTITY}/invoices/import-xml`;
  beforeAll(async () => {
    stub = await startFaultBackend();
    stub.script('/api/v1/auth/login', reply.json(200, loginResponse()));
    stub.script(
      importPath,
      reply.json(201, {
        invoice_id: 'x',
        entity_id: ENTITY,
        invoice_number: 'INV-1',
        issue_date: '2025-01-31',
        total_amount: { amount: '100.00', currency: 'VND' },
        status: 0,
        status_name: 'PENDING',
        warnings: [],
      }),
    );
    h = harness(stub.url, { maxXmlBytes: 1024 });
    await h.call('login', { phone: PHONE, password: PASSWORD });
  });
  afterAll(async () => {
    await h?.close();
    await stub?.close();
  });

  const cases: Array<{ given: string; xml: string; want: string[] | 'forwarded' }> = [
    { given: 'a well-formed invoice', xml: INVOICE_XML, want: 'forwarded' },
    { given: 'malformed XML', xml: '<Invoice><Total>1</Invoice>', want: ['xml_content', 'not well-formed'] },
    {
      given: 'billion laughs',
      xml: '<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
      want: ['xml_content', 'DOCTYPE'],
    },
    {
      given: 'XXE',
      xml: '<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>',
      want: ['xml_content', 'DOCTYPE', 'XXE'],
    },
    {
      given: 'parameter entities',
      xml: '<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]><Invoice/>',
      want: ['xml_content', 'DOCTYPE'],
    },
    {
      given: 'one byte over the configured limit',
      xml: `<a>${'x'.repeat(1024 - 6)}</a>`,
      want: ['xml_content', '1025 bytes', 'limit is 1024 bytes'],
    },
  ];
  it('a session that is not logged in is told so before its document is parsed (malformed and 200,000 levels deep)', async () => {
    const anonymous = harness(stub.url, { maxXmlBytes: 2 * 1024 * 1024 });
    try {
      for (const xml of ['<Invoice><Total>1</Invoice>', '<a>'.repeat(200_000) + '</a>'.repeat(200_000)]) {
        const result = await anonymous.call('import_invoice_xml', { entity_id: ENTITY, xml_content: xml });
        expect(result.isError).toBe(true);
        expect(text(result)).toBe(NOT_LOGGED_IN);
      }
    } finally {
      await anonymous.close();
    }
  });

  it.each(cases)('$given', async ({ xml, want }) => {
    const before = stub.requestsTo(importPath).length;
    const result = await h.call('import_invoice_xml', { entity_id: ENTITY, xml_content: xml });
    if (want === 'forwarded') {
      expect(result.isError).not.toBe(true);
      const received = stub.requestsTo(importPath);
      expect(received).toHaveLength(before + 1);
      expect(received.at(-1)?.body).toBe(xml);
      return;
    }
    expect(result.isError).toBe(true);
    for (const fragment of want) expect(text(result)).toContain(fragment);
    expect(stub.requestsTo(importPath)).toHaveLength(before); // the backend received nothing
  });
});

describe('a session that ends without logout (recording stub backend)', () => {
  let stub: FaultBackend;
  beforeAll(async () => {
    stub = await startFaultBackend();
    stub.script('/api/v1/auth/logout', reply.json(200, { success: true }));
  });
  afterAll(async () => stub?.close());

  const ended = (state: Record<string, unknown>): SessionRecord => ({
    principalId: 'anonymous',
    backend: 'b4b',
    createdAt: 0,
    state,
  });

  it('revokes a live login at the backend (eviction, expiry, DELETE); an expired or absent login costs no call', async () => {
    const h = harness(stub.url);
    try {
      const live = { accessToken: 'live-backend-jwt', expiresAt: Date.now() + 3_600_000 };
      await h.service.endSession?.('s-live', ended({ [B4B_AUTH_KEY]: live }), 'evicted');
      const logouts = stub.requestsTo('/api/v1/auth/logout');
      expect(logouts).toHaveLength(1);
      expect(logouts[0]?.method).toBe('POST');
      expect(logouts[0]?.headers['authorization']).toBe('Bearer live-backend-jwt');

      await h.service.endSession?.(
        's-old',
        ended({ [B4B_AUTH_KEY]: { accessToken: 'old', expiresAt: Date.now() - 1 } }),
        'expired',
      );
      await h.service.endSession?.('s-none', ended({}), 'deleted');
      expect(stub.requestsTo('/api/v1/auth/logout')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('a failing logout is logged, never thrown', async () => {
    stub.script('/api/v1/auth/logout', reply.status(503));
    const h = harness(stub.url);
    try {
      const live = { accessToken: 'live-backend-jwt-2', expiresAt: Date.now() + 3_600_000 };
      await expect(h.service.endSession?.('s', ended({ [B4B_AUTH_KEY]: live }), 'expired')).resolves.toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
