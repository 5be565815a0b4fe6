import { describe, expect, it } from 'vitest';
import { mergeAllOf, mergeSchemas } from '../../../codegen/schema/all-of.js';

describe('mergeAllOf', () => {
  const cases: Array<{
    name: string;
    given: Record<string, unknown>;
    hidden?: string[];
    want: Record<string, unknown>;
  }> = [
    {
      name: 'properties and required are merged',
      given: {
        allOf: [
          { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
          { type: 'object', required: ['b'], properties: { b: { type: 'integer' } } },
        ],
      },
      want: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'integer' } } },
    },
    {
      name: 'outer description wins, type intersected',
      given: {
        description: 'outer',
        allOf: [{ type: ['object', 'null'], description: 'inner' }, { type: 'object' }],
      },
      want: { description: 'outer', type: 'object' },
    },
    {
      name: 'integer survives against number',
      given: { allOf: [{ type: 'number', minimum: 0 }, { type: 'integer' }] },
      want: { type: 'integer', minimum: 0 },
    },
    {
      name: 'the same property on both sides is merged recursively',
      given: {
        allOf: [{ properties: { a: { type: 'string' } } }, { properties: { a: { maxLength: 3 } } }],
      },
      want: { properties: { a: { type: 'string', maxLength: 3 } } },
    },
    {
      name: 'conflicting property keywords keep a nested allOf',
      given: {
        allOf: [{ properties: { a: { type: 'string', maxLength: 3 } } }, { properties: { a: { maxLength: 5 } } }],
      },
      want: {
        properties: { a: { allOf: [{ type: 'string', maxLength: 3 }, { maxLength: 5 }] } },
      },
    },
    {
      name: 'hidden names are not resurrected by a sibling required',
      given: {
        allOf: [
          { type: 'object', properties: { name: { type: 'string' } } },
          { type: 'object', required: ['id', 'name'], properties: {} },
        ],
      },
      hidden: ['id'],
      want: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
    {
      name: 'a oneOf in one member is carried over',
      given: { allOf: [{ type: 'object' }, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }] },
      want: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] },
    },
  ];
  it.each(cases)('$name', ({ given, hidden, want }) => {
    expect(mergeAllOf(given, hidden)).toEqual(want);
  });

  const unmergeable: Array<{ name: string; given: Record<string, unknown> }> = [
    { name: 'disjoint types', given: { allOf: [{ type: 'string' }, { type: 'integer' }] } },
    {
      name: 'additionalProperties next to another member’s properties',
      given: { allOf: [{ properties: { a: {} }, additionalProperties: false }, { properties: { b: {} } }] },
    },
    { name: 'a $ref member', given: { allOf: [{ $ref: '#/$defs/A' }, { properties: { b: {} } }] } },
    { name: 'conflicting enums', given: { allOf: [{ enum: ['a', 'b'] }, { enum: ['b'] }] } },
    { name: 'a false member', given: { allOf: [false, { type: 'string' }] } },
  ];
  it.each(unmergeable)('keeps allOf: $name', ({ given }) => {
    expect(mergeAllOf(given)).toBe(given);
  });
});

describe('mergeSchemas', () => {
  it('does not mutate its inputs', () => {
    const a = { required: ['a'] };
    const b = { required: ['b'] };
    expect(mergeSchemas(a, b)).toEqual({ required: ['a', 'b'] });
    expect(a).toEqual({ required: ['a'] });
  });
});
