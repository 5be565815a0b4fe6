import { describe, expect, it } from 'vitest';
import { fromOpenApi30 } from '../../../codegen/schema/openapi30.js';

describe('fromOpenApi30', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    { name: 'nullable string', given: { type: 'string', nullable: true }, want: { type: ['string', 'null'] } },
    {
      name: 'nullable enum gains null',
      given: { type: 'string', enum: ['a'], nullable: true },
      want: { type: ['string', 'null'], enum: ['a', null] },
    },
    { name: 'nullable false only removed', given: { type: 'string', nullable: false }, want: { type: 'string' } },
    { name: 'nullable without type removed', given: { nullable: true }, want: {} },
    {
      name: 'type array with null is not doubled',
      given: { type: ['string', 'null'], nullable: true },
      want: { type: ['string', 'null'] },
    },
    {
      name: 'boolean exclusiveMinimum becomes numeric',
      given: { type: 'number', minimum: 0, exclusiveMinimum: true },
      want: { type: 'number', exclusiveMinimum: 0 },
    },
    {
      name: 'false exclusiveMaximum is dropped',
      given: { type: 'number', maximum: 5, exclusiveMaximum: false },
      want: { type: 'number', maximum: 5 },
    },
    {
      name: '3.1 numeric exclusiveMinimum is kept',
      given: { type: 'number', exclusiveMinimum: 2 },
      want: { type: 'number', exclusiveMinimum: 2 },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(fromOpenApi30(given)).toEqual(want);
  });
});
