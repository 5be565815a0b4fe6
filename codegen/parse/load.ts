/**
 * Reading one API description into one plain-JSON OpenAPI 3.x document with every reference local (OpenAPI 3.1
 * §4.8.23 Reference Object):
 * - JSON or YAML (§4.3 Format); a Swagger 2.0 document is converted to OpenAPI 3.0 by swagger2openapi first (the
 *   caller reports that it was);
 * - a document whose references all start with `#` is used as read; one that points into other files (a folder
 *   `specs/<name>/openapi.yaml` with its parts beside it) is bundled by json-schema-ref-parser, every file passing
 *   through {@link prepareFile} so that each reference is resolved against the file that holds it — discriminator
 *   mappings included (§4.8.25.1 "a schema name or a reference"): a mapping that names a file becomes a reference
 *   for the bundle and is read back as the bundled pointer;
 * - nothing inside a literal value (`example`, `default`, `const`, `enum`, a schema's `examples`, an Example
 *   Object's `value`) is ever resolved: a `$ref`-shaped key there is data.
 * A failure names the file and the JSON pointer (RFC 6901) where it happened.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $RefParser } from '@hey-api/json-schema-ref-parser';
import { parse as parseYaml } from 'yaml';
import { resolvePointer } from '../../contract/pointer.js';
import { LITERAL_KEYWORDS, visitStructure } from '../../contract/structure.js';
import { type JsonObject, isObject } from '../schema/json.js';

/** What loading yields: the document, and whether it was converted from Swagger 2.0. */
export interface LoadedDocument {
  document: JsonObject;
  /** Set when the file was Swagger 2.0: the converter and its version, for the regeneration report. */
  convertedFrom?: string;
  /** What was left out to read the description at all, for the report. */
  warnings: string[];
}

/** The key a literal value's `$ref` is held under while a bundler walks the document (never a real keyword). */
const LITERAL_REF = '\u0000$ref';
/** Calls `visit` on every object inside the literal values of `node`. */
function visitLiterals(node: unknown, visit: (object: JsonObject) => void): void {
  const inside = (value: unknown): void => {
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const current = stack.pop();
      if (Array.isArray(current)) stack.push(...current);
      else if (isObject(current)) {
        visit(current);
        stack.push(...Object.values(current));
      }
    }
  };
  visitStructure(node, (object) => {
    for (const [key, value] of Object.entries(object)) {
      if (LITERAL_KEYWORDS.has(key)) inside(value);
      else if (key === 'examples' && Array.isArray(value)) inside(value);
      else if (key === 'examples' && isObject(value)) {
        for (const example of Object.values(value)) if (isObject(example)) inside(example['value']);
      }
    }
  });
}

/** Renames the key `from` to `to` in place, keeping the key order. */
function renameKey(object: JsonObject, from: string, to: string): void {
  if (!(from in object)) return;
  const entries = Object.entries(object).map(([k, v]): [string, unknown] => [k === from ? to : k, v]);
  for (const key of Object.keys(object)) delete object[key];
  Object.assign(object, Object.fromEntries(entries));
}

/** Whether a document's `$ref`s and discriminator mappings (outside literal values) all stay inside it. */
function hasExternalRefs(document: unknown): boolean {
  let external = false;
  visitStructure(document, (object) => {
    const ref = object['$ref'];
    if (typeof ref === 'string' && !ref.startsWith('#')) external = true;
    for (const value of Object.values(mappingOf(object) ?? {})) if (namesFile(value)) external = true;
  });
  return external;
}

/** The discriminator mapping of a Schema Object, if it has one. */
function mappingOf(object: JsonObject): JsonObject | undefined {
  const discriminator = object['discriminator'];
  return isObject(discriminator) && isObject(discriminator['mapping']) ? discriminator['mapping'] : undefined;
}

/** Whether a mapping value is a reference into another file (not a schema name, not a local pointer). */
function namesFile(value: unknown): boolean {
  return typeof value === 'string' && !value.startsWith('#') && !isSchemaName(value);
}

/**
 * Takes out the discriminator mapping entries of `document` (read from `file`) that lead nowhere: a file that does
 * not exist, or a pointer (or, in the entry document, a schema name) that does not resolve. A published bundle may
 * keep its authors' file names and file-relative pointers there (DigitalOcean's does), and a mapping only names
 * branches the `oneOf` already lists. Returns what was taken out, as `tag → value`.
 */
