/**
 * References into the middle of an operation or a component are copied into `components` before openapi-typescript
 * renders the types (codegen/emit/hoist-refs.ts): table-driven over where such a reference points, then one
 * document with everything at once, whose literal values stay untouched.
 */
import { describe, expect, it } from 'vitest';
import { hoistInnerReferences } from '../../../codegen/emit/hoist-refs.js';
import type { JsonObject } from '../../../codegen/schema/json.js';

const error = { type: 'object', properties: { id: { type: 'string' } } };

/** A document whose one operation answers 401 with `error`, and whose `/b` answer refers to `ref`. */
function documentReferring(ref: string): JsonObject {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/a': {
        get: {
          parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }],
          responses: {
            '401': {
              description: 'no',
              headers: { 'retry-after': { schema: { type: 'integer' } } },
              content: { 'application/json': { schema: error, examples: { one: { value: { id: 'x' } } } } },
            },
          },
        },
      },
      '/b': {
        get: {
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } },
        },
      },
    },
    components: {
      schemas: { Whole: error },
      parameters: { PerPage: { name: 'per_page', in: 'query', schema: { type: 'integer', maximum: 200 } } },
    },
  };
}

const b200 = (doc: JsonObject): unknown =>
  (doc as any).paths['/b'].get.responses['200'].content['application/json'].schema.$ref;

describe('hoistInnerReferences', () => {
  const cases: Array<{ name: string; ref: string; want: string; copy?: unknown }> = [
    {
      name: 'a schema inside an operation becomes a component schema',
      ref: '#/paths/~1a/get/responses/401/content/application~1json/schema',
      want: '#/components/schemas/FinmcpHoisted1',
      copy: error,
    },
    {
      name: 'a parameter of an operation becomes a component parameter',
      ref: '#/paths/~1a/get/parameters/0',
      want: '#/components/parameters/FinmcpHoisted1',
      copy: { name: 'page', in: 'query', schema: { type: 'integer' } },
    },
    {
      name: 'the schema of a component parameter becomes a component schema',
      ref: '#/components/parameters/PerPage/schema',
      want: '#/components/schemas/FinmcpHoisted1',
      copy: { type: 'integer', maximum: 200 },
    },
    {
      name: 'a header of a response becomes a component header',
      ref: '#/paths/~1a/get/responses/401/headers/retry-after',
      want: '#/components/headers/FinmcpHoisted1',
      copy: { schema: { type: 'integer' } },
    },
    {
      name: 'an example of a media type becomes a component example',
      ref: '#/paths/~1a/get/responses/401/content/application~1json/examples/one',
      want: '#/components/examples/FinmcpHoisted1',
      copy: { value: { id: 'x' } },
    },
    { name: 'a whole component stays as it is', ref: '#/components/schemas/Whole', want: '#/components/schemas/Whole' },
    {
      name: 'a pointer to nothing stays for openapi-typescript to report',
      ref: '#/paths/~1nope',
      want: '#/paths/~1nope',
    },
  ];
  it.each(cases)('$name', ({ ref, want, copy }) => {
    const doc = documentReferring(ref);
    expect(hoistInnerReferences(doc)).toBe(copy === undefined ? 0 : 1);
    expect(b200(doc)).toBe(want);
    if (copy !== undefined) {
      const [, , kind, name] = want.split('/');
      expect((doc as any).components[kind as string][name as string]).toEqual(copy);
    }
  });

  it('copies each target once, follows references inside copies, and leaves literal values alone', () => {
    const inner = '#/paths/~1a/get/responses/401/content/application~1json/schema';
    const doc = documentReferring(inner);
    const paths = doc['paths'] as any;
    // A second reference to the same target, a property named like a literal keyword, and an example holding `$ref`.
    paths['/c'] = {
      get: {
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { value: { $ref: inner }, default: { $ref: '#/paths/~1b' } } },
                example: { link: { $ref: inner } },
              },
            },
          },
        },
      },
    };
    expect(hoistInnerReferences(doc)).toBe(2);
    const schema = paths['/c'].get.responses['200'].content['application/json'];
    const components = (doc as any).components.schemas;
    const hoisted = schema.schema.properties.value.$ref as string;
    // Both references to the 401 schema share one copy.
    expect(hoisted).toMatch(/^#\/components\/schemas\/FinmcpHoisted\d$/);
    expect(b200(doc)).toBe(hoisted);
    expect(components[hoisted.split('/').at(-1) as string]).toEqual(error);
    // The `/b` path item is copied too (referred to as a schema), and the reference inside that copy is rewritten.
    const other = schema.schema.properties.default.$ref as string;
    expect(other).not.toBe(hoisted);
    const copied = components[other.split('/').at(-1) as string];
    expect(copied.get.responses['200'].content['application/json'].schema.$ref).toBe(hoisted);
    expect(schema.example).toEqual({ link: { $ref: inner } });
  });
});
