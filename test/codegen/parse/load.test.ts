/**
 * Loading descriptions as they are published: `$ref`-shaped keys inside literal values are data (never resolved,
 * never fetched), a description split over files is bundled with each reference resolved against the file that
 * holds it (discriminator mappings included), Swagger 2.0 is converted, and a failure names file and pointer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../../../codegen/parse/load.js';
import { visitStructure } from '../../../contract/structure.js';
import { parseSpec } from '../../../codegen/parse/spec.js';
import { projectRoot } from '../../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'finmcp-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('loadDocument', () => {
  it('leaves $ref keys inside example, examples and default values alone, also when the file is bundled', async () => {
    write('part.json', { type: 'object', properties: { default: { type: 'string', default: 'x' } } });
    const literal = { $ref: 'https://example.invalid/never-fetched.json' };
    const file = write('literal.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: {
              default: {
                description: 'd',
                content: {
                  'application/json': { schema: { $ref: 'part.json' }, examples: { one: { value: literal } } },
                },
              },
              '200': {
                description: 'ok',
                content: {
                  'application/json': {
                    schema: { type: 'object', example: literal, default: literal },
                    example: literal,
                  },
                },
              },
            },
          },
        },
      },
    });
    const { document } = await loadDocument(file);
    const responses = (document['paths'] as any)['/a'].get.responses;
    expect(responses['200'].content['application/json'].example).toEqual(literal);
    expect(responses['200'].content['application/json'].schema.default).toEqual(literal);
    expect(responses.default.content['application/json'].examples.one.value).toEqual(literal);
    // The external part was bundled: no reference leaves the document.
    expect(JSON.stringify(responses.default.content['application/json'].schema)).not.toContain('part.json');
  });

  it('bundles a split description, resolving references and discriminator mappings against their own files', async () => {
    const spec = await parseSpec(resolve(projectRoot(), 'test/corpus/fixtures/multi-file/openapi.yaml'));
    expect(spec.descriptors.map((tool) => tool.name)).toEqual(['droplets_list', 'droplets_get']);
    const output = JSON.stringify(spec.descriptors[1]?.outputSchema);
    expect(output).toContain('"const":"basic"');
    expect(output).toContain('"const":"premium"');
    expect(spec.descriptors[0]?.inputSchema['properties']).toMatchObject({
      per_page: { type: 'integer', maximum: 200 },
    });
  });

  it('leaves out discriminator mapping entries that lead nowhere, and says so; the others stay', async () => {
    const pet = (kind: string): unknown => ({
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string', enum: [kind] } },
    });
    const file = write('published-bundle.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/pets': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': {
                    schema: {
                      oneOf: [
                        { $ref: '#/components/schemas/Cat' },
                        { $ref: '#/components/schemas/Dog' },
                        { $ref: '#/components/schemas/Eel' },
                      ],
                      discriminator: {
                        propertyName: 'kind',
                        // As a bundler left them: the authors' file, a pointer into that file, and a good one.
                        mapping: { cat: 'models/cat.yml', dog: '#/dog', eel: '#/components/schemas/Eel' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      components: { schemas: { Cat: pet('cat'), Dog: pet('dog'), Eel: pet('eel') } },
    });
    const loaded = await loadDocument(file);
    expect(loaded.warnings).toEqual([
      '2 discriminator mapping entries lead nowhere (no such file or schema), left out: cat → models/cat.yml, dog → #/dog',
    ]);
    expect(JSON.stringify(loaded.document)).toContain('"mapping":{"eel":"#/components/schemas/Eel"}');
    const spec = await parseSpec(file);
    expect(spec.descriptors.map((tool) => tool.name)).toEqual(['get_pets']);
    expect(spec.loadWarnings).toHaveLength(1);
  });

  it('converts Swagger 2.0 with swagger2openapi and says so', async () => {
    const file = resolve(projectRoot(), 'node_modules/@readme/oas-examples/2.0/json/petstore.json');
    const spec = await parseSpec(file);
    expect(spec.convertedFrom).toMatch(/^swagger2openapi \d+\.\d+\.\d+$/);
    expect(spec.document['openapi']).toMatch(/^3\.0\./);
    expect(spec.descriptors.length).toBe(20);
  });

  it('names the file and the JSON pointer of a reference that cannot be resolved', async () => {
    const file = write('broken.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: {
              '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'missing.json#/Nope' } } } },
            },
          },
        },
      },
    });
    await expect(loadDocument(file)).rejects.toThrow(
      /^#\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema: .*missing\.json/,
    );
  });

  it('names the part and the pointer of a reference in a part that points at nothing in that part', async () => {
    // `#/components/schemas/X` copied into a part: resolved against the part, it reaches nothing.
    write('part-local.json', {
      get: {
        responses: {
          default: {
            description: 'd',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } },
          },
        },
      },
    });
    const file = write('part-local-entry.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: { '/a': { $ref: 'part-local.json' } },
      components: { schemas: { X: { type: 'string' } } },
    });
    await expect(loadDocument(file)).rejects.toThrow(
      'part-local.json#/get/responses/default/content/application~1json/schema: "$ref": "#/components/schemas/X" points at nothing in this file',
    );
  });
});

describe('visitStructure', () => {
  it('visits Example Objects themselves (not their values) and names every object by its JSON pointer', () => {
    const example = { summary: 's', value: { $ref: 'data' } };
    const document = {
      paths: {
        '/a/{id}': {
          get: {
            responses: {
              default: {
                description: 'd',
                content: { 'application/json': { examples: { one: example }, example: { $ref: 'data' } } },
              },
            },
          },
        },
      },
    };
    const seen = new Map<object, string>();
    visitStructure(document, (object, pointer) => seen.set(object, pointer));
    expect(seen.get(example)).toBe('#/paths/~1a~1{id}/get/responses/default/content/application~1json/examples/one');
    expect([...seen.values()].filter((pointer) => pointer.includes('example'))).toEqual([
      '#/paths/~1a~1{id}/get/responses/default/content/application~1json/examples/one',
    ]);
    expect(seen.get(document.paths['/a/{id}'].get.responses.default)).toBe('#/paths/~1a~1{id}/get/responses/default');
  });
});
