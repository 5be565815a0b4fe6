/**
 * The dispatch core of one `tools/call` (src/core/tool-calls.ts), step by step, against Prism serving
 * specs/finopps.yaml: bound properties refused → commonInput checked → bindings filled → the precompiled validator →
 * the override's check → outbound auth and the request → the backend's answer shaped into the result. Each case says
 * where the call must stop; whether the backend was reached is seen by the outbound auth step, which runs only for a
 * request about to be sent. A hand-written tool takes the same first steps, then its own schema, check and handler.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend as finopps } from '../../generated/finopps/index.gen.js';
import { createBackendHttp, type BackendHttp } from '../../src/backend/backend-http.js';
import type { BackendOverrides } from '../../src/core/backend-overrides.js';
import type { CallContext } from '../../src/core/call-context.js';
import { createToolService } from '../../src/core/tool-service.js';
import type { ToolResult, ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const ACME = '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f';
const HARBOUR = '5e8d2f4a-3c1b-4a7e-8f9d-6b5c4a3e2d1f';

/** Requests the core was about to send (outbound auth runs for each, just before it goes out). */
const sent: string[] = [];

const overrides: BackendOverrides = {
  commonInput: { organization: { type: 'string', enum: ['own', 'harbour'], description: 'Which organisation' } },
  // Bind functions see the model's arguments, commonInput included.
  bind: {
    organizationId: (ctx, args) => (args['organization'] === 'harbour' ? HARBOUR : ctx.principal.claims['org']),
  },
  tools: {
    list_invoices: { check: (args) => (args['status'] === 'void' ? 'Void invoices are not listed here' : undefined) },
  },
  outboundAuth: async (ctx, descriptor) => {
    sent.push(`${descriptor.name} ${String(ctx.principal.claims['org'])}`);
    return { headers: { authorization: 'Bearer sandbox-token' } };
  },
  extraTools: [
    {
      name: 'count_invoices',
      title: 'Count invoices',
      description: 'How many invoices of one status the first page holds.',
      inputSchema: {
        type: 'object',
        properties: { status: { type: 'string', enum: ['overdue', 'paid'] } },
        required: ['status'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true },
      call: async (args, ctx, api) => {
        const { organization: _which, ...filters } = args;
        const organizationId = ctx.principal.claims['org'];
        const res = await api.callOperation('list_invoices', { ...filters, organizationId }, ctx);
        const items = (res.body as { data?: unknown[] } | undefined)?.data ?? [];
        const structured = { status: args['status'], count: items.length, organization: args['organization'] ?? 'own' };
        return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
      },
    },
  ],
};

let prism: PrismServer;
let http: BackendHttp;
let service: ToolService;

beforeAll(async () => {
  prism = await startPrism({ specFile: 'specs/finopps.yaml', logger, startTimeoutMs: 120_000 });
  http = createBackendHttp({ baseUrl: prism.url, maxAttempts: 1, logger });
  service = createToolService({ generated: finopps, overrides }, { http, logger });
}, 150_000);

afterAll(async () => {
  await http?.close();
  await prism?.stop();
});

function call(name: string, args: Record<string, unknown>, org: string | undefined): Promise<ToolResult> {
  const ctx: CallContext = {
    backend: 'finopps',
    tool: name,
    requestId: randomUUID(),
    principal: { id: 'alice', scopes: [], claims: org === undefined ? {} : { org } },
  };
  return service.callTool(name, args, ctx);
}

const text = (result: ToolResult): string => result.content.map((c) => c.text).join('\n');

describe('a generated tool call, step by step', () => {
  const cases: Array<{
    name: string;
    args: Record<string, unknown>;
    org?: string | undefined;
    /** The error text; none: the call reaches the backend and succeeds. */
    error?: RegExp;
  }> = [
    { name: 'valid: bound, validated, checked, sent, shaped', args: { status: 'overdue', limit: 5 } },
    { name: 'commonInput picks the bound value and stays out of the request', args: { organization: 'harbour' } },
    {
      name: 'a bound property set by the model is refused first',
      args: { organizationId: HARBOUR, limit: 'many' },
      error: /`organizationId` cannot be set: it comes from your credentials/,
    },
    {
      name: 'a bad commonInput value is refused before binding',
      args: { organization: 'someone-else' },
      error: /organization: must be one of/,
    },
    {
      name: 'a required bound value that cannot be determined is refused',
      args: {},
      org: undefined,
      error: /`organizationId` could not be determined from your credentials/,
    },
    { name: 'the validator names the field and rule', args: { limit: 500 }, error: /limit.*<= 100/ },
    { name: 'an unknown property is refused by the validator', args: { colour: 'red' }, error: /colour/ },
    {
      name: "the override's check refuses after validation",
      args: { status: 'void' },
      error: /^Void invoices are not listed here$/,
    },
    {
      name: 'validation comes before the check',
      args: { status: 'void', limit: 0 },
      error: /limit.*>= 1/,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const { args, error } = c;
    sent.length = 0;
    const result = await call('list_invoices', args, Object.hasOwn(c, 'org') ? c.org : ACME);
    if (error !== undefined) {
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(error);
      expect(sent, 'nothing was sent').toEqual([]);
      return;
    }
    expect(result.isError, text(result)).not.toBe(true);
    expect(sent).toEqual([`list_invoices ${ACME}`]);
    const structured = result.structuredContent as { data: unknown[] };
    expect(Array.isArray(structured.data)).toBe(true);
    expect(JSON.parse(result.content[0]!.text)).toEqual(structured);
  });

  it('validates bound values too: a bound organisation that is no UUID is never sent', async () => {
    sent.length = 0;
    const result = await call('list_invoices', {}, 'not-a-uuid');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/organizationId.*uuid/);
    expect(sent).toEqual([]);
  });
});

describe('a hand-written tool call', () => {
  const cases: Array<{ name: string; args: Record<string, unknown>; error?: RegExp; sent: number }> = [
    { name: 'its own schema passes, its handler calls the backend', args: { status: 'overdue' }, sent: 1 },
    { name: 'commonInput stays in its arguments', args: { status: 'paid', organization: 'harbour' }, sent: 1 },
    { name: 'its own schema refuses, naming the field', args: { status: 'draft' }, error: /status.*one of/, sent: 0 },
    { name: 'a missing required field', args: {}, error: /status.*required/, sent: 0 },
    {
      name: 'a property outside its own schema is refused',
      args: { status: 'paid', organizationId: ACME },
      error: /organizationId/,
      sent: 0,
    },
  ];

  it.each(cases)('$name', async ({ args, error, sent: calls }) => {
    sent.length = 0;
    const result = await call('count_invoices', args, ACME);
    expect(sent).toHaveLength(calls);
    if (error !== undefined) {
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(error);
      return;
    }
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toMatchObject({
      status: args['status'],
      count: expect.any(Number),
      organization: args['organization'] ?? 'own',
    });
  });
});