function dropUnresolvableMappings(document: unknown, file: string, entry: boolean): string[] {
  const dropped: string[] = [];
  const resolves = (value: string): boolean => {
    if (namesFile(value)) return existsSync(resolve(dirname(file), value.split('#')[0] ?? ''));
    // A pointer in a part is into the part; a schema name there is resolved against the entry by the bundle.
    if (!entry && !value.startsWith('#')) return true;
    try {
      resolvePointer(document, value.startsWith('#') ? value : `#/components/schemas/${value}`);
      return true;
    } catch {
      return false;
    }
  };
  visitStructure(document, (object) => {
    const mapping = mappingOf(object);
    if (mapping === undefined) return;
    for (const [tag, value] of Object.entries(mapping)) {
      if (typeof value !== 'string' || resolves(value)) continue;
      delete mapping[tag];
      dropped.push(`${tag} → ${value}`);
    }
  });
  return dropped;
}

/** A discriminator mapping value that names a schema of the entry document (§4.8.25.1), not a file or a pointer. */
function isSchemaName(value: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(value) && !/\.(json|ya?ml)$/i.test(value);
}

/**
 * Prepares one file of a description in place: bare discriminator mapping names become pointers into the entry
 * document's schemas; with `forBundle`, literal `$ref` keys are hidden from the bundler and mapping values that
 * point into files (or, in a part, into the part itself) become `{ $ref }` objects it resolves from this file.
 */
function prepareFile(document: unknown, options: { forBundle: boolean; entry: boolean }): void {
  visitStructure(document, (object) => {
    const discriminator = object['discriminator'];
    if (!isObject(discriminator) || !isObject(discriminator['mapping'])) return;
    const mapping = discriminator['mapping'];
    for (const [tag, value] of Object.entries(mapping)) {
      if (typeof value !== 'string') continue;
      if (isSchemaName(value)) mapping[tag] = `#/components/schemas/${value}`;
      else if (options.forBundle && (!value.startsWith('#') || !options.entry)) mapping[tag] = { $ref: value };
    }
  });
  if (options.forBundle) visitLiterals(document, (object) => renameKey(object, '$ref', LITERAL_REF));
}

/** Undoes {@link prepareFile}'s bundle-only changes on the bundled document, in place. */
function restoreBundled(document: unknown): void {
  visitStructure(document, (object) => {
    const discriminator = object['discriminator'];
    if (!isObject(discriminator) || !isObject(discriminator['mapping'])) return;
    const mapping = discriminator['mapping'];
    for (const [tag, value] of Object.entries(mapping)) {
      if (isObject(value) && typeof value['$ref'] === 'string') mapping[tag] = value['$ref'];
    }
  });
  visitLiterals(document, (object) => renameKey(object, LITERAL_REF, '$ref'));
}

/** The report's line for mapping entries {@link dropUnresolvableMappings} took out. */
function missingWarnings(missing: readonly string[]): string[] {
  if (missing.length === 0) return [];
  const one = missing.length === 1;
  const shown = `${missing.slice(0, 2).join(', ')}${missing.length > 2 ? ', …' : ''}`;
  return [
    `${missing.length} discriminator mapping ${one ? 'entry leads' : 'entries lead'} nowhere (no such file or schema), left out: ${shown}`,
  ];
}

/** Parses the text of a spec file; YAML errors carry their line and column. */
function parseText(file: string, text: string): unknown {
  if (extname(file).toLowerCase() === '.json') return JSON.parse(text);
  return parseYaml(text, { maxAliasCount: -1 });
}

/** swagger2openapi is CommonJS without types: its `convertObj` resolves to `{ openapi }`. */
const require = createRequire(import.meta.url);

/** The swagger2openapi version the converter runs (for the report). */
function converterName(): string {
  return `swagger2openapi ${(require('swagger2openapi/package.json') as { version: string }).version}`;
}

/** Converts a Swagger 2.0 document to OpenAPI 3.0 (references are kept as they are, nothing is fetched). */
async function fromSwagger2(document: JsonObject): Promise<JsonObject> {
  const converter = require('swagger2openapi') as Swagger2OpenApi;
  try {
    const { openapi } = await converter.convertObj(document, { patch: true, warnOnly: true, resolve: false });
    return openapi;
  } catch (error) {
    throw new Error(`converting Swagger 2.0: ${(error as Error).message}`);
  }
}

