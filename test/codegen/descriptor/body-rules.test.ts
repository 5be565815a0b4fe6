import { describe, expect, it } from 'vitest';
import { bodyCountsFit, bodyRules, isPresenceRule } from '../../../codegen/descriptor/body-rules.js';
import { createAjv } from '../../../codegen/emit/validators-file.js';

const fields = new Map([
  ['name', 'name'],
  ['id', 'body_id'],
]);

describe('bodyRules', () => {
  const cases: Array<{
    name: string;
    given: { schema: Record<string, unknown>; required?: boolean; wholeInput?: boolean };
    want: unknown;
  }> = [
    { name: 'no rules', given: { schema: { type: 'object' } }, want: undefined },
    {
      name: 'minProperties 1 beside parameters: at least one body field',
      given: { schema: { minProperties: 1 } },
      want: { anyOf: [{ required: ['name'] }, { required: ['body_id'] }] },
    },
    {
      name: 'counts kept when the body is the whole input',
      given: { schema: { minProperties: 2, maxProperties: 3 }, wholeInput: true },
      want: { allOf: [{ minProperties: 2 }, { maxProperties: 3 }] },
    },
    {
      name: 'dependentRequired and oneOf of required sets, names mapped',
      given: { schema: { dependentRequired: { id: ['name'] }, oneOf: [{ required: ['id'] }, { required: ['name'] }] } },
      want: {
        allOf: [
          { dependentRequired: { body_id: ['name'] } },
          { oneOf: [{ required: ['body_id'] }, { required: ['name'] }] },
        ],
      },
    },
    {
      name: 'not: both together forbidden',
      given: { schema: { not: { required: ['id', 'name'] } } },
      want: { not: { required: ['body_id', 'name'] } },
    },
    {
      name: 'an optional body: its rules apply once one of its fields is given',
      given: { schema: { not: { required: ['id', 'name'] } }, required: false },
      want: {
        if: { anyOf: [{ required: ['name'] }, { required: ['body_id'] }] },
        then: { not: { required: ['body_id', 'name'] } },
      },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const rules = bodyRules(given.schema, {
      properties: fields,
      required: given.required ?? true,
      wholeInput: given.wholeInput ?? false,
    });
    expect(rules).toEqual(want);
  });

  it('minProperties 1 refuses an input carrying only parameters', () => {
    const rules = bodyRules({ minProperties: 1 }, { properties: fields, required: true, wholeInput: false });
    const schema = {
      type: 'object',
      properties: { entity: { type: 'string' }, name: { type: 'string' }, body_id: { type: 'string' } },
      ...rules,
    };
    const validate = createAjv([schema]).compile(schema);
    expect(validate({ entity: 'e' })).toBe(false);
    expect(validate({ entity: 'e', body_id: 'x' })).toBe(true);
  });
});

describe('bodyCountsFit', () => {
  it.each([
    { given: { schema: { minProperties: 1 }, whole: false }, want: true },
    { given: { schema: { minProperties: 2 }, whole: false }, want: false },
    { given: { schema: { maxProperties: 2 }, whole: false }, want: false },
    { given: { schema: { minProperties: 2, maxProperties: 4 }, whole: true }, want: true },
  ])('$given', ({ given, want }) => {
    expect(bodyCountsFit(given.schema, given.whole)).toBe(want);
  });
});

describe('isPresenceRule', () => {
  it.each([
    { given: { required: ['a'] }, want: true },
    { given: { anyOf: [{ required: ['a'] }, { not: { required: ['b'] } }] }, want: true },
    { given: { required: ['a'], properties: { a: { type: 'string' } } }, want: false },
    { given: { type: 'object' }, want: false },
  ])('$given', ({ given, want }) => {
    expect(isPresenceRule(given)).toBe(want);
  });
});
