import { describe, expect, it } from 'vitest';
import type { JsonSchema, ToolDescriptor } from '../../../contract/descriptor.js';
import { diffTools } from '../../../codegen/report/diff.js';

/** A minimal descriptor; only what the report reads matters. */
function tool(name: string, input: JsonSchema['properties'] = {}, extra: Partial<ToolDescriptor> = {}): ToolDescriptor {
  return {
    name,
    title: name,
    description: '',
    inputSchema: { type: 'object', properties: input, additionalProperties: false },
    outputSchema: { type: 'object', properties: {} },
    annotations: {},
    operation: { method: 'get', path: `/${name}`, deprecated: false, tags: [], security: [] },
    parameters: [],
    output: { status: '200' },
    ...extra,
  };
}

const withInput = (t: ToolDescriptor, properties: Record<string, unknown>, required?: string[]): ToolDescriptor => ({
  ...t,
  inputSchema: { type: 'object', properties, ...(required ? { required } : {}), additionalProperties: false },
});
const withOutput = (t: ToolDescriptor, schema: JsonSchema): ToolDescriptor => ({ ...t, outputSchema: schema });

const status = { type: 'string', enum: ['open', 'closed'] };
const base = tool('listInvoices');

describe('diffTools', () => {
  const cases: Array<{ name: string; given: { before: ToolDescriptor[]; after: ToolDescriptor[] }; want: string[] }> = [
    { name: 'identical', given: { before: [base], after: [base] }, want: [] },
    {
      name: 'added tool is compatible',
      given: { before: [base], after: [base, tool('getInvoice')] },
      want: ['compatible tool-added getInvoice'],
    },
    {
      name: 'removed tool is breaking',
      given: { before: [base, tool('x')], after: [base] },
      want: ['breaking tool-removed x'],
    },
    {
      name: 'renamed tool (same method + path) is breaking, and compared like a kept one',
      given: {
        before: [withInput(tool('listInvoices'), { q: { type: 'string' } })],
        after: [withInput(tool('invoices_list', {}, { operation: base.operation }), {})],
      },
      want: ['breaking tool-renamed invoices_list', 'breaking input-removed invoices_list q'],
    },
    {
      name: 'new optional input is compatible',
      given: { before: [base], after: [withInput(base, { q: { type: 'string' } })] },
      want: ['compatible input-added listInvoices q'],
    },
    {
      name: 'new required input is breaking',
      given: { before: [base], after: [withInput(base, { org: { type: 'string' } }, ['org'])] },
      want: ['breaking input-added listInvoices org'],
    },
    {
      name: 'input becoming required is breaking, becoming optional compatible',
      given: {
        before: [withInput(base, { a: {}, b: {} }, ['b'])],
        after: [withInput(base, { a: {}, b: {} }, ['a'])],
      },
      want: ['breaking input-required listInvoices a', 'compatible input-optional listInvoices b'],
    },
    {
      name: 'renamed input field: removed + added',
      given: {
        before: [withInput(base, { customer_id: { type: 'string' } }, ['customer_id'])],
        after: [withInput(base, { customerId: { type: 'string' } }, ['customerId'])],
      },
      want: ['breaking input-removed listInvoices customer_id', 'breaking input-added listInvoices customerId'],
    },
    {
      name: 'input enum value removed is breaking, added compatible',
      given: {
        before: [withInput(base, { status })],
        after: [withInput(base, { status: { type: 'string', enum: ['open', 'draft'] } })],
      },
      want: ['breaking input-enum-removed listInvoices status', 'compatible input-enum-added listInvoices status'],
    },
    {
      name: 'input type narrowed is breaking, widened compatible',
      given: {
        before: [withInput(base, { a: { type: ['string', 'null'] }, b: { type: 'integer' } })],
        after: [withInput(base, { a: { type: 'string' }, b: { type: 'number' } })],
      },
      want: ['breaking input-type listInvoices a', 'compatible input-type listInvoices b'],
    },
    {
      name: 'nested input field removed',
      given: {
        before: [withInput(base, { filter: { type: 'object', properties: { from: {}, to: {} } } })],
        after: [withInput(base, { filter: { type: 'object', properties: { from: {} } } })],
      },
      want: ['breaking input-removed listInvoices filter.to'],
    },
    {
      name: 'output field removed is breaking, added compatible',
      given: {
        before: [withOutput(base, { type: 'object', properties: { total: { type: 'string' } } })],
        after: [withOutput(base, { type: 'object', properties: { sum: { type: 'string' } } })],
      },
      want: ['breaking output-removed listInvoices total', 'compatible output-added listInvoices sum'],
    },
    {
      name: 'new enum value in an output array item is breaking',
      given: {
        before: [
          withOutput(base, {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', properties: { status } } } },
          }),
        ],
        after: [
          withOutput(base, {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: { type: 'object', properties: { status: { type: 'string', enum: ['open', 'closed', 'void'] } } },
              },
            },
          }),
        ],
      },
      want: ['breaking output-enum-added listInvoices items[].status'],
    },
    {
      name: 'output field no longer always present is breaking; output type change is breaking',
      given: {
        before: [
          withOutput(base, {
            type: 'object',
            required: ['a'],
            properties: { a: { type: 'string' }, b: { type: 'integer' } },
          }),
        ],
        after: [withOutput(base, { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } })],
      },
      want: ['breaking output-optional listInvoices a', 'breaking output-type listInvoices b'],
    },
    {
      name: 'recursive $defs are followed without looping',
      given: {
        before: [
          withOutput(base, {
            type: 'object',
            properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
            $defs: {
              Node: {
                type: 'object',
                properties: { name: {}, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
              },
            },
          }),
        ],
        after: [
          withOutput(base, {
            type: 'object',
            properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
            $defs: {
              Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } } },
            },
          }),
        ],
      },
      want: ['breaking output-removed listInvoices children[].name'],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const changes = diffTools(given.before, given.after);
    expect(
      changes.map((c) => [c.severity, c.kind, c.tool, c.property].filter((x) => x !== undefined).join(' ')),
    ).toEqual(want);
    for (const change of changes) expect(change.message).toContain(change.tool);
  });
});
