import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../../codegen/parse/spec.js';

describe('parseSpec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finmcp-parse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the bundled document and one descriptor per operation', async () => {
    const parsed = await parseSpec(resolve(import.meta.dirname, '../fixtures/legacy30.yaml'));
    expect(parsed.document['openapi']).toBe('3.0.3');
    expect(parsed.operations.map((o) => `${o.method} ${o.path}`)).toEqual([
      'post /accounts/{accountId}/transfers',
      'get /accounts/{accountId}/balance',
    ]);
    expect(parsed.descriptors.map((d) => d.name)).toEqual(['createTransfer', 'getBalance']);
  });

  it('a relative path is a file', async () => {
    const relative = 'test/codegen/fixtures/legacy30.yaml';
    expect(process.cwd()).toBe(resolve(import.meta.dirname, '../../..'));
    expect((await parseSpec(relative)).descriptors).toHaveLength(2);
  });

  const broken: Array<{ name: string; given: string; want: RegExp }> = [
    {
      name: 'YAML syntax error, with line and column',
      given: 'openapi: 3.1.0\ninfo: [a, b\n',
      want: /at line 3, column 1/,
    },
    {
      name: 'a reference to nothing',
      given:
        'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  x: {$ref: "#/components/schemas/Missing"}\ncomponents:\n  schemas: {}\n',
      want: /^#\/paths\/~1a\/get: unresolvable reference "#\/components\/schemas\/Missing"/,
    },
    {
      name: 'Swagger 1.2',
      given: 'swaggerVersion: "1.2"\napis: []\n',
      want: /only OpenAPI 3\.0 and 3\.1 \(and Swagger 2\.0, converted\)/,
    },
  ];
  it('a discriminator mapping that names a schema (OpenAPI 3.0 allows it) is read as a reference', async () => {
    const file = join(dir, 'pets.yaml');
    writeFileSync(
      file,
      [
        'openapi: 3.0.3',
        'info: {title: Pets, version: "1"}',
        'paths:',
        '  /pets:',
        '    post:',
        '      operationId: addPet',
        '      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}',
        '      responses: {"204": {description: ok}}',
        'components:',
        '  schemas:',
        '    Pet:',
        '      oneOf: [{$ref: "#/components/schemas/Dog"}, {$ref: "#/components/schemas/Cat"}]',
        '      discriminator: {propertyName: kind, mapping: {dog: Dog, cat: "#/components/schemas/Cat"}}',
        '    Dog: {type: object, required: [kind], properties: {kind: {type: string}, bark: {type: boolean}}}',
        '    Cat: {type: object, required: [kind], properties: {kind: {type: string}, meow: {type: boolean}}}',
        '',
      ].join('\n'),
    );
    const [tool] = (await parseSpec(file)).descriptors;
    const body = (tool?.inputSchema['properties'] as Record<string, Record<string, unknown[]>>)['body'];
    const tags = body?.['oneOf']?.map((branch) => JSON.stringify(branch).match(/"kind":\{[^}]*"const":"(\w+)"/)?.[1]);
    expect(tags).toEqual(['dog', 'cat']);
  });

  it('a spec split across files is bundled: external references become local', async () => {
    writeFileSync(
      join(dir, 'shared.yaml'),
      'Pet: {type: object, required: [name], properties: {name: {type: string, maxLength: 20}}}\n',
    );
    const file = join(dir, 'split.yaml');
    writeFileSync(
      file,
      'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /pets:\n    post:\n      operationId: addPet\n      requestBody: {required: true, content: {application/json: {schema: {$ref: "./shared.yaml#/Pet"}}}}\n      responses: {"204": {description: ok}}\n',
    );
    const [tool] = (await parseSpec(file)).descriptors;
    expect(tool?.inputSchema['properties']).toEqual({ name: { type: 'string', maxLength: 20 } });
    expect(tool?.inputSchema['required']).toEqual(['name']);
  });

  it('keywords no vocabulary defines are reported, never fatal', async () => {
    const file = join(dir, 'odd.yaml');
    writeFileSync(
      file,
      'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      parameters: [{name: q, in: query, schema: {type: string, x-odd: 1, maxlength: 3, nullable: true}}]\n      responses: {"204": {description: ok}}\n',
    );
    expect((await parseSpec(file)).ignoredKeywords).toEqual(['maxlength']);
  });

  it.each(broken)('a broken spec fails with a readable message: $name', async ({ given, want }) => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, given);
    await expect(parseSpec(file)).rejects.toThrow(want);
  });
});
