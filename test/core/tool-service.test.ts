import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createToolService } from '../../src/core/tool-service.js';
import { ToolCallError } from '../../src/core/tool-error.js';
import type { BackendOverrides, HandWrittenTool } from '../../src/core/backend-overrides.js';
import type { CallContext } from '../../src/core/call-context.js';
import type { ToolResult, ToolService } from '../../src/core/tool-service-api.js';
import type { GeneratedBackend, JsonSchema, PrecompiledValidator, ToolDescriptor } from '../../contract/descriptor.js';
import { createBackendHttp, type BackendHttp } from '../../src/backend/backend-http.js';
import { createLogger } from '../../src/log.js';
import { reply, startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';
import { propertiesBody } from '../helpers/descriptors.js';
import { itAnswers } from '../helpers/truth-table.js';

// Tests may compile validators; the runtime only runs precompiled ones.
const ajv = new Ajv2020({ allErrors: true, strict: false });

const SERVICE_TOKEN = 'svc-token-6f1e';
const SESSION_ID = 'session-id-93ab';

const invoice: JsonSchema = {
  type: 'object',
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { type: 'string' }, memo: { type: 'string' } },
};
const orgParam = {
  property: 'organizationId',
  in: 'path',
  name: 'organizationId',
  style: 'simple',
  explode: false,
} as const;
const orgProp = { organizationId: { type: 'string' } };

function tool(
  partial: Partial<ToolDescriptor> & Pick<ToolDescriptor, 'name' | 'inputSchema' | 'operation'>,
): ToolDescriptor {
  return {
    title: partial.name,
    description: `${partial.name} description`,
    outputSchema: { type: 'object' },
    annotations: {},
    parameters: [],
    output: { status: '200', contentType: 'application/json' },
    ...partial,
  };
}

const op = (method: ToolDescriptor['operation']['method'], path: string): ToolDescriptor['operation'] => ({
  method,
  path,
  deprecated: false,
  tags: [],
  security: [{ bearer: [] }],
});

const tools: ToolDescriptor[] = [
  tool({
    name: 'listInvoices',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['organizationId'],
      properties: {
        ...orgProp,
        status: { type: 'string', enum: ['draft', 'sent', 'overdue', 'paid'] },
        limit: { type: 'integer', minimum: 1, maximum: 100 },
        cursor: { type: 'string' },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', minItems: 1, items: invoice }, nextCursor: { type: ['string', 'null'] } },
    },
    annotations: { readOnlyHint: true },
    operation: op('get', '/orgs/{organizationId}/invoices'),
    parameters: [
      orgParam,
      { property: 'status', in: 'query', name: 'status', style: 'form', explode: true },
      { property: 'limit', in: 'query', name: 'limit', style: 'form', explode: true },
      { property: 'cursor', in: 'query', name: 'cursor', style: 'form', explode: true },
    ],
    pagination: { style: 'cursor', inputProperty: 'cursor', sizeProperty: 'limit', nextCursorField: 'nextCursor' },
  }),
  tool({
    name: 'getInvoice',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['organizationId', 'invoiceId'],
      properties: { ...orgProp, invoiceId: { type: 'string', minLength: 1 } },
    },
    outputSchema: invoice,
    operation: op('get', '/orgs/{organizationId}/invoices/{invoiceId}'),
    parameters: [orgParam, { property: 'invoiceId', in: 'path', name: 'invoiceId', style: 'simple', explode: false }],
  }),
  tool({
    name: 'createInvoice',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['organizationId', 'customerId', 'amount'],
      properties: { ...orgProp, customerId: { type: 'integer' }, amount: { type: 'number' }, memo: { type: 'string' } },
    },
    outputSchema: invoice,
    operation: op('post', '/orgs/{organizationId}/invoices'),
    parameters: [orgParam],
    body: propertiesBody('application/json', true, { customerId: 'customer_id', amount: 'amount', memo: 'memo' }),
    output: { status: '201', contentType: 'application/json' },
  }),
  tool({
    name: 'deleteInvoice',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['organizationId', 'invoiceId'],
      properties: { ...orgProp, invoiceId: { type: 'string' } },
    },
    outputSchema: { type: 'object', properties: {} },
    operation: op('delete', '/orgs/{organizationId}/invoices/{invoiceId}'),
    parameters: [orgParam, { property: 'invoiceId', in: 'path', name: 'invoiceId', style: 'simple', explode: false }],
    output: { status: '204' },
  }),
  tool({
    name: 'exportCodes',
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    outputSchema: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: { type: 'string' } } },
    },
    operation: op('get', '/codes'),
    output: { status: '200', contentType: 'application/json', wrapIn: 'items' },
  }),
  tool({
    name: 'ping',
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    operation: op('get', '/ping'),
  }),
];

