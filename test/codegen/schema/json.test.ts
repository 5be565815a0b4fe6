import { describe, expect, it } from 'vitest';
import { isObject, jsonEqual, setTypeList, typeList } from '../../../codegen/schema/json.js';

describe('jsonEqual', () => {
  const cases: Array<{ given: [unknown, unknown]; want: boolean }> = [
    {
      given: [
        { a: 1, b: [1, { c: 2 }] },
        { b: [1, { c: 2 }], a: 1 },
      ],
      want: true,
    },
    { given: [{ a: 1 }, { a: 1, b: undefined }], want: false },
    {
      given: [
        [1, 2],
        [2, 1],
      ],
      want: false,
    },
    { given: [null, {}], want: false },
    { given: ['1', 1], want: false },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(jsonEqual(...given)).toBe(want);
  });
});

describe('typeList / setTypeList / isObject', () => {
  const cases: Array<{ given: Record<string, unknown>; want: string[] | undefined }> = [
    { given: { type: 'string' }, want: ['string'] },
    { given: { type: ['string', 'null'] }, want: ['string', 'null'] },
    { given: {}, want: undefined },
    { given: { type: [1] }, want: undefined },
  ];
  it.each(cases)('typeList($given)', ({ given, want }) => {
    expect(typeList(given)).toEqual(want);
  });

  it.each([
    { given: ['integer'], want: 'integer' as unknown },
    { given: ['integer', 'null'], want: ['integer', 'null'] },
  ])('setTypeList($given)', ({ given, want }) => {
    const schema: Record<string, unknown> = {};
    setTypeList(schema, given);
    expect(schema['type']).toEqual(want);
  });

  it.each([
    { given: {}, want: true },
    { given: [], want: false },
    { given: null, want: false },
  ])('isObject($given)', ({ given, want }) => {
    expect(isObject(given)).toBe(want);
  });
});
