import { describe, expect, it } from 'vitest';
import { bodyKind, isJsonMediaType, valueBodySchema } from '../../../codegen/descriptor/body.js';

describe('isJsonMediaType', () => {
  it('is true for JSON and +json media types, with or without parameters', () => {
    const types = [
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'application/xml',
      'text/plain',
    ];
    expect(types.map(isJsonMediaType)).toEqual([true, true, true, false, false]);
  });
});

describe('bodyKind', () => {
  const object = { type: 'object', properties: { a: { type: 'string' } } };
  const cases: Array<{ name: string; given: { contentType: string; schema: Record<string, unknown> }; want: string }> =
    [
      { name: 'JSON object', given: { contentType: 'application/json', schema: object }, want: 'properties' },
      {
        name: 'JSON object with additionalProperties false',
        given: { contentType: 'application/json', schema: { ...object, additionalProperties: false } },
        want: 'properties',
      },
      {
        name: 'nullable JSON object',
        given: { contentType: 'application/json', schema: { ...object, type: ['object', 'null'] } },
        want: 'properties',
      },
      { name: 'form object', given: { contentType: 'multipart/form-data', schema: object }, want: 'properties' },
      { name: 'XML object', given: { contentType: 'application/xml', schema: object }, want: 'value' },
      {
        name: 'JSON array',
        given: { contentType: 'application/json', schema: { type: 'array', items: {} } },
        want: 'value',
      },
      {
        name: 'oneOf of shapes at the root',
        given: {
          contentType: 'application/json',
          schema: { ...object, oneOf: [{ properties: { a: { type: 'string' } } }] },
        },
        want: 'value',
      },
      {
        name: 'oneOf of required sets at the root: a presence rule, flattened',
        given: { contentType: 'application/json', schema: { ...object, oneOf: [{ required: ['a'] }] } },
        want: 'properties',
      },
      {
        name: 'minProperties and dependentRequired: flattened',
        given: {
          contentType: 'application/json',
          schema: { ...object, minProperties: 1, dependentRequired: { a: ['b'] } },
        },
        want: 'properties',
      },
      {
        name: 'additionalProperties schema',
        given: { contentType: 'application/json', schema: { ...object, additionalProperties: { type: 'number' } } },
        want: 'value',
      },
      {
        name: 'free-form object',
        given: { contentType: 'application/json', schema: { type: 'object' } },
        want: 'value',
      },
      { name: 'untyped schema', given: { contentType: 'application/json', schema: {} }, want: 'value' },
    ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(bodyKind(given.contentType, given.schema)).toBe(want);
  });
});

describe('valueBodySchema', () => {
  const cases: Array<{
    name: string;
    given: { contentType: string; schema: Record<string, unknown>; description?: string };
    want: unknown;
  }> = [
    {
      name: 'JSON keeps its schema and gains the body description',
      given: { contentType: 'application/json', schema: { type: 'array', items: {} }, description: 'Lines.' },
      want: { type: 'array', items: {}, description: 'Lines.' },
    },
    {
      name: 'XML string schema keeps its constraints',
      given: { contentType: 'application/xml', schema: { type: 'string', maxLength: 9, description: 'Doc.' } },
      want: { type: 'string', maxLength: 9, description: 'Doc.\n\nThe request body as application/xml.' },
    },
    {
      name: 'XML described by an object schema travels as a string',
      given: { contentType: 'application/xml', schema: { type: 'object', properties: {} } },
      want: { type: 'string', description: 'The request body as application/xml.' },
    },
    {
      name: 'binary',
      given: { contentType: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
      want: { type: 'string', format: 'binary', description: 'The request body as application/octet-stream.' },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(valueBodySchema(given.contentType, given.schema, given.description)).toEqual(want);
  });
});