const validators: Record<string, PrecompiledValidator> = Object.fromEntries(
  tools.map((t) => [t.name, ajv.compile(t.inputSchema) as unknown as PrecompiledValidator]),
);

const generated: GeneratedBackend = {
  name: 'acme',
  title: 'Acme',
  version: '1.0.0',
  specFile: 'specs/acme.yaml',
  servers: [],
  securitySchemes: {},
  tools,
  validators,
};

/** Hand-written tool: deletes through a hidden generated operation. */
const purgeInvoice: HandWrittenTool = {
  name: 'purgeInvoice',
  title: 'Purge an invoice',
  description: 'Deletes an invoice for good.',
  inputSchema: {
    type: 'object',
    required: ['organizationId', 'invoiceId'],
    properties: { organizationId: { type: 'string' }, invoiceId: { type: 'string' } },
  },
  annotations: { destructiveHint: true },
  async call(args, ctx, api) {
    const res = await api.callOperation('deleteInvoice', args, ctx);
    return { content: [{ type: 'text', text: `purged (HTTP ${res.status})` }] };
  },
};

let unauthorizedCalls = 0;
const overrides: BackendOverrides = {
  bind: {
    // Which organisation: the caller's own, or the second one when the model asks for it via commonInput.
    organizationId: (ctx, args) =>
      args['organization'] === 'second' ? 'org-2' : (ctx.principal.claims['org'] as string | undefined),
  },
  commonInput: { organization: { type: 'string', enum: ['first', 'second'], description: 'Which organisation' } },
  tools: {
    getInvoice: {
      name: 'get_invoice',
      title: 'Get one invoice',
      description: 'One invoice by id.',
      annotations: { readOnlyHint: true },
    },
    deleteInvoice: { hidden: true },
    createInvoice: {
      check: (args) => ((args['amount'] as number) > 1_000_000 ? 'amount: above the 1,000,000 limit' : undefined),
    },
    ping: {
      check: () => {
        throw new Error(`kaboom: sent Bearer ${SERVICE_TOKEN} for ${SESSION_ID}`);
      },
    },
  },
  extraTools: [purgeInvoice],
  outboundAuth: async (ctx) =>
    ctx.principal.id === 'locked-out'
      ? { error: 'not logged in: call `login` first' }
      : { headers: { authorization: `Bearer ${SERVICE_TOKEN}` } },
  onUnauthorized: async () => {
    unauthorizedCalls++;
    return 'retry';
  },
};

let backend: FaultBackend;
let http: BackendHttp;
let service: ToolService;
const logLines: Array<Record<string, unknown>> = [];

function ctx(over: Partial<CallContext> = {}): CallContext {
  return {
    backend: 'acme',
    tool: 'x',
    requestId: 'req-42',
    principal: { id: 'user-1', scopes: [], claims: { org: 'org-1' } },
    sessionId: SESSION_ID,
    ...over,
  };
}

beforeAll(async () => {
  backend = await startFaultBackend();
  http = createBackendHttp({ baseUrl: `${backend.url}/v1`, retryBaseDelayMs: 5 });
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  service = createToolService({ generated, overrides }, { http, logger, maxResponseBytes: 4000 });
});
afterAll(async () => {
  await http.close();
  await backend.close();
});
afterEach(() => {
  backend.requests.length = 0;
  logLines.length = 0;
});

function text(r: ToolResult): string {
  return r.content.map((c) => c.text).join('\n');
}

