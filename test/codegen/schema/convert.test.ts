import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../codegen/emit/validators-file.js';
import { SchemaConverter, type SchemaMode } from '../../../codegen/schema/convert.js';

const document = {
  components: {
    schemas: {
      Node: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
        },
      },
      A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
      B: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } },
      Money: { type: 'object', required: ['amount'], properties: { amount: { type: 'string', example: '1.00' } } },
      Base: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', readOnly: true },
          name: { type: 'string' },
          pin: { type: 'string', writeOnly: true },
        },
      },
      Cat: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' }, lives: { type: 'integer' } } },
      Dog: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
    },
  },
};

/** Converts `raw` as one root schema: convert then finish (attach `$defs`). */
function convertRoot(raw: unknown, mode: SchemaMode = 'output'): Record<string, unknown> {
  const converter = new SchemaConverter(document, mode);
  return converter.finish(converter.convertObject(raw));
}

const node = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
};

describe('SchemaConverter', () => {
  const cases: Array<{ name: string; given: { raw: unknown; mode?: SchemaMode }; want: Record<string, unknown> }> = [
    {
      name: 'recursive $ref: inlined once, then a $ref into $defs emitted once',
      given: { raw: { $ref: '#/components/schemas/Node' } },
      want: { ...node, $defs: { Node: node } },
    },
    {
      name: 'input mode: the same $ref twice side by side is inlined twice, no $defs',
      given: {
        raw: {
          type: 'object',
          properties: { price: { $ref: '#/components/schemas/Money' }, tax: { $ref: '#/components/schemas/Money' } },
        },
        mode: 'input',
      },
      want: {
        type: 'object',
        properties: {
          price: {
            type: 'object',
            required: ['amount'],
            properties: { amount: { type: 'string', examples: ['1.00'] } },
          },
          tax: { type: 'object', required: ['amount'], properties: { amount: { type: 'string', examples: ['1.00'] } } },
        },
      },
    },
    {
      name: 'output mode: a $ref used twice is one shared $defs entry; examples and prose dropped',
      given: {
        raw: {
          type: 'object',
          description: 'Prices.',
          properties: {
            price: { $ref: '#/components/schemas/Money' },
            tax: { $ref: '#/components/schemas/Money', description: 'Tax.' },
          },
        },
      },
      want: {
        type: 'object',
        properties: { price: { $ref: '#/$defs/Money' }, tax: { $ref: '#/$defs/Money' } },
        $defs: { Money: { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } } },
      },
    },
    {
      name: 'mutual recursion A → B → A',
      given: { raw: { $ref: '#/components/schemas/A' } },
      want: {
        type: 'object',
        properties: { b: { type: 'object', properties: { a: { $ref: '#/$defs/A' } } } },
        $defs: {
          A: { type: 'object', properties: { b: { type: 'object', properties: { a: { $ref: '#/$defs/A' } } } } },
        },
      },
    },
    {
      name: 'annotation siblings of $ref override the target',
      given: { raw: { $ref: '#/components/schemas/Dog', description: 'A good dog.' }, mode: 'input' },
      want: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string' } },
        description: 'A good dog.',
      },
    },
    {
      name: 'constraining siblings of $ref merge like allOf',
      given: {
        raw: { $ref: '#/components/schemas/Dog', required: ['name'], properties: { name: { type: 'string' } } },
      },
      want: {
        type: 'object',
        required: ['kind', 'name'],
        properties: { kind: { type: 'string' }, name: { type: 'string' } },
      },
    },
    {
      name: 'input mode: allOf merged, read-only removed even when a sibling requires it',
      given: {
        raw: {
          allOf: [
            { $ref: '#/components/schemas/Base' },
            { required: ['id'], properties: { note: { type: 'string' } } },
          ],
        },
        mode: 'input',
      },
      want: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, pin: { type: 'string', writeOnly: true }, note: { type: 'string' } },
      },
    },
    {
      name: 'output mode: write-only removed, read-only kept',
      given: { raw: { $ref: '#/components/schemas/Base' } },
      want: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' } },
      },
    },
    {
      name: 'discriminator dropped, mapping pinned as const in each branch',
      given: {
        raw: {
          oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
          discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Cat' } },
        },
        mode: 'input',
      },
      want: {
        oneOf: [
          {
            type: 'object',
            required: ['kind'],
            properties: { kind: { type: 'string', const: 'cat' }, lives: { type: 'integer' } },
          },
          { type: 'object', required: ['kind'], properties: { kind: { type: 'string', const: 'Dog' } } },
        ],
      },
    },
    {
      name: 'arrays get items, 3.0 nullable becomes a type array, vendor keywords go',
      given: {
        raw: {
          properties: {
            tags: { type: 'array', 'x-order': 1 },
            note: { type: 'string', nullable: true, xml: { name: 'Note' } },
          },
        },
      },
      want: {
        properties: { tags: { type: 'array', items: {} }, note: { type: ['string', 'null'] } },
        type: 'object',
      },
    },
    {
      name: 'scalar keywords without a type get one, except under a typed parent',
      given: {
        raw: { properties: { n: { minimum: 0 }, i: { type: 'integer', oneOf: [{ maximum: 9 }] } } },
        mode: 'input',
      },
      want: {
        properties: { n: { minimum: 0, type: 'number' }, i: { type: 'integer', oneOf: [{ maximum: 9 }] } },
        type: 'object',
      },
    },
    {
      name: 'a required-only oneOf branch stays as written (2020-12 needs no declared property)',
      given: {
        raw: { type: 'object', properties: { a: {}, b: {} }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
        mode: 'input',
      },
      want: { type: 'object', properties: { a: {}, b: {} }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
    },
    {
      name: 'output mode: value assertions go, objects open, types, enums, const and required stay, oneOf is anyOf',
      given: {
        raw: {
          type: 'object',
          required: ['uri', 'uri', 'kind'],
          properties: {
            uri: { type: 'string', format: 'uri', pattern: '^https://', maxLength: 200 },
            kind: { type: 'string', enum: ['a', 'b'] },
            count: { type: 'integer', minimum: 0, maximum: 9, multipleOf: 1 },
            tags: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
            link: { oneOf: [{ type: 'string' }, { type: 'object', properties: { url: { type: 'string' } } }] },
            both: { anyOf: [{ type: 'string' }, { type: 'null' }], oneOf: [{ const: 'x' }, { const: 'y' }] },
            closed: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
          },
        },
      },
      want: {
        type: 'object',
        required: ['uri', 'kind'],
        properties: {
          uri: { type: 'string' },
          kind: { type: 'string', enum: ['a', 'b'] },
          count: { type: 'integer' },
          tags: { type: 'array', items: { type: 'string' } },
          link: { anyOf: [{ type: 'string' }, { type: 'object', properties: { url: { type: 'string' } } }] },
          both: {
            anyOf: [{ type: 'string' }, { type: 'null' }],
            allOf: [{ anyOf: [{ const: 'x' }, { const: 'y' }] }],
          },
          closed: { type: 'object', properties: { a: { type: 'string' } } },
        },
      },
    },
    {
      name: 'output mode: a discriminated oneOf becomes anyOf, its tags kept',
      given: {
        raw: {
          oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
          discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Cat' } },
        },
      },
      want: {
        anyOf: [
          {
            type: 'object',
            required: ['kind'],
            properties: { kind: { type: 'string', const: 'cat' }, lives: { type: 'integer' } },
          },
          { type: 'object', required: ['kind'], properties: { kind: { type: 'string', const: 'Dog' } } },
        ],
      },
    },
  ];

  it.each(cases)('$name', ({ given, want }) => {
    const converted = convertRoot(given.raw, given.mode);
    expect(converted).toEqual(want);
    // Every result must compile with the generator's own ajv settings.
    const ajv = createAjv([converted]);
    expect(() => ajv.compile(converted)).not.toThrow();
  });

  it('returns fresh objects: mutating one inlining does not touch another', () => {
    const converter = new SchemaConverter(document, 'output');
    const first = converter.convertObject({ $ref: '#/components/schemas/Money' });
    const second = converter.convertObject({ $ref: '#/components/schemas/Money' });
    (first['properties'] as Record<string, unknown>)['extra'] = {};
    expect(Object.keys(second['properties'] as object)).toEqual(['amount']);
    expect(Object.keys(document.components.schemas.Money.properties)).toEqual(['amount']);
  });

  it('names an unresolvable reference', () => {
    expect(() => convertRoot({ $ref: '#/components/schemas/Missing' })).toThrow('#/components/schemas/Missing');
  });
});
