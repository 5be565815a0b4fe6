/**
 * The catalogue of a backend from its real generated descriptors (src/core/catalogue.ts): the spec's prompts, the
 * OpenAPI document and the docs/tools.md section as resources, and a tool selection keeping all three consistent
 * with the tools served.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backendLoaders } from '../../generated/index.gen.js';
import { buildCatalogue, fillPrompt } from '../../src/core/catalogue.js';
import { answerCatalogue } from '../../src/protocol/catalogue.js';

const finopps = await backendLoaders['finopps']!();
const b4b = await backendLoaders['b4b']!();
const allOf = (tools: Array<{ name: string }>): Set<string> => new Set(tools.map((t) => t.name));

describe('buildCatalogue', () => {
  it('serves every spec prompt, the OpenAPI document as written and the backend section of docs/tools.md', async () => {
    const catalogue = buildCatalogue({ generated: finopps, overrides: {}, served: allOf(finopps.tools) });
    expect(catalogue.prompts.map((p) => p.name)).toEqual([
      'overdue_invoices',
      'receivables_balance',
      'invoice_details',
      'expenses_in_period',
      'find_customer',
      'payments_report',
      'business_profile',
    ]);
    expect(catalogue.resources.map((r) => [r.uri, r.mimeType])).toEqual([
      ['finmcp://finopps/openapi', 'application/yaml'],
      ['finmcp://finopps/tools', 'text/markdown'],
    ]);
    const spec = (await catalogue.resources[0]!.read())[0] as { text: string };
    expect(spec.text).toContain('openapi: 3.1.0');
    expect(Object.keys(parse(spec.text).paths)).toHaveLength(7);
    const docs = (await catalogue.resources[1]!.read())[0] as { text: string };
    expect(docs.text.startsWith('## finopps — ')).toBe(true);
    expect(docs.text).toContain('### `payments_report`');
    expect(docs.text).not.toContain('## b4b');
  });

  it('a selection drops the prompts, operations and catalogue entries of tools not served', async () => {
    const served = new Set(['list_invoices', 'get_invoice']);
    const catalogue = buildCatalogue({ generated: finopps, overrides: {}, served });
    expect(catalogue.prompts.map((p) => p.name)).toEqual(['overdue_invoices', 'invoice_details']);
    const spec = parse(((await catalogue.resources[0]!.read())[0] as { text: string }).text);
    const operations = Object.values(spec.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(
      (item) => Object.values(item).flatMap((op) => (typeof op.operationId === 'string' ? [op.operationId] : [])),
    );
    expect(operations.sort()).toEqual(['get_invoice', 'list_invoices']);
    expect((spec['x-finmcp-prompts'] as Array<{ name: string }>).map((p) => p.name)).toEqual([
      'overdue_invoices',
      'invoice_details',
    ]);
    const docs = ((await catalogue.resources[1]!.read())[0] as { text: string }).text;
    expect(docs).toContain('2 of 7 tools served');
    expect(docs).toContain('### `get_invoice`');
    expect(docs).not.toContain('payments_report');
  });

  it('a B4B prompt needing two tools goes when either is not served', () => {
    const served = allOf(b4b.tools);
    served.delete('list_entities');
    expect(buildCatalogue({ generated: b4b, overrides: {}, served }).prompts).toEqual([]);
  });

  it('hand-written prompts and resources follow the same rule', () => {
    const extra = { name: 'p', arguments: [], get: () => ({ messages: [] }), tools: ['get_invoice'] };
    const resource = { uri: 'x://r', name: 'r', read: () => [], tools: ['payments_report'] };
    const catalogue = buildCatalogue({
      generated: finopps,
      overrides: { extraPrompts: [extra], extraResources: [resource] },
      served: new Set(['get_invoice']),
    });
    expect(catalogue.prompts.map((p) => p.name)).toEqual(['invoice_details', 'p']);
    expect(catalogue.resources.map((r) => r.uri)).not.toContain('x://r');
  });
});

describe('spec prompts through the protocol answers', () => {
  const catalogue = buildCatalogue({ generated: finopps, overrides: {}, served: allOf(finopps.tools) });

  it('prompts/get fills the arguments, and defaults where they are left out', async () => {
    expect(
      await answerCatalogue(catalogue, 'prompts/get', {
        name: 'invoice_details',
        arguments: { invoice_number: '1429' },
      }),
    ).toEqual({
      description: 'One invoice with its line items, totals and payments, by its number or id.',
      messages: [{ role: 'user', content: { type: 'text', text: 'Get the details for invoice #1429' } }],
    });
    const overdue = await answerCatalogue(catalogue, 'prompts/get', { name: 'overdue_invoices' });
    expect(overdue['messages']).toEqual([
      { role: 'user', content: { type: 'text', text: 'Show me all overdue invoices' } },
    ]);
  });

  it('refuses an unknown prompt, a missing required argument, an unknown one and a value outside the enum', async () => {
    await expect(answerCatalogue(catalogue, 'prompts/get', { name: 'nope' })).rejects.toMatchObject({
      code: -32602,
      message: 'Unknown prompt: nope',
    });
    await expect(answerCatalogue(catalogue, 'prompts/get', { name: 'invoice_details' })).rejects.toMatchObject({
      code: -32602,
      message: 'Invalid params: prompt invoice_details requires the argument invoice_number',
    });
    await expect(
      answerCatalogue(catalogue, 'prompts/get', { name: 'invoice_details', arguments: { id: '1' } }),
    ).rejects.toMatchObject({
      message: 'Invalid params: prompt invoice_details has no argument id (it takes: invoice_number)',
    });
    await expect(
      answerCatalogue(catalogue, 'prompts/get', { name: 'overdue_invoices', arguments: { status: 'late' } }),
    ).rejects.toMatchObject({
      message:
        'Invalid params: arguments.status must be one of overdue, sent, viewed, partially_paid, paid, draft, void',
    });
  });

  it('completion/complete offers enum values and examples starting with what was typed', async () => {
    const complete = (name: string, argument: string, value: string) =>
      answerCatalogue(catalogue, 'completion/complete', {
        ref: { type: 'ref/prompt', name },
        argument: { name: argument, value },
      });
    expect(await complete('overdue_invoices', 'status', 'p')).toEqual({
      completion: { values: ['partially_paid', 'paid'], total: 2, hasMore: false },
    });
    expect(await complete('payments_report', 'period', 'q')).toEqual({
      completion: { values: ['Q1 2025', 'Q2 2025'], total: 2, hasMore: false },
    });
    await expect(complete('payments_report', 'nope', '')).rejects.toMatchObject({
      code: -32602,
      message: 'Invalid params: prompt payments_report has no argument nope',
    });
  });

  it('resources/read of an unknown URI is -32602 carrying the URI', async () => {
    await expect(answerCatalogue(catalogue, 'resources/read', { uri: 'finmcp://finopps/nope' })).rejects.toMatchObject({
      code: -32602,
      message: 'Resource not found: finmcp://finopps/nope',
      data: { uri: 'finmcp://finopps/nope' },
    });
  });

  it('fillPrompt leaves no double space where an optional argument has no default', () => {
    const prompt = {
      name: 'p',
      title: 'p',
      description: 'd',
      text: 'List {a} invoices',
      tools: ['x'],
      arguments: [{ name: 'a', description: 'a', required: false }],
    };
    expect(fillPrompt(prompt, {})).toBe('List invoices');
  });
});
