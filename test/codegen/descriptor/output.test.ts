import { describe, expect, it } from 'vitest';
import type { ResponseInput } from '../../../codegen/descriptor/operation.js';
import { successResponse, toolOutput } from '../../../codegen/descriptor/output.js';
import { SchemaConverter } from '../../../codegen/schema/convert.js';

const document = {
  components: {
    schemas: {
      Node: {
        type: 'object',
        properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } },
      },
    },
  },
};

describe('successResponse', () => {
  const cases: Array<{ given: string[]; want: string | undefined }> = [
    { given: ['404', '201', '200'], want: '200' },
    { given: ['default', '2XX', '202'], want: '202' },
    { given: ['204', '2XX'], want: '2XX' },
    { given: ['206', '204', '400'], want: '204' },
    { given: ['400', 'default'], want: undefined },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(successResponse(given.map((status) => ({ status })))?.status).toBe(want);
  });
});

describe('toolOutput', () => {
  const cases: Array<{ name: string; given: ResponseInput[]; want: { schema: unknown; binding: unknown } }> = [
    {
      name: 'JSON object as is',
      given: [
        {
          status: '200',
          contentType: 'application/json',
          schema: { type: 'object', properties: { a: { type: 'string' } } },
        },
      ],
      want: {
        schema: { type: 'object', properties: { a: { type: 'string' } } },
        binding: { status: '200', contentType: 'application/json' },
      },
    },
    {
      name: 'nullable object narrowed to object',
      given: [{ status: '200', contentType: 'application/json', schema: { type: ['object', 'null'], properties: {} } }],
      want: { schema: { type: 'object', properties: {} }, binding: { status: '200', contentType: 'application/json' } },
    },
    {
      name: 'array wrapped in items, $defs at the wrapper root',
      given: [
        {
          status: '200',
          contentType: 'application/json',
          schema: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
        },
      ],
      want: {
        schema: {
          type: 'object',
          properties: {
            // Node is reached twice (the list's items, and its own children): one shared definition.
            items: { type: 'array', items: { $ref: '#/$defs/Node' } },
          },
          required: ['items'],
          $defs: {
            Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } } },
          },
        },
        binding: { status: '200', contentType: 'application/json', wrapIn: 'items' },
      },
    },
    {
      name: 'scalar wrapped in result',
      given: [{ status: '2XX', contentType: 'application/problem+json', schema: { type: 'integer' } }],
      want: {
        schema: { type: 'object', properties: { result: { type: 'integer' } }, required: ['result'] },
        binding: { status: '2XX', contentType: 'application/problem+json', wrapIn: 'result' },
      },
    },
    {
      name: 'binary content as a string under content',
      given: [{ status: '200', contentType: 'application/pdf', schema: { type: 'string', format: 'binary' } }],
      want: {
        schema: {
          type: 'object',
          properties: { content: { type: 'string', contentMediaType: 'application/pdf' } },
          required: ['content'],
        },
        binding: { status: '200', contentType: 'application/pdf', wrapIn: 'content' },
      },
    },
    {
      name: 'no content',
      given: [{ status: '204', description: 'Deleted.' }],
      want: { schema: { type: 'object', properties: {} }, binding: { status: '204' } },
    },
    {
      name: 'oneOf of objects is an object root',
      given: [
        {
          status: '200',
          contentType: 'application/json',
          schema: {
            oneOf: [
              { type: 'object', properties: {} },
              { type: 'object', properties: {} },
            ],
          },
        },
      ],
      want: {
        schema: {
          // Output schemas say anyOf: a result matching both branches is still that result.
          anyOf: [
            { type: 'object', properties: {} },
            { type: 'object', properties: {} },
          ],
          type: 'object',
        },
        binding: { status: '200', contentType: 'application/json' },
      },
    },
    {
      name: 'no success response at all',
      given: [{ status: '400', contentType: 'application/json', schema: {} }],
      want: { schema: { type: 'object', properties: {} }, binding: { status: '2XX' } },
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const output = toolOutput(given, new SchemaConverter(document, 'output'));
    expect(output).toEqual(want);
    expect(output.schema['type']).toBe('object');
  });
});
