import { describe, expect, it } from 'vitest';
import { ensureArrayItems } from '../../../codegen/schema/array-items.js';

describe('ensureArrayItems', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    { name: 'array without items', given: { type: 'array' }, want: { type: 'array', items: {} } },
    {
      name: 'nullable array without items',
      given: { type: ['array', 'null'] },
      want: { type: ['array', 'null'], items: {} },
    },
    {
      name: 'items kept',
      given: { type: 'array', items: { type: 'string' } },
      want: { type: 'array', items: { type: 'string' } },
    },
    { name: 'tuple kept', given: { type: 'array', prefixItems: [{}] }, want: { type: 'array', prefixItems: [{}] } },
    { name: 'not an array', given: { type: 'string' }, want: { type: 'string' } },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    ensureArrayItems(given);
    expect(given).toEqual(want);
  });
});
