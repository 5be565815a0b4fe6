/**
 * The hey-api plugin on the fixture specs: the cases other generators get wrong, each checked on the descriptor it
 * produces, plus a regression snapshot of every fixture descriptor.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ToolDescriptor } from '../../../src/descriptor.js';
import { createAjv } from '../../../codegen/emit/validators-file.js';
import { type ParsedSpec, parseSpec } from '../../../codegen/parse/spec.js';

const fixtures = resolve(import.meta.dirname, '../fixtures');
const LONG_ID = 'createAnItemUsingAnOperationIdentifierThatIsFarLongerThanTheSixtyFourCharacterLimitOfMcp90';
const specs: Record<string, ParsedSpec> = {};

beforeAll(async () => {
  specs['edge'] = await parseSpec(join(fixtures, 'edge.yaml'));
  specs['legacy30'] = await parseSpec(join(fixtures, 'legacy30.yaml'));
});

function find(name: string, spec = 'edge'): ToolDescriptor {
  const tools = specs[spec]?.descriptors ?? [];
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) throw new Error(`no tool ${name} in ${tools.map((t) => t.name).join(', ')}`);
  return tool;
}

const properties = (schema: Record<string, unknown>): Record<string, Record<string, unknown>> =>
  schema['properties'] as Record<string, Record<string, unknown>>;

describe('finmcp hey-api plugin', () => {
  it('keeps spec order and names every operation uniquely within 64 characters', () => {
    const hash = createHash('sha256').update(LONG_ID).digest('hex').slice(0, 8);
    expect(specs['edge']?.descriptors.map((t) => t.name)).toEqual([
      'getTree',
      'replaceTree',
      'updateItem',
      'deleteItem',
      'get_items',
      `${LONG_ID.slice(0, 55)}_${hash}`,
      'createPet',
      'uploadDocument',
      'downloadPdf',
      'list_entries',
      'list_entries_2',
      'submitContactForm',
    ]);
  });

  const cases: Array<{ name: string; given: { tool: string; spec?: string; pick: (t: ToolDescriptor) => unknown }; want: unknown }> = [
    {
      name: 'recursive $ref: one $defs entry, referenced from the inlined root',
      given: { tool: 'getTree', pick: (t) => [Object.keys(t.outputSchema['$defs'] as object), properties(t.outputSchema)['children']] },
      want: [['TreeNode'], { type: 'array', items: { $ref: '#/$defs/TreeNode' } }],
    },
    {
      name: 'same $ref twice, non-recursively: inlined twice, no $defs',
      given: { tool: 'updateItem', pick: (t) => [properties(t.inputSchema)['billing'], properties(t.inputSchema)['shipping'], t.inputSchema['$defs']] },
      want: [
        { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
        { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
        undefined,
      ],
    },
    {
      name: 'path/query/body clash: path keeps id, then query_id, body_id; Authorization header dropped',
      given: { tool: 'updateItem', pick: (t) => [Object.keys(properties(t.inputSchema)), t.inputSchema['required'], t.parameters.map((p) => `${p.property}<-${p.in}:${p.name}`)] },
      want: [
        ['id', 'query_id', 'X-Trace', 'body_id', 'name', 'billing', 'shipping', 'note', 'tags'],
        ['id', 'body_id', 'name'],
        ['id<-path:id', 'query_id<-query:id', 'X-Trace<-header:X-Trace'],
      ],
    },
    {
      name: 'nullable via a 3.1 type array, array without items gets items {}',
      given: { tool: 'updateItem', pick: (t) => [properties(t.inputSchema)['note'], properties(t.inputSchema)['tags']] },
      want: [{ type: ['string', 'null'] }, { type: 'array', items: {} }],
    },
    {
      name: 'allOf merged in the output; write-only secret dropped, read-only id kept',
      given: { tool: 'get_items', pick: (t) => (properties(t.outputSchema)['data'] as Record<string, unknown>)['items'] },
      want: {
        type: 'object',
        required: ['name', 'id'],
        properties: {
          name: { type: 'string', description: 'Display name.' },
          id: { type: 'string', readOnly: true },
          status: { type: 'string', enum: ['open', 'closed'] },
        },
      },
    },
    {
      name: 'oneOf with discriminator: keyword dropped, mapping pinned as const, whole body one value',
      given: { tool: 'createPet', pick: (t) => [t.body, properties(t.inputSchema)['body']] },
      want: [
        { kind: 'value', contentType: 'application/json', required: true, property: 'body' },
        {
          oneOf: [
            { type: 'object', required: ['kind'], properties: { kind: { type: 'string', const: 'cat' }, lives: { type: 'integer' } } },
            { type: 'object', required: ['kind'], properties: { kind: { type: 'string', const: 'dog' }, breed: { type: 'string' } } },
          ],
        },
      ],
    },
    {
      name: 'no operationId: name from method and path, operationId absent',
      given: { tool: 'get_items', pick: (t) => [t.operation.operationId, t.title, t.pagination] },
      want: [undefined, 'List items', { style: 'cursor', inputProperty: 'cursor', sizeProperty: 'limit', nextCursorField: 'next_cursor' }],
    },
    {
      name: 'XML request body: one string property named by x-codegen-request-body-name; array output wrapped',
      given: { tool: 'uploadDocument', pick: (t) => [t.body, t.output] },
      want: [
        { kind: 'value', contentType: 'application/xml', required: true, property: 'document' },
        { status: '202', contentType: 'application/json', wrapIn: 'items' },
      ],
    },
    {
      name: 'binary response: content string, explicitly public',
      given: { tool: 'downloadPdf', pick: (t) => [t.outputSchema, t.output, t.operation.security, t.annotations.readOnlyHint] },
      want: [
        { type: 'object', properties: { content: { type: 'string', contentMediaType: 'application/pdf' } }, required: ['content'] },
        { status: '200', contentType: 'application/pdf', wrapIn: 'content' },
        [],
        true,
      ],
    },
    {
      name: 'deprecated operation: flagged, said in the description, destructive DELETE',
      given: { tool: 'deleteItem', pick: (t) => [t.operation.deprecated, t.description, t.annotations.destructiveHint, t.output] },
      want: [true, 'Delete an item.\n\nReturns: Deleted.\n\nDeprecated.', true, { status: '204' }],
    },
    {
      name: 'x-mcp-annotations merged; cookie and deepObject bindings; page pagination',
      given: { tool: 'list_entries', pick: (t) => [t.annotations, t.parameters.slice(2), t.pagination] },
      want: [
        { title: 'Ledger entries', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        [
          { property: 'filter', in: 'query', name: 'filter', style: 'deepObject', explode: true },
          { property: 'ledger', in: 'cookie', name: 'ledger', style: 'form', explode: true },
        ],
        { style: 'page', inputProperty: 'page', sizeProperty: 'per_page' },
      ],
    },
    {
      name: 'additionalProperties body: one value; optional body; scalar 2XX output wrapped as result',
      given: { tool: 'list_entries_2', pick: (t) => [t.body, t.inputSchema['required'], t.output] },
      want: [
        { kind: 'value', contentType: 'application/json', required: false, property: 'body' },
        undefined,
        { status: '2XX', contentType: 'application/json', wrapIn: 'result' },
      ],
    },
    {
      name: 'form body flattened; text/html response as content',
      given: { tool: 'submitContactForm', pick: (t) => [t.body, t.output.wrapIn] },
      want: [
        {
          kind: 'properties',
          contentType: 'application/x-www-form-urlencoded',
          required: true,
          fields: [
            { property: 'email', name: 'email' },
            { property: 'message', name: 'message' },
          ],
        },
        'content',
      ],
    },
    {
      name: '3.0 spec: nullable and boolean exclusiveMinimum converted, example and vendor keywords',
      given: { tool: 'createTransfer', spec: 'legacy30', pick: (t) => properties(t.inputSchema) },
      want: {
        accountId: { type: 'string' },
        amount: { type: 'number', exclusiveMinimum: 0, examples: [12.5] },
        currency: { type: ['string', 'null'], enum: ['EUR', 'USD', null] },
        memo: { type: ['string', 'null'] },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(given.pick(find(given.tool, given.spec))).toEqual(want);
  });

  it.each(['edge', 'legacy30'])('every %s input schema compiles under ajv 2020 strict', (spec) => {
    const tools = specs[spec]?.descriptors ?? [];
    const ajv = createAjv(tools.map((t) => t.inputSchema));
    for (const tool of tools) expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
  });

  it.each(['edge', 'legacy30'])('%s descriptors match the regression snapshot', async (spec) => {
    await expect(`${JSON.stringify(specs[spec]?.descriptors, null, 2)}\n`).toMatchFileSnapshot(
      `../__snapshots__/${spec}.descriptors.json`,
    );
  });
});
