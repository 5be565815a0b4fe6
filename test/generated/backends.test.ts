/**
 * The real specs (`specs/*.yaml`) through the generator: the invariants every tool must keep, and freshness of the
 * committed `generated/` and `docs/tools.md` (whose `tools.gen.json` pins the descriptors: no snapshot repeats it).
 * The only place `npm test` runs `generate --check`.
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGenerate, listSpecs } from '../../codegen/generate.js';
import { createAjv } from '../../codegen/emit/validators-file.js';
import { type ParsedSpec, parseSpec } from '../../codegen/parse/spec.js';
import { backendLoaders, backendNames } from '../../generated/index.gen.js';

const root = resolve(import.meta.dirname, '../..');
const specFiles = listSpecs(join(root, 'specs'));
const names = specFiles.map((file) => file.slice(file.lastIndexOf('/') + 1).replace(/\.ya?ml$/, ''));
const parsed: Record<string, ParsedSpec> = {};

beforeAll(async () => {
  for (const [i, file] of specFiles.entries()) {
    const started = performance.now();
    parsed[names[i] as string] = await parseSpec(file);
    // Reported, not asserted: the machine is shared.
    console.info(`parsed ${names[i]} in ${(performance.now() - started).toFixed(0)} ms`);
  }
});

describe('real specs', () => {
  it('include finopps and b4b (a spec dropped into specs/ adds a backend)', () => {
    expect(names).toEqual(expect.arrayContaining(['b4b', 'finopps']));
  });

  describe.each(names)('%s', (name) => {
    const tools = (): ParsedSpec['descriptors'] => parsed[name]?.descriptors ?? [];

    it('has tools', () => {
      expect(tools().length).toBeGreaterThan(0);
    });

    it('every input schema compiles under ajv 2020 strict', () => {
      const ajv = createAjv(tools().map((t) => t.inputSchema));
      for (const tool of tools()) expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
    });

    it('names are unique, at most 64 characters of [A-Za-z0-9_-]', () => {
      const toolNames = tools().map((t) => t.name);
      expect(new Set(toolNames).size).toBe(toolNames.length);
      for (const toolName of toolNames) expect(toolName).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    });

    it('every GET tool is read-only and not destructive', () => {
      for (const tool of tools().filter((t) => t.operation.method === 'get')) {
        expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      }
    });

    it('every output schema is an object root without $schema, every input closed', () => {
      for (const tool of tools()) {
        expect(tool.outputSchema['type'], tool.name).toBe('object');
        expect(tool.inputSchema['additionalProperties'], tool.name).toBe(false);
        expect(JSON.stringify(tool.inputSchema)).not.toContain('"$schema"');
      }
    });
  });
});

describe('committed output', () => {
  it('generated/ and docs/tools.md are fresh for the specs', async () => {
    const started = performance.now();
    const result = await runGenerate({ root, check: true });
    console.info(`generate --check of ${names.length} specs: ${(performance.now() - started).toFixed(0)} ms`);
    expect(result.output).toContain('generated files are fresh');
    expect(result.exitCode).toBe(0);
  });

  it('the registry loads every backend with a validator per tool', async () => {
    expect(backendNames).toEqual(names);
    for (const name of backendNames) {
      const backend = await backendLoaders[name]?.();
      expect(backend?.name).toBe(name);
      expect(Object.keys(backend?.validators ?? {}).sort()).toEqual((backend?.tools ?? []).map((t) => t.name).sort());
    }
  });
});
