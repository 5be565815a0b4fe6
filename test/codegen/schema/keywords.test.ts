import { describe, expect, it } from 'vitest';
import { keepJsonSchemaKeywords } from '../../../codegen/schema/keywords.js';

/** 2020-12 validation, annotation, format and content keywords: all kept as they are. */
const SURVIVORS = {
  minimum: 1,
  exclusiveMaximum: 9,
  pattern: '^a',
  format: 'date',
  default: 'a',
  deprecated: true,
  readOnly: true,
  contentMediaType: 'text/plain',
  const: 3,
};

describe('keepJsonSchemaKeywords', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: Record<string, unknown> }> = [
    {
      name: 'example becomes examples',
      given: { type: 'string', example: 'EUR' },
      want: { type: 'string', examples: ['EUR'] },
    },
    {
      name: 'existing examples win over example',
      given: { type: 'string', example: 'a', examples: ['b'] },
      want: { type: 'string', examples: ['b'] },
    },
    {
      name: 'OpenAPI-only and vendor keywords are dropped',
      given: {
        type: 'object',
        xml: { name: 'x' },
        externalDocs: { url: 'https://x' },
        'x-internal': true,
        discriminator: { propertyName: 'kind' },
      },
      want: { type: 'object' },
    },
    {
      name: 'identifiers and local $defs are dropped, $ref kept',
      given: { $id: 'https://x/s', $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: {}, $ref: '#/a' },
      want: { $ref: '#/a' },
    },
    {
      name: 'validation, annotation, format and content keywords survive',
      given: SURVIVORS,
      want: SURVIVORS,
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(keepJsonSchemaKeywords(given)).toEqual(want);
  });
});
