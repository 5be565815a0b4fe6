/**
 * `generated/<backend>/validators.gen.js`: ajv 8 standalone validation code for every tool input schema of a backend
 * (JSON Schema 2020-12), precompiled at generation time so that the server compiles no schema at start-up, exported
 * as `validators` (tool name → function).
 *
 * One ajv instance per backend, so the helpers and formats the validators share are emitted (and loaded) once, in one
 * module. That instance skips meta-schema checks (10x cheaper to create); every schema is checked once against the
 * 2020-12 meta-schema by one shared instance ({@link SchemaChecker}).
 *
 * Strictness: unknown keywords are an error (`strictSchema`; the converter keeps only 2020-12 keywords), but the
 * strict-mode rules that refuse VALID 2020-12 schemas are off — `strictTypes` (e.g. `unevaluatedProperties` with no
 * `type`), `strictTuples`, `strictRequired` and matching `properties`/`patternProperties`. A `pattern` that is not an
 * ECMAScript regular expression (`u` flag) is dropped with a warning: ajv would refuse the whole schema.
 *
 * ajv's standalone output `require()`s its runtime helpers and ajv-formats' format functions even in ESM mode; the
 * module gets a `require` from `createRequire(import.meta.url)`, so those CommonJS modules load through Node's own
 * loader. Formats that ajv-formats does not know (OpenAPI allows any `format` value: e.g. `iban`, `decimal`) are
 * registered as annotations only.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { createValidatorAjv } from '../../contract/ajv-options.js';
import type { JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';
import { visitSchemas } from '../schema/walk.js';
import { tsHeader } from './header.js';

// ajv is CommonJS: under NodeNext its default export is the module object.
type StandaloneCode = typeof import('ajv/dist/standalone/index.js').default;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: StandaloneCode }).default ??
  standaloneCodeModule) as StandaloneCode;

/** A configured ajv 2020 instance: ajv-formats, plus every other format used by `schemas` as annotation-only. */
export function createAjv(schemas: readonly unknown[], options: { meta?: boolean } = {}): Ajv2020 {
  const meta = options.meta ?? true;
  const ajv = createValidatorAjv({ code: { source: true, esm: true, lines: true }, meta, validateSchema: meta });
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

/** Removes, in place, `pattern`s that are not valid ECMAScript (`u`) regular expressions; returns them. */
export function dropInvalidPatterns(schema: JsonSchema): string[] {
  const dropped: string[] = [];
  const valid = (pattern: string): boolean => {
    try {
      new RegExp(pattern, 'u');
      return true;
    } catch {
      return false;
    }
  };
  visitSchemas(schema, (node) => {
    const pattern = node['pattern'];
    if (typeof pattern === 'string' && !valid(pattern)) {
      dropped.push(pattern);
      delete node['pattern'];
    }
    const patterns = node['patternProperties'];
    if (patterns !== null && typeof patterns === 'object') {
      for (const key of Object.keys(patterns)) {
        if (!valid(key)) {
          dropped.push(key);
          delete (patterns as Record<string, unknown>)[key];
        }
      }
    }
  });
  return dropped;
}

/** Checks schemas against the JSON Schema 2020-12 meta-schema with one shared ajv instance. */
export class SchemaChecker {
  private readonly ajv = createAjv([]);

  /** Whether `schema` conforms to the meta-schema. */
  isValid(schema: JsonSchema): boolean {
    return this.ajv.validateSchema(schema) === true;
  }

  /** Throws naming the first meta-schema violation. */
  check(schema: JsonSchema): void {
    if (this.ajv.validateSchema(schema) !== true) {
      throw new Error(`not a valid JSON Schema 2020-12: ${this.ajv.errorsText(this.ajv.errors)}`);
    }
  }
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

/** The file name, beside the backend's `index.gen.js`. */
export const VALIDATORS_FILE = 'validators.gen.js';

/** Renders `validators.gen.js` for a backend's tools; throws naming the first tool whose input schema does not compile. */
export function renderValidatorsFile(
  source: string,
  tools: ReadonlyArray<Pick<ToolDescriptor, 'name' | 'inputSchema'>>,
  checker: SchemaChecker,
): string {
  const ajv = createAjv(
    tools.map((tool) => tool.inputSchema),
    { meta: false },
  );
  // ajv exports each validator under an identifier; tool names may hold `-`, so the exports are numbered.
  const exports: Record<string, string> = {};
  for (const [i, tool] of tools.entries()) {
    try {
      checker.check(tool.inputSchema);
      ajv.addSchema(tool.inputSchema, tool.name);
      ajv.getSchema(tool.name);
    } catch (error) {
      throw new Error(`input schema of tool "${tool.name}" does not compile: ${(error as Error).message}`);
    }
    exports[`v${i}`] = tool.name;
  }
  const { imports, body } = provideRequire(standaloneCode(ajv, exports));
  const entries = tools.map((tool, i) => `  ${JSON.stringify(tool.name)}: v${i},`);
  return [
    tsHeader(source),
    ...imports,
    '',
    '/** Precompiled (ajv standalone, JSON Schema 2020-12) validators of the tool inputs. */',
    body.trim(),
    '',
    "/** @type {Record<string, import('../../contract/descriptor.js').PrecompiledValidator>} Input validator per tool name. */",
    `export const validators = {${entries.length === 0 ? '' : `\n${entries.join('\n')}\n`}};`,
    '',
  ].join('\n');
}
