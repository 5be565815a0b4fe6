import { describe, expect, it } from 'vitest';
import { addImplicitScalarTypes, addImplicitType } from '../../../codegen/schema/implicit-type.js';

describe('addImplicitType', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    { name: 'properties → object', given: { properties: {} }, want: { properties: {}, type: 'object' } },
    {
      name: 'additionalProperties → object',
      given: { additionalProperties: { type: 'string' } },
      want: { additionalProperties: { type: 'string' }, type: 'object' },
    },
    { name: 'items → array', given: { items: {} }, want: { items: {}, type: 'array' } },
    { name: 'required alone stays untyped', given: { required: ['a'] }, want: { required: ['a'] } },
    {
      name: 'explicit type kept',
      given: { type: ['object', 'null'], properties: {} },
      want: { type: ['object', 'null'], properties: {} },
    },
    { name: 'numeric keywords untouched', given: { minimum: 1 }, want: { minimum: 1 } },
    {
      name: '$ref untouched',
      given: { $ref: '#/$defs/A', properties: {} },
      want: { $ref: '#/$defs/A', properties: {} },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    addImplicitType(given);
    expect(given).toEqual(want);
  });
});

describe('addImplicitScalarTypes', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    {
      name: 'property with numeric keywords only',
      given: { type: 'object', properties: { a: { minimum: 1 }, b: { maxLength: 3 } } },
      want: { type: 'object', properties: { a: { minimum: 1, type: 'number' }, b: { maxLength: 3, type: 'string' } } },
    },
    {
      name: 'branch under a typed parent stays untyped',
      given: { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: -1 }] },
      want: { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: -1 }] },
    },
    {
      name: 'typed branches: the parent is left alone',
      given: { anyOf: [{ type: 'string' }, { type: 'integer' }], minimum: 0 },
      want: { anyOf: [{ type: 'string' }, { type: 'integer' }], minimum: 0 },
    },
    { name: 'mixed families: left alone', given: { minimum: 1, maxLength: 2 }, want: { minimum: 1, maxLength: 2 } },
    {
      name: 'items and $defs are new instances',
      given: { type: 'array', items: { pattern: 'x' }, $defs: { D: { multipleOf: 2 } } },
      want: { type: 'array', items: { pattern: 'x', type: 'string' }, $defs: { D: { multipleOf: 2, type: 'number' } } },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    addImplicitScalarTypes(given);
    expect(given).toEqual(want);
  });
});
