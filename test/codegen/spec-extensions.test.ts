/**
 * The spec-root extensions that tune the generated schemas, through a real generate run in a temporary project:
 * `x-finmcp-portable-schemas` (single-type schemas) and `x-finmcp-output-descriptions` (prose kept in outputs).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../codegen/generate.js';
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';

const root = mkdtempSync(join(tmpdir(), 'finmcp-extensions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(extensions: string): string {
  return `openapi: 3.1.0
info: {title: Contacts, version: "1"}
${extensions}
paths:
  /contacts/{id}:
    patch:
      operationId: updateContact
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {phone: {type: [string, "null"], description: Phone or null.}}}
      responses:
        "200":
          description: The contact.
          content:
            application/json:
              schema: {type: object, description: A contact., properties: {phone: {type: [string, "null"], description: The phone.}}}
`;
}

async function generateOne(name: string, extensions: string): Promise<ToolDescriptor> {
  mkdirSync(join(root, 'specs'), { recursive: true });
  writeFileSync(join(root, 'specs', `${name}.yaml`), spec(extensions));
  const result = await runGenerate({ root });
  expect(result.exitCode, result.output).toBe(0);
  const { backend } = (await import(pathToFileURL(join(root, 'generated', name, 'index.gen.js')).href)) as {
    backend: GeneratedBackend;
  };
  const tool = backend.tools.find((candidate) => candidate.name === 'updateContact');
  if (tool === undefined) throw new Error(`${name}: no tool updateContact`);
  return tool;
}

symlinkSync(resolve(import.meta.dirname, '../../node_modules'), join(root, 'node_modules'), 'dir');

describe('spec-root extensions', () => {
  it('by default: type unions as written, no prose in the output schema', async () => {
    const tool = await generateOne('plain', '');
    expect(JSON.stringify(tool.inputSchema)).toContain('"type":["string","null"]');
    expect(JSON.stringify(tool.outputSchema)).not.toContain('description');
  });

  it('x-finmcp-portable-schemas: no type arrays anywhere; x-finmcp-output-descriptions keeps output prose', async () => {
    const tool = await generateOne('portable', 'x-finmcp-portable-schemas: true\nx-finmcp-output-descriptions: true');
    expect(JSON.stringify([tool.inputSchema, tool.outputSchema])).not.toMatch(/"type":\[/);
    expect((tool.inputSchema['properties'] as Record<string, unknown>)['phone']).toEqual({
      description: 'Phone or null.',
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    expect(JSON.stringify(tool.outputSchema)).toContain('The phone.');
  });

  it('odd schemas generate anyway, with one warning per spec and kind', async () => {
    writeFileSync(
      join(root, 'specs', 'odd.yaml'),
      `openapi: 3.1.0
info: {title: Odd, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {name: q, in: query, schema: {type: string, maxlength: 3, pattern: '^(?i)abc$'}}
        - {name: r, in: query, schema: {type: string, maxlength: 4}}
      responses: {"204": {description: ok}}
`,
    );
    const result = await runGenerate({ root });
    expect(result.exitCode, result.output).toBe(0);
    const warnings = result.output.split('\n').filter((line) => line.startsWith('warning: specs/odd.yaml: '));
    expect(warnings).toEqual([
      'warning: specs/odd.yaml: schema keywords no vocabulary defines were ignored: maxlength',
      'warning: specs/odd.yaml: 1 pattern that ECMAScript cannot compile was dropped (not validated): "^(?i)abc$"',
    ]);
  });
});