describe('listing', () => {
  it('applies hide, rename, retitle, bind and commonInput, and lists extra tools', () => {
    const listed = service.listTools();
    expect(listed.map((t) => t.name)).toEqual([
      'listInvoices',
      'get_invoice',
      'createInvoice',
      'exportCodes',
      'ping',
      'purgeInvoice',
    ]);
    const get = listed.find((t) => t.name === 'get_invoice');
    expect(get).toMatchObject({
      title: 'Get one invoice',
      description: 'One invoice by id.',
      annotations: { readOnlyHint: true, title: 'Get one invoice' },
    });
    for (const t of listed) {
      const props = t.inputSchema['properties'] as Record<string, unknown>;
      expect(props).not.toHaveProperty('organizationId');
      expect(t.inputSchema['required'] ?? []).not.toContain('organizationId');
      expect(props['organization']).toEqual({
        type: 'string',
        enum: ['first', 'second'],
        description: 'Which organisation',
      });
      expect(t.inputSchema['type']).toBe('object');
    }
    expect(get?.inputSchema['required']).toEqual(['invoiceId']);
    // generated/ stays untouched.
    expect(tools[1]?.inputSchema['required'] as string[]).toEqual(['organizationId', 'invoiceId']);
    expect(service.listTools()).toBe(listed);
  });

  itAnswers(
    'hasTool',
    (name: string) => service.hasTool(name),
    ['get_invoice', 'purgeInvoice'],
    ['getInvoice', 'deleteInvoice', 'nope'],
  );

  it('serves only allowedMethods', () => {
    const readOnly = createToolService(
      { generated, overrides: { allowedMethods: ['get'] } },
      { http, logger: createLogger({ destination: { write: () => undefined } }) },
    );
    expect(readOnly.listTools().map((t) => t.name)).toEqual(['listInvoices', 'getInvoice', 'exportCodes', 'ping']);
    expect(readOnly.stateful).toBe(false);
  });

  const bad: Array<{ given: string; o: BackendOverrides; want: RegExp }> = [
    { given: 'override of a missing tool', o: { tools: { nope: { hidden: true } } }, want: /no tool named "nope"/ },
    {
      given: 'rename clash',
      o: { tools: { ping: { name: 'exportCodes' } } },
      want: /two tools are served as "exportCodes"/,
    },
  ];
  it.each(bad)('refuses inconsistent overrides at start-up: $given', ({ o, want }) => {
    expect(() =>
      createToolService(
        { generated, overrides: o },
        { http, logger: createLogger({ destination: { write: () => undefined } }) },
      ),
    ).toThrow(want);
  });
});

