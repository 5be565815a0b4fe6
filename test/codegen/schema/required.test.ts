import { describe, expect, it } from 'vitest';
import { declareRequiredProperties } from '../../../codegen/schema/required.js';

describe('declareRequiredProperties', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    {
      name: 'undeclared required name gets {}',
      given: { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'b'] },
      want: { type: 'object', properties: { a: { type: 'string' }, b: {} }, required: ['a', 'b'] },
    },
    {
      name: 'required-only branch gets properties',
      given: { required: ['a'] },
      want: { required: ['a'], properties: { a: {} } },
    },
    {
      name: 'all declared: unchanged',
      given: { properties: { a: {} }, required: ['a'] },
      want: { properties: { a: {} }, required: ['a'] },
    },
    { name: 'no required: unchanged', given: { type: 'string' }, want: { type: 'string' } },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    declareRequiredProperties(given);
    expect(given).toEqual(want);
  });
});
