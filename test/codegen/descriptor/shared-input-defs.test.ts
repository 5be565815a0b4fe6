/**
 * Input schemas share definitions the way output schemas do: a schema reached from several inputs (or several times
 * from one) is one `$defs` entry referenced by `$ref`, recursive schemas stay recursive, and the body's own root is
 * still flattened into input properties. Xero's `createBatchPayment` grew to 2.4 MB when each use was inlined.
 */
import { describe, expect, it } from 'vitest';
import { buildDescriptor } from '../../../codegen/descriptor/build.js';
import type { OperationInput } from '../../../codegen/descriptor/operation.js';
import { renderValidatorsFile, SchemaChecker } from '../../../codegen/emit/validators-file.js';

const document = {
  components: {
    schemas: {
      Contact: {
        type: 'object',
        properties: { name: { type: 'string' }, parent: { $ref: '#/components/schemas/Contact' } },
      },
      Invoice: {
        type: 'object',
        properties: { contact: { $ref: '#/components/schemas/Contact' }, total: { type: 'number' } },
      },
      Payment: {
        type: 'object',
        required: ['invoice'],
        properties: {
          invoice: { $ref: '#/components/schemas/Invoice' },
          credit: { $ref: '#/components/schemas/Invoice' },
          payer: { $ref: '#/components/schemas/Contact' },
        },
      },
    },
  },
};

const operation: OperationInput = {
  method: 'post',
  path: '/payments',
  deprecated: false,
  tags: [],
  parameters: [{ name: 'contact', in: 'query', required: false, schema: { $ref: '#/components/schemas/Contact' } }],
  requestBody: { contentType: 'application/json', required: true, schema: { $ref: '#/components/schemas/Payment' } },
  responses: [
    {
      status: '200',
      description: 'ok',
      contentType: 'application/json',
      schema: { $ref: '#/components/schemas/Payment' },
    },
  ],
  security: [],
};

describe('shared definitions in input schemas', () => {
  const tool = buildDescriptor(operation, 'create_payment', document);

  it('writes each definition reached more than once in $defs once, and references it', () => {
    const properties = tool.inputSchema['properties'] as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual(['contact', 'invoice', 'credit', 'payer']);
    expect(properties['invoice']).toEqual({ $ref: '#/$defs/Invoice' });
    expect(properties['credit']).toEqual({ $ref: '#/$defs/Invoice' });
    expect(properties['payer']).toEqual({ $ref: '#/$defs/Contact' });
    const defs = tool.inputSchema['$defs'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(defs).sort()).toEqual(['Contact', 'Invoice']);
    // Recursive: Contact.parent points back at its own definition.
    expect((defs['Contact']?.['properties'] as Record<string, unknown>)['parent']).toEqual({ $ref: '#/$defs/Contact' });
    expect(tool.inputSchema['required']).toEqual(['invoice']);
  });

  it('compiles into a validator that follows the shared definitions', async () => {
    const code = renderValidatorsFile('specs/x.yaml', [tool], new SchemaChecker());
    const url = `data:text/javascript;base64,${Buffer.from(code.replace(/^import .*$/gm, '').replace(/^const require.*$/m, '')).toString('base64')}`;
    const { validators } = (await import(url)) as { validators: Record<string, (data: unknown) => boolean> };
    const validate = validators['create_payment'] as (data: unknown) => boolean;
    expect(validate({ invoice: { contact: { name: 'a', parent: { name: 'b' } } } })).toBe(true);
    expect(validate({ invoice: { contact: { parent: { name: 1 } } } })).toBe(false);
  });
});

describe('output schemas within their budget', () => {
  // A web of 60 objects, each expanding into the next three: written out in full it is far over the budget.
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < 60; i += 1) {
    const properties: Record<string, unknown> = { id: { type: 'string', pattern: `^obj_${i}_[a-z0-9]{24}$` } };
    for (let k = 1; k <= 3; k += 1)
      properties[`link${k}`] = { anyOf: [{ type: 'string' }, { $ref: `#/components/schemas/O${(i + k) % 60}` }] };
    for (let f = 0; f < 20; f += 1)
      properties[`field_${f}`] = { type: 'string', maxLength: 5000, enum: [`v${f}a`, `v${f}b`] };
    schemas[`O${i}`] = { type: 'object', required: ['id'], properties };
  }
  const web = { components: { schemas } };
  const tool = buildDescriptor(
    {
      ...operation,
      parameters: [],
      requestBody: undefined,
      responses: [
        {
          status: '200',
          description: 'ok',
          contentType: 'application/json',
          schema: { $ref: '#/components/schemas/O0' },
        },
      ],
    },
    'get_o0',
    web,
  );

  it('leaves the deepest references open until the schema fits, and keeps the root described', () => {
    expect(JSON.stringify(tool.outputSchema).length).toBeLessThanOrEqual(32 * 1024);
    expect(tool.outputSchema['required']).toEqual(['id']);
    expect(JSON.stringify(tool.outputSchema)).toContain('"enum":["v0a","v0b"]');
  });
});