describe('calls', () => {
  it('returns structuredContent and the same JSON as text; sends auth, request id and the bound path', async () => {
    const body = { id: 'inv 1', status: 'sent' };
    backend.script('/v1/orgs/org-1/invoices/inv%201', reply.json(200, body));
    const r = await service.callTool('get_invoice', { invoiceId: 'inv 1' }, ctx());
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toEqual(body);
    expect(r.content).toEqual([{ type: 'text', text: JSON.stringify(body) }]);
    const [seen] = backend.requests;
    expect(seen?.method).toBe('GET');
    expect(seen?.headers['authorization']).toBe(`Bearer ${SERVICE_TOKEN}`);
    expect(seen?.headers['x-request-id']).toBe('req-42');
  });

  it('uses commonInput in bind functions and keeps it out of the request', async () => {
    backend.script(
      '/v1/orgs/org-2/invoices',
      reply.json(200, { items: [{ id: 'a', status: 'paid' }], nextCursor: null }),
    );
    const r = await service.callTool('listInvoices', { organization: 'second', status: 'paid', limit: 10 }, ctx());
    expect(r.isError).toBeUndefined();
    expect(backend.requests[0]?.query).toBe('status=paid&limit=10');
  });

  it('sends a JSON body with the original field names', async () => {
    backend.script('/v1/orgs/org-1/invoices', reply.echo(201));
    const r = await service.callTool('createInvoice', { customerId: 7, amount: 12.5 }, ctx());
    expect(JSON.parse(backend.requests[0]?.body ?? '')).toEqual({ customer_id: 7, amount: 12.5 });
    // The echo is no invoice: it arrives as text (see the next test).
    expect(JSON.parse(r.content[0]!.text)).toMatchObject({ method: 'POST', path: '/v1/orgs/org-1/invoices' });
  });

  it('passes on a result that breaks the output schema as text with a note naming each problem, as an error', async () => {
    const body = { id: 7, memo: 'late' };
    backend.script('/v1/orgs/org-1/invoices/inv-1', reply.json(200, body));
    const r = await service.callTool('get_invoice', { invoiceId: 'inv-1' }, ctx());
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(r.content[0]).toEqual({ type: 'text', text: JSON.stringify(body) });
    expect(r.content[1]!.text).toMatch(/does not match this tool's published output schema/);
    expect(r.content[1]!.text).toContain("- id in the backend's result: must be string");
    expect(r.content[1]!.text).toContain(
      "- status: missing from the backend's result, though the published schema requires it",
    );
    expect(r.content[1]!.text).not.toMatch(/: is required/);
    // The next conforming result is passed on as structured content again.
    backend.script('/v1/orgs/org-1/invoices/inv-2', reply.json(200, { id: 'inv-2', status: 'paid' }));
    const next = await service.callTool('get_invoice', { invoiceId: 'inv-2' }, ctx());
    expect(next.isError).toBeUndefined();
    expect(next.structuredContent).toEqual({ id: 'inv-2', status: 'paid' });
  });

  it('wraps non-object bodies under wrapIn', async () => {
    backend.script('/v1/codes', reply.json(200, ['A', 'B']));
    const r = await service.callTool('exportCodes', undefined, ctx());
    expect(r.structuredContent).toEqual({ items: ['A', 'B'] });
  });

  it('surfaces the next cursor as a note', async () => {
    backend.script(
      '/v1/orgs/org-1/invoices',
      reply.json(200, { items: [{ id: 'a', status: 'paid' }], nextCursor: 'c-2' }),
    );
    const r = await service.callTool('listInvoices', {}, ctx());
    expect(r.content[1]?.text).toBe(
      'More results are available: call again with `cursor: "c-2"` (other arguments unchanged) for the next page.',
    );
  });

  it('cuts a large list so that it still conforms to outputSchema', async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: `inv-${i}`, status: 'sent', memo: 'm'.repeat(50) }));
    backend.script('/v1/orgs/org-1/invoices', reply.json(200, { items, nextCursor: 'c-9' }));
    const r = await service.callTool('listInvoices', { limit: 100 }, ctx());
    const listed = service.listTools().find((t) => t.name === 'listInvoices');
    expect(ajv.validate(listed?.outputSchema ?? {}, r.structuredContent)).toBe(true);
    const shown = (r.structuredContent?.['items'] as unknown[]).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(200);
    expect(Buffer.byteLength(r.content[0]?.text ?? '')).toBeLessThanOrEqual(4000);
    expect(JSON.parse(r.content[0]?.text ?? '')).toEqual(r.structuredContent);
    expect(r['_meta']).toEqual({
      'finmcp/truncated': { shown, total: 200, hint: expect.stringContaining(`\`limit: ${shown}\``) as unknown },
    });
    expect(r.content[1]?.text).toMatch(
      new RegExp(`^Showing ${shown} of 200 items; the response was cut at 4000 bytes\\.`),
    );
    expect(r.content[2]?.text).toMatch(/cursor: "c-9"/);
  });
});

