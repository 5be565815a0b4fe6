import { describe, expect, it } from 'vitest';
import { addImplicitType } from '../../../codegen/schema/implicit-type.js';

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
    { name: 'explicit type kept', given: { type: ['object', 'null'], properties: {} }, want: { type: ['object', 'null'], properties: {} } },
    { name: 'numeric keywords untouched', given: { minimum: 1 }, want: { minimum: 1 } },
    { name: '$ref untouched', given: { $ref: '#/$defs/A', properties: {} }, want: { $ref: '#/$defs/A', properties: {} } },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    addImplicitType(given);
    expect(given).toEqual(want);
  });
});
