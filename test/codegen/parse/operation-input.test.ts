import { describe, expect, it } from 'vitest';
import { chooseMediaType, listOperations, operationInput } from '../../../codegen/parse/operation-input.js';

describe('chooseMediaType', () => {
  const cases: Array<{ given: unknown; want: string | undefined }> = [
    { given: { 'application/xml': {}, 'application/json': {} }, want: 'application/json' },
    { given: { 'text/plain': {}, 'application/vnd.api+json': {} }, want: 'application/vnd.api+json' },
    { given: { 'application/pdf': {} }, want: 'application/pdf' },
    { given: {}, want: undefined },
    { given: undefined, want: undefined },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(chooseMediaType(given)).toBe(want);
  });
});

const document = {
  security: [{ api: [] }],
  components: {
    parameters: {
      Org: { name: 'org', in: 'path', required: true, description: 'Org id.', schema: { type: 'string' } },
    },
    requestBodies: {
      Doc: {
        required: true,
        'x-codegen-request-body-name': 'doc',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  },
  paths: {
    '/orgs/{org}/docs': {
      parameters: [{ $ref: '#/components/parameters/Org' }, { name: 'v', in: 'query', schema: { type: 'integer' } }],
      post: {
        operationId: 'addDoc',
        'x-mcp-annotations': { idempotentHint: true },
        parameters: [
          {
            name: 'v',
            in: 'query',
            description: 'Overridden.',
            schema: { type: 'string' },
            examples: { one: { value: 'a' } },
          },
        ],
        requestBody: { $ref: '#/components/requestBodies/Doc' },
        responses: {
          '201': { description: 'Added.', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
      get: { responses: { '200': { description: 'Docs.' } }, security: [] },
    },
  },
};

describe('operationInput', () => {
  it('reads schemas, texts, extensions and security at the method + path, parameters merged and overridden', () => {
    const input = operationInput({ method: 'post', path: '/orgs/{org}/docs' }, document);
    expect(input).toEqual({
      method: 'post',
      path: '/orgs/{org}/docs',
      operationId: 'addDoc',
      deprecated: false,
      tags: [],
      parameters: [
        { name: 'org', in: 'path', required: true, schema: { type: 'string' }, description: 'Org id.' },
        {
          name: 'v',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: 'Overridden.',
          examples: ['a'],
        },
      ],
      requestBody: { contentType: 'text/plain', required: true, schema: { type: 'string' }, bodyName: 'doc' },
      responses: [
        { status: '201', description: 'Added.', contentType: 'application/json', schema: { type: 'object' } },
      ],
      security: [{ api: [] }],
      annotations: { idempotentHint: true },
    });
  });

  it('an explicitly empty operation security stays empty', () => {
    const input = operationInput({ method: 'get', path: '/orgs/{org}/docs' }, document);
    expect(input.security).toEqual([]);
    expect(input.responses).toEqual([{ status: '200', description: 'Docs.' }]);
  });
});

describe('listOperations', () => {
  it('lists operations in spec order: paths as written, methods in Path Item order', () => {
    expect(listOperations(document)).toEqual([
      { method: 'get', path: '/orgs/{org}/docs' },
      { method: 'post', path: '/orgs/{org}/docs' },
    ]);
  });
});