describe('failures', () => {
  it('names the HTTP status and the problem detail for a 404, without structuredContent', async () => {
    backend.script(
      '/v1/orgs/org-1/invoices/inv-9',
      reply.problem(404, {
        title: 'Invoice not found',
        detail: 'No invoice inv-9',
        errors: [{ field: 'invoiceId', message: 'unknown id' }],
      }),
    );
    const r = await service.callTool('get_invoice', { invoiceId: 'inv-9' }, ctx());
    expect(r).toEqual({
      isError: true,
      content: [
        { type: 'text', text: 'HTTP 404 Not Found: Invoice not found — No invoice inv-9\n- invoiceId: unknown id' },
      ],
    });
  });

  const backendFaults = [
    { given: 'plain 500', r: reply.status(500), want: 'HTTP 500 Internal Server Error' },
    {
      given: 'HTML error page',
      r: reply.text(502, 'text/html', '<html><body>bad gateway</body></html>'),
      want: 'HTTP 502 Bad Gateway',
    },
    {
      given: 'text error',
      r: reply.text(400, 'text/plain', 'missing  field\n x'),
      want: 'HTTP 400 Bad Request: missing field x',
    },
    {
      given: 'a 2xx in the wrong content type',
      r: reply.text(200, 'text/html; charset=utf-8', '<p>login</p>'),
      want: 'Backend answered with text/html; charset=utf-8 where application/json was expected (HTTP 200)',
    },
    {
      given: 'malformed JSON',
      r: reply.malformedJson(),
      want: 'Backend request failed: malformed JSON from backend (HTTP 200) (request id req-42)',
    },
  ];
  it.each(backendFaults)('reports $given as a tool error', async ({ r: rep, want }) => {
    backend.script('/v1/codes', rep);
    const r = await service.callTool('exportCodes', {}, ctx());
    expect(r.isError).toBe(true);
    expect(text(r)).toBe(want);
    expect(r.structuredContent).toBeUndefined();
  });

  it('retries an idempotent GET on 503 but never a POST', async () => {
    backend.script('/v1/codes', reply.status(503), reply.json(200, []));
    expect((await service.callTool('exportCodes', {}, ctx())).isError).toBeUndefined();
    expect(backend.requestsTo('/v1/codes')).toHaveLength(2);
    expect(logLines.find((l) => l['msg'] === 'tool call')?.['attempts']).toBe(2);

    backend.script('/v1/orgs/org-1/invoices', reply.status(503), reply.json(201, {}));
    const r = await service.callTool('createInvoice', { customerId: 1, amount: 1 }, ctx());
    expect(text(r)).toBe('HTTP 503 Service Unavailable');
    expect(backend.requestsTo('/v1/orgs/org-1/invoices')).toHaveLength(1);
  });

  it('asks onUnauthorized on a 401 and retries once', async () => {
    unauthorizedCalls = 0;
    backend.script('/v1/codes', reply.problem(401, { title: 'Unauthorized' }), reply.json(200, ['ok']));
    const r = await service.callTool('exportCodes', {}, ctx());
    expect(r.structuredContent).toEqual({ items: ['ok'] });
    expect(unauthorizedCalls).toBe(1);

    backend.script('/v1/codes', reply.problem(401, { title: 'Unauthorized', detail: 'token expired' }));
    const again = await service.callTool('exportCodes', {}, ctx());
    expect(text(again)).toBe('HTTP 401 Unauthorized: token expired');
    expect(unauthorizedCalls).toBe(2);
  });

  it('returns the outbound auth error without calling the backend', async () => {
    const r = await service.callTool(
      'exportCodes',
      {},
      ctx({ principal: { id: 'locked-out', scopes: [], claims: {} } }),
    );
    expect(r).toEqual({ isError: true, content: [{ type: 'text', text: 'not logged in: call `login` first' }] });
    expect(backend.requests).toHaveLength(0);
  });

  const badInputs: Array<{ given: string; name: string; args: Record<string, unknown>; want: string }> = [
    {
      given: 'a bound property',
      name: 'get_invoice',
      args: { invoiceId: 'x', organizationId: 'org-evil' },
      want: '`organizationId` cannot be set: it comes from your credentials',
    },
    {
      given: 'every bad field at once',
      name: 'listInvoices',
      args: { status: 'foo', limit: 500, extra: true },
      want: 'Invalid arguments:\n- (root): unknown property "extra" is not allowed\n- status: must be one of draft, sent, overdue, paid (got "foo")\n- limit: must be <= 100 (got 500)',
    },
    {
      given: 'a bad commonInput',
      name: 'listInvoices',
      args: { organization: 'third' },
      want: 'Invalid arguments:\n- organization: must be one of first, second (got "third")',
    },
    {
      given: 'a missing required field',
      name: 'get_invoice',
      args: {},
      want: 'Invalid arguments:\n- invoiceId: is required',
    },
    {
      given: 'an override check',
      name: 'createInvoice',
      args: { customerId: 1, amount: 2e6 },
      want: 'amount: above the 1,000,000 limit',
    },
    {
      given: "a hand-written tool's own inputSchema",
      name: 'purgeInvoice',
      args: {},
      want: 'Invalid arguments:\n- invoiceId: is required',
    },
  ];
  it.each(badInputs)('refuses $given and keeps serving', async ({ name, args, want }) => {
    const r = await service.callTool(name, args, ctx());
    expect(r).toEqual({ isError: true, content: [{ type: 'text', text: want }] });
    expect(backend.requests).toHaveLength(0);
    backend.script('/v1/codes', reply.json(200, ['still fine']));
    expect((await service.callTool('exportCodes', {}, ctx())).structuredContent).toEqual({ items: ['still fine'] });
  });

  it('turns unexpected exceptions into a generic error with the request id, logged but never shown', async () => {
    const r = await service.callTool('ping', {}, ctx({ requestId: 'req-boom' }));
    expect(r).toEqual({ isError: true, content: [{ type: 'text', text: 'internal error, request id req-boom' }] });
    const err = logLines.find((l) => l['msg'] === 'tool call failed');
    expect(err?.['requestId']).toBe('req-boom');
    expect(err?.['error']).toMatchObject({ type: 'Error', message: 'kaboom: sent Bearer [redacted] for [redacted]' });
    expect(JSON.stringify(logLines)).not.toContain(SERVICE_TOKEN);
    expect(logLines.find((l) => l['msg'] === 'tool call')?.['outcome']).toBe('internal_error');
  });

  it('shows ToolCallError messages from overrides as they are', async () => {
    const svc = createToolService(
      {
        generated,
        overrides: {
          bind: {
            organizationId: () => {
              throw new ToolCallError('choose an organisation first');
            },
          },
        },
      },
      { http, logger: createLogger({ destination: { write: () => undefined } }) },
    );
    const r = await svc.callTool('getInvoice', { invoiceId: 'a' }, ctx());
    expect(text(r)).toBe('choose an organisation first');
  });

  it('waits for a binding and a check that answer later, and an async refusal refuses', async () => {
    const svc = createToolService(
      {
        generated,
        overrides: {
          bind: { organizationId: async () => 'org-late' },
          tools: {
            getInvoice: { check: async (args) => (args['invoiceId'] === 'no' ? 'not this one' : undefined) },
          },
        },
      },
      { http, logger: createLogger({ destination: { write: () => undefined } }) },
    );
    backend.script('/v1/orgs/org-late/invoices/inv-9', reply.json(200, { id: 'inv-9', status: 'sent' }));
    const r = await svc.callTool('getInvoice', { invoiceId: 'inv-9' }, ctx());
    expect(r.structuredContent).toEqual({ id: 'inv-9', status: 'sent' });
    expect(text(await svc.callTool('getInvoice', { invoiceId: 'no' }, ctx()))).toBe('not this one');
    expect(backend.requests).toHaveLength(1);
  });

  it('says when a required bound value cannot be determined', async () => {
    const r = await service.callTool(
      'get_invoice',
      { invoiceId: 'a' },
      ctx({ principal: { id: 'u', scopes: [], claims: {} } }),
    );
    expect(text(r)).toBe('`organizationId` could not be determined from your credentials');
  });
});

