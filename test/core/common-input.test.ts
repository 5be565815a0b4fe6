import { describe, expect, it } from 'vitest';
import { compileSimpleCheck } from '../../src/core/common-input.js';

const cases = [
  { given: 'string ok', name: 'org', schema: { type: 'string' }, value: 'a', want: undefined },
  { given: 'string wrong', name: 'org', schema: { type: 'string' }, value: 5, want: 'must be string (got 5)' },
  { given: 'integer', name: 'n', schema: { type: 'integer' }, value: 1.5, want: 'must be integer (got 1.5)' },
  { given: 'nullable', name: 'n', schema: { type: ['integer', 'null'] }, value: null, want: undefined },
  {
    given: 'object vs array',
    name: 'o',
    schema: { type: 'object' },
    value: [],
    want: 'must be object (got an array of 0 items)',
  },
  { given: 'enum', name: 'org', schema: { enum: ['a', 'b'] }, value: 'c', want: 'must be one of a, b (got "c")' },
  { given: 'enum of objects', name: 'o', schema: { enum: [{ a: 1 }] }, value: { a: 1 }, want: undefined },
  { given: 'secret never echoed', name: 'apiKey', schema: { type: 'string' }, value: 12345, want: 'must be string' },
  { given: 'no rules', name: 'x', schema: {}, value: { any: 1 }, want: undefined },
];

describe('compileSimpleCheck', () => {
  it.each(cases)('$given', ({ name, schema, value, want }) => {
    expect(compileSimpleCheck(name, schema)(value)).toBe(want);
  });
});
