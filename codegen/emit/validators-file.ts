/**
 * `validators.gen.ts`: ajv 8 standalone validation code for every tool input schema (JSON Schema 2020-12, strict
 * mode), precompiled at generation time so that the server compiles no schema at start-up.
 *
 * ajv's standalone output still `require()`s its runtime helpers and ajv-formats' format functions even in ESM
 * mode; the file gets a `require` from `createRequire(import.meta.url)`, so those CommonJS modules load through
 * Node's own loader whatever runs the file (compiled `dist/`, or vitest, whose ESM default-import interop of
 * CommonJS differs from Node's: `import x from 'ajv/dist/runtime/ucs2length.js'; x.default` broke there).
 * Formats that ajv-formats does not know (OpenAPI allows any `format` value: e.g. `iban`, `decimal`) are registered
 * as annotations only.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import type { ToolDescriptor } from '../../src/descriptor.js';
import { visitSchemas } from '../schema/walk.js';
import { tsHeader } from './header.js';

// ajv and ajv-formats are CommonJS: under NodeNext their default export is the module object.
type StandaloneCode = typeof import('ajv/dist/standalone/index.js').default;
type AddFormats = typeof import('ajv-formats').default;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: StandaloneCode }).default ??
  standaloneCodeModule) as StandaloneCode;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as AddFormats;

/** The ajv options every tool validator is compiled with. */
export const AJV_OPTIONS = {
  strict: true,
  allErrors: true,
  allowUnionTypes: true,
  code: { source: true, esm: true, lines: true },
} as const;

/** A configured ajv 2020 instance: ajv-formats, plus every other format used by `schemas` as annotation-only. */
export function createAjv(schemas: readonly unknown[]): Ajv2020 {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code } });
  addFormats(ajv);
  const unknown = new Set<string>();
  for (const schema of schemas) {
    visitSchemas(schema, (node) => {
      const format = node['format'];
      if (typeof format === 'string' && ajv.formats[format] === undefined) unknown.add(format);
    });
  }
  for (const format of [...unknown].sort()) ajv.addFormat(format, true);
  return ajv;
}

/** Gives standalone code a real CommonJS `require` in ESM (ajv still emits `require()` for its helpers). */
export function provideRequire(code: string): { imports: string[]; body: string } {
  const body = code.replace(/^"use strict";\s*/, '');
  if (!body.includes('require(')) return { imports: [], body };
  return {
    imports: ["import { createRequire } from 'node:module';", 'const require = createRequire(import.meta.url);'],
    body,
  };
}

/** Renders `validators.gen.ts`: one precompiled validator per tool, keyed by tool name. */
export function renderValidatorsFile(source: string, tools: readonly ToolDescriptor[]): string {
  const ajv = createAjv(tools.map((tool) => tool.inputSchema));
  const exportNames: Record<string, string> = {};
  tools.forEach((tool, i) => {
    try {
      ajv.addSchema(tool.inputSchema, tool.name);
      ajv.getSchema(tool.name);
    } catch (error) {
      throw new Error(`input schema of tool "${tool.name}" does not compile: ${(error as Error).message}`);
    }
    exportNames[`v${i}`] = tool.name;
  });
  const { imports, body } = provideRequire(tools.length > 0 ? standaloneCode(ajv, exportNames) : '');
  const entries = tools.map((tool, i) => `  ${JSON.stringify(tool.name)}: v${i},`).join('\n');
  return [
    tsHeader(source),
    '// @ts-nocheck',
    "import type { PrecompiledValidator } from '../../src/descriptor.js';",
    ...imports,
    '',
    body.trim(),
    '',
    '/** Precompiled (ajv standalone, JSON Schema 2020-12 strict) input validator per tool name. */',
    `export const validators: Record<string, PrecompiledValidator> = {${entries === '' ? '' : `\n${entries}\n`}};`,
    '',
  ].join('\n');
}