describe('hand-written tools', () => {
  it('reach hidden generated operations through callOperation, with outbound auth', async () => {
    backend.script('/v1/orgs/org-1/invoices/inv-3', reply.status(204));
    const r = await service.callTool('purgeInvoice', { invoiceId: 'inv-3' }, ctx());
    expect(text(r)).toBe('purged (HTTP 204)');
    expect(backend.requests[0]?.method).toBe('DELETE');
    expect(backend.requests[0]?.headers['authorization']).toBe(`Bearer ${SERVICE_TOKEN}`);
  });
});

describe('logging', () => {
  it('writes one line per call with the agreed fields and no secrets', async () => {
    backend.script('/v1/orgs/org-1/invoices/s3cr3t-arg', reply.json(200, { id: 'x', status: 'sent' }));
    await service.callTool('get_invoice', { invoiceId: 's3cr3t-arg' }, ctx());
    await service.callTool('ping', {}, ctx());
    const calls = logLines.filter((l) => l['msg'] === 'tool call');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      tool: 'get_invoice',
      backend: 'acme',
      status: 200,
      attempts: 1,
      requestId: 'req-42',
      principal: 'user-1',
      outcome: 'ok',
    });
    expect(typeof calls[0]?.['durationMs']).toBe('number');
    const all = JSON.stringify(logLines);
    expect(all).not.toContain(SESSION_ID);
    expect(all).not.toContain('s3cr3t-arg');
    expect(calls[1]?.['outcome']).toBe('internal_error');
  });

  it('tells a client that asked for log messages the same summary, at info, without principal or ids', async () => {
    backend.script('/v1/orgs/org-1/invoices/inv-9', reply.json(200, { id: 'x', status: 'sent' }));
    const told: Array<{ level: string; data: unknown }> = [];
    const report = { progress: () => undefined, log: (level: string, data: unknown) => told.push({ level, data }) };
    await service.callTool('get_invoice', { invoiceId: 'inv-9' }, { ...ctx(), report });
    expect(told).toEqual([
      {
        level: 'info',
        data: { tool: 'get_invoice', status: 200, attempts: 1, durationMs: expect.any(Number), outcome: 'ok' },
      },
    ]);
  });
});
