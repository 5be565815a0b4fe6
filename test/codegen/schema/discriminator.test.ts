import { describe, expect, it } from 'vitest';
import { applyDiscriminatorTags, discriminatorTags } from '../../../codegen/schema/discriminator.js';

describe('discriminatorTags', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: unknown }> = [
    {
      name: 'explicit mapping by reference',
      given: {
        oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
        discriminator: {
          propertyName: 'kind',
          mapping: { cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog' },
        },
      },
      want: { propertyName: 'kind', keyword: 'oneOf', tags: ['cat', 'dog'] },
    },
    {
      name: 'mapping by bare schema name, implicit name for the rest, inline unmapped',
      given: {
        anyOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }, { type: 'object' }],
        discriminator: { propertyName: 'kind', mapping: { kitty: 'Cat' } },
      },
      want: { propertyName: 'kind', keyword: 'anyOf', tags: ['kitty', 'Dog', undefined] },
    },
    { name: 'no discriminator', given: { oneOf: [{ $ref: '#/a' }] }, want: undefined },
    { name: 'discriminator without branches', given: { discriminator: { propertyName: 'k' } }, want: undefined },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(discriminatorTags(given)).toEqual(want);
  });
});

describe('applyDiscriminatorTags', () => {
  const found = { propertyName: 'kind', keyword: 'oneOf' as const, tags: ['cat', 'dog', undefined] };
  const cases: Array<{ name: string; given: unknown[]; want: unknown[] }> = [
    {
      name: 'const added to the tag property, existing const/enum kept, untagged untouched',
      given: [
        { type: 'object', properties: { kind: { type: 'string' } } },
        { type: 'object', properties: { kind: { enum: ['dog', 'hound'] } } },
        { type: 'object' },
      ],
      want: [
        { type: 'object', properties: { kind: { type: 'string', const: 'cat' } } },
        { type: 'object', properties: { kind: { enum: ['dog', 'hound'] } } },
        { type: 'object' },
      ],
    },
    {
      name: 'branch without properties is wrapped in allOf',
      given: [{ $ref: '#/$defs/Cat' }, { type: 'object', properties: {} }, {}],
      want: [
        { allOf: [{ $ref: '#/$defs/Cat' }, { type: 'object', properties: { kind: { const: 'cat' } } }] },
        { type: 'object', properties: { kind: { const: 'dog' } } },
        {},
      ],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const schema: Record<string, unknown> = { oneOf: given };
    applyDiscriminatorTags(schema, found);
    expect(schema['oneOf']).toEqual(want);
  });
});
