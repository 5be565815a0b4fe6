/**
 * `generated/<backend>/validators/<tool>.gen.cjs`: ajv 8 standalone validation code for one tool's input schema (JSON
 * Schema 2020-12), precompiled at generation time so that the server compiles no schema at run time. One CommonJS
 * module per tool, exporting the function: the server `require()`s a tool's validator synchronously on the tool's
 * first call, so start-up reads and evaluates no validator at all and a server of 500 operations loads only those
 * it calls (issue 23; one module for all tools meant reading and parsing 7.6 MB of code for Stripe before the first
 * answer, and lazy factories inside one module still read and pre-parse all of it). A tool's `$defs` are its own
 * (shared definitions are per tool), so its module holds everything it needs; the ajv runtime helpers it requires
 * are Node's cached CommonJS modules.
 *
 * {@link renderValidatorsFile} renders the other shape, one ES module exporting `validators` (name → function) for
 * many schemas at once: the Worker bundle's validators of schemas the runtime would otherwise compile
 * (scripts/build-worker.mjs).
 *
 * One ajv instance per backend; it skips meta-schema checks (10x cheaper to create); every schema is checked once
 * against the 2020-12 meta-schema by one shared instance ({@link SchemaChecker}).
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
import type { AnyValidateFunction } from 'ajv/dist/core.js';
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
export function createAjv(schemas: readonly unknown[], options: { meta?: boolean; esm?: boolean } = {}): Ajv2020 {
  const meta = options.meta ?? true;
  const esm = options.esm ?? true;
  const ajv = createValidatorAjv({ code: { source: true, esm, lines: true }, meta, validateSchema: meta });
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

/** The folder of the per-tool validator modules, beside the backend's `index.gen.js`. */
const VALIDATORS_DIR = 'validators';

/** A tool's validator module, relative to the backend's folder, from its file stem (see tool-files.ts). */
export function validatorFile(stem: string): string {
  return `${VALIDATORS_DIR}/${stem}.gen.cjs`;
}

type SchemaTool = Pick<ToolDescriptor, 'name' | 'inputSchema'>;

/** Adds and compiles every tool's input schema under its name; throws naming the first that does not compile. */
function compileAll(ajv: Ajv2020, tools: ReadonlyArray<SchemaTool>, checker: SchemaChecker): void {
  for (const tool of tools) {
    try {
      checker.check(tool.inputSchema);
      ajv.addSchema(tool.inputSchema, tool.name);
      ajv.getSchema(tool.name);
    } catch (error) {
      throw new Error(`input schema of tool "${tool.name}" does not compile: ${(error as Error).message}`);
    }
  }
}

/**
 * Renders one CommonJS module per tool (tool name → text), each exporting its validator as `module.exports`;
 * throws naming the first tool whose input schema does not compile.
 */
export function renderToolValidators(
  source: string,
  tools: ReadonlyArray<SchemaTool>,
  checker: SchemaChecker,
): Map<string, string> {
  const ajv = createAjv(
    tools.map((tool) => tool.inputSchema),
    { meta: false, esm: false },
  );
  compileAll(ajv, tools, checker);
  const out = new Map<string, string>();
  for (const tool of tools) {
    const code = standaloneCode(ajv, ajv.getSchema(tool.name) as AnyValidateFunction);
    out.set(
      tool.name,
      [
        tsHeader(source),
        `/** Precompiled (ajv standalone, JSON Schema 2020-12) validator of the input of ${JSON.stringify(tool.name)}. */`,
        `${code.trim()}`,
        '',
      ].join('\n'),
    );
  }
  return out;
}

/**
 * Renders one ES module exporting `validators` (name → function) for all `tools`; throws naming the first whose
 * input schema does not compile.
 */
export function renderValidatorsFile(source: string, tools: ReadonlyArray<SchemaTool>, checker: SchemaChecker): string {
  const ajv = createAjv(
    tools.map((tool) => tool.inputSchema),
    { meta: false },
  );
  compileAll(ajv, tools, checker);
  // ajv exports each validator under an identifier; tool names may hold `-`, so the exports are numbered.
  const exports: Record<string, string> = {};
  for (const [i, tool] of tools.entries()) exports[`v${i}`] = tool.name;
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
