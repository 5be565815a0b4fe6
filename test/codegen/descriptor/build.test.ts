import { describe, expect, it } from 'vitest';
import type { ToolDescriptor } from '../../../contract/descriptor.js';
import { buildDescriptor, buildDescriptors } from '../../../codegen/descriptor/build.js';
import type { OperationInput } from '../../../codegen/descriptor/operation.js';

const document = {
  components: {
    schemas: {
      Item: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' }, qty: { type: 'integer' } },
      },
    },
  },
};

const base: OperationInput = {
  method: 'post',
  path: '/items/{id}',
  operationId: 'saveItem',
  deprecated: false,
  tags: ['items'],
  parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
  responses: [
    {
      status: '200',
      description: 'Saved',
      contentType: 'application/json',
      schema: { $ref: '#/components/schemas/Item' },
    },
  ],
  security: [{ oauth: ['items:write'] }],
};

describe('buildDescriptor', () => {
  const cases: Array<{
    name: string;
    given: Partial<OperationInput>;
    want: (d: ToolDescriptor) => unknown;
    equals: unknown;
  }> = [
    {
      name: 'body fields are required only when the body is',
      given: {
        requestBody: {
          contentType: 'application/json',
          required: false,
          schema: { $ref: '#/components/schemas/Item' },
        },
      },
      want: (d) => d.inputSchema['required'],
      equals: ['id'],
    },
    {
      name: 'required body: required fields required, read-only id dropped, body id renamed never needed',
      given: {
        requestBody: { contentType: 'application/json', required: true, schema: { $ref: '#/components/schemas/Item' } },
      },
      want: (d) => [d.inputSchema['required'], d.body],
      equals: [
        ['id', 'name'],
        {
          kind: 'properties',
          contentType: 'application/json',
          required: true,
          fields: ['name', 'qty'].map((name) => ({ property: name, name })),
        },
      ],
    },
    {
      name: 'a clashing body field becomes body_<name> and keeps its original name in the binding',
      given: {
        requestBody: {
          contentType: 'application/json',
          required: true,
          schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
        },
      },
      want: (d) => [Object.keys(d.inputSchema['properties'] as object), d.body],
      equals: [
        ['id', 'body_id'],
        {
          kind: 'properties',
          contentType: 'application/json',
          required: true,
          fields: [{ property: 'body_id', name: 'id' }],
        },
      ],
    },
    {
      name: 'XML body is one value property named by x-codegen-request-body-name',
      given: {
        requestBody: { contentType: 'application/xml', required: true, schema: { type: 'string' }, bodyName: 'xml' },
      },
      want: (d) => [d.body, (d.inputSchema['properties'] as Record<string, unknown>)['xml']],
      equals: [
        { kind: 'value', contentType: 'application/xml', required: true, property: 'xml' },
        { type: 'string', description: 'The request body as application/xml.' },
      ],
    },
    {
      name: 'x-mcp-annotations override the method defaults',
      given: { annotations: { readOnlyHint: true, idempotentHint: true } },
      want: (d) => d.annotations,
      equals: {
        title: 'Save item',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    {
      name: 'operation metadata and output binding',
      given: { deprecated: true, summary: 'Save an item' },
      want: (d) => [d.operation, d.output, d.title, d.description],
      equals: [
        {
          operationId: 'saveItem',
          method: 'post',
          path: '/items/{id}',
          deprecated: true,
          tags: ['items'],
          security: [{ oauth: ['items:write'] }],
        },
        { status: '200', contentType: 'application/json' },
        'Save an item',
        'Save an item.\n\nReturns: Saved.\n\nDeprecated.',
      ],
    },
    {
      name: 'no operationId: operation.operationId absent',
      given: { operationId: undefined },
      want: (d) => 'operationId' in d.operation,
      equals: false,
    },
  ];
  it.each(cases)('$name', ({ given, want, equals }) => {
    const operation = { ...base, ...given };
    if (given.operationId === undefined && 'operationId' in given) delete operation.operationId;
    expect(want(buildDescriptor(operation, 'save_item', document))).toEqual(equals);
  });
});

describe('buildDescriptors', () => {
  it('names tools uniquely in spec order', () => {
    const given: OperationInput[] = [
      { ...base, operationId: 'list.items' },
      { ...base, operationId: 'list items' },
      { ...base, operationId: undefined, method: 'get', path: '/items' },
    ];
    delete given[2]?.operationId;
    expect(buildDescriptors(given, document).map((d) => d.name)).toEqual(['list_items', 'list_items_2', 'get_items']);
  });
});
