import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heyApiErrorMessage, parseSpec } from '../../../codegen/parse/spec.js';

describe('heyApiErrorMessage', () => {
  const cases: Array<{ name: string; given: unknown; want: string }> = [
    { name: 'plain error', given: new Error('boom'), want: 'boom' },
    {
      name: 'hey-api JobError: empty message, parser error inside',
      given: Object.assign(new Error(''), { originalError: { error: { message: 'Error parsing x.yaml (3:1)' } } }),
      want: 'Error parsing x.yaml (3:1)',
    },
    { name: 'cause chain', given: new Error(' ', { cause: new Error('inner') }), want: 'inner' },
    { name: 'not an error', given: 'text', want: 'text' },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(heyApiErrorMessage(given)).toBe(want);
  });
});

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

  it('a relative path is a file, never a hey-api registry shorthand', async () => {
    const relative = 'test/codegen/fixtures/legacy30.yaml';
    expect(process.cwd()).toBe(resolve(import.meta.dirname, '../../..'));
    expect((await parseSpec(relative)).descriptors).toHaveLength(2);
  });

  const broken: Array<{ name: string; given: string; want: RegExp }> = [
    { name: 'YAML syntax error, with line and column', given: 'openapi: 3.1.0\ninfo: [a, b\n', want: /Error parsing .*\(3:1\)/ },
    {
      name: 'a reference to nothing',
      given:
        'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  x: {$ref: "#/components/schemas/Missing"}\ncomponents:\n  schemas: {}\n',
      want: /#\/components\/schemas\/Missing/,
    },
  ];
  it.each(broken)('a broken spec fails with a readable message: $name', async ({ given, want }) => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, given);
    await expect(parseSpec(file)).rejects.toThrow(want);
  });
});