interface Swagger2OpenApi {
  convertObj(document: JsonObject, options: Record<string, unknown>): Promise<{ openapi: JsonObject }>;
}

/** JSON pointers (RFC 6901) of the `$ref`s of `document` that point into other files, with the file each names. */
function externalRefPointers(document: unknown, base: string): Array<{ pointer: string; file: string }> {
  const found: Array<{ pointer: string; file: string }> = [];
  visitStructure(document, (object, pointer) => {
    const ref = object['$ref'];
    if (typeof ref === 'string' && !ref.startsWith('#'))
      found.push({ pointer, file: resolve(dirname(base), ref.split('#')[0] ?? '') });
  });
  return found;
}

/**
 * Throws, naming the file and the JSON pointer, at the first `$ref` of a part that points into the part itself
 * (`#/…`) at nothing: a reference is resolved against the file that holds it, so `#/components/schemas/X` copied
 * into a part does not reach the entry document's schemas (the bundler would fail without naming either).
 */
function checkLocalRefs(document: unknown, file: string): void {
  visitStructure(document, (object, pointer) => {
    const ref = object['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#')) return;
    try {
      resolvePointer(document, ref);
    } catch {
      throw new Error(
        `${file}${pointer}: "$ref": "${ref}" points at nothing in this file (a reference is resolved against the file that holds it)`,
      );
    }
  });
}

/** A bundler error, naming the JSON pointer of the entry file's reference that led to the file it failed on. */
function bundleError(error: unknown, entry: string, pointers: ReadonlyArray<{ pointer: string; file: string }>): Error {
  const message = (error as Error).message.trim();
  const at = pointers.find(({ file }) => message.includes(file));
  return new Error(at === undefined ? message : `${at.pointer}: ${message.split(dirname(entry) + sep).join('')}`);
}

/** Reads, converts, normalises and (when needed) bundles the description whose entry file is `file`. */
export async function loadDocument(file: string): Promise<LoadedDocument> {
  const read = parseText(file, readFileSync(file, 'utf8'));
  if (!isObject(read)) throw new Error('the document is not a JSON/YAML object');
  let document: JsonObject = read;
  let convertedFrom: string | undefined;
  if (document['swagger'] === '2.0') {
    document = await fromSwagger2(document);
    convertedFrom = converterName();
  }
  const version = document['openapi'];
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    throw new Error(
      `#/openapi: only OpenAPI 3.0 and 3.1 (and Swagger 2.0, converted) documents are supported (got ${JSON.stringify(version ?? document['swagger'] ?? null)})`,
    );
  }
  const converted = convertedFrom === undefined ? {} : { convertedFrom };
  const missing = dropUnresolvableMappings(document, resolve(file), true);
  const bundle = hasExternalRefs(document);
  const pointers = bundle ? externalRefPointers(document, resolve(file)) : [];
  const path = resolve(file);
  if (bundle) checkLocalRefs(document, relative(dirname(path), path));
  prepareFile(document, { forBundle: bundle, entry: true });
  if (!bundle) return { document, ...converted, warnings: missingWarnings(missing) };
  // Each part read by the bundler is checked and prepared like the entry, relative to itself.
  const parser = new $RefParser();
  for (const kind of ['yaml', 'json'] as const) {
    const plugin = parser.options.parse[kind];
    const handler = plugin.handler.bind(plugin);
    plugin.handler = async (info) => {
      const parsed = await handler(info);
      const part = info.url.startsWith('file:') ? fileURLToPath(info.url) : info.url;
      missing.push(...dropUnresolvableMappings(parsed, part, false));
      checkLocalRefs(parsed, relative(dirname(path), part));
      prepareFile(parsed, { forBundle: true, entry: false });
      return parsed;
    };
  }
  let bundled: unknown;
  try {
    bundled = await parser.bundle({ pathOrUrlOrSchema: path, resolvedInput: { path, schema: document, type: 'file' } });
  } catch (error) {
    throw bundleError(error, path, pointers);
  }
  if (!isObject(bundled)) throw new Error('bundling produced no document');
  restoreBundled(bundled);
  return { document: bundled, ...converted, warnings: missingWarnings(missing) };
}
