/**
 * Reading one OpenAPI 3.x document (OpenAPI 3.1 §4.3 Format: JSON or YAML) into plain JSON, with every reference
 * made local (§4.8.23 Reference Object): a document whose references all start with `#` is used as read; one that
 * points into other files is bundled by json-schema-ref-parser first. Discriminator mappings that name a schema
 * instead of referencing it (§4.8.25.1: "a schema name or a reference") are rewritten to references first, so that
 * no bundler mistakes a bare name for a file.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { $RefParser } from '@hey-api/json-schema-ref-parser';
import { parse as parseYaml } from 'yaml';
import { type JsonObject, isObject } from '../schema/json.js';

/** A document whose `$ref`s all stay inside it. */
function hasExternalRefs(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) stack.push(...current);
    else if (isObject(current)) {
      const ref = current['$ref'];
      if (typeof ref === 'string' && !ref.startsWith('#')) return true;
      for (const value of Object.values(current)) if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
  return false;
}

/** Rewrites, in place, discriminator mapping values that are bare schema names into `#/components/schemas/<name>`. */
function normaliseDiscriminatorMappings(node: unknown): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
      continue;
    }
    if (!isObject(current)) continue;
    const discriminator = current['discriminator'];
    if (isObject(discriminator) && isObject(discriminator['mapping'])) {
      const mapping = discriminator['mapping'];
      for (const [tag, value] of Object.entries(mapping)) {
        // §4.8.25.1: a value matching a schema name is that schema; anything with `/` or `#` is a reference.
        if (typeof value === 'string' && /^[A-Za-z0-9._-]+$/.test(value) && !/\.(json|ya?ml)$/i.test(value)) {
          mapping[tag] = `#/components/schemas/${value}`;
        }
      }
    }
    for (const value of Object.values(current)) if (typeof value === 'object' && value !== null) stack.push(value);
  }
}

/** Parses the text of a spec file; YAML errors carry their line and column. */
function parseText(file: string, text: string): unknown {
  if (extname(file).toLowerCase() === '.json') return JSON.parse(text);
  return parseYaml(text, { maxAliasCount: -1 });
}

/** Reads, normalises and (when needed) bundles the document at `file`. */
export async function loadDocument(file: string): Promise<JsonObject> {
  const document = parseText(file, readFileSync(file, 'utf8'));
  if (!isObject(document)) throw new Error('the document is not a JSON/YAML object');
  const version = document['openapi'];
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    throw new Error(`#/openapi: only OpenAPI 3.0 and 3.1 documents are supported (got ${JSON.stringify(version ?? document['swagger'] ?? null)})`);
  }
  normaliseDiscriminatorMappings(document);
  if (!hasExternalRefs(document)) return document;
  // The already-normalised document, with its own path as the base of relative references.
  const path = resolve(file);
  const bundled = (await new $RefParser().bundle({
    pathOrUrlOrSchema: path,
    resolvedInput: { path, schema: document, type: 'file' },
  })) as unknown;
  if (!isObject(bundled)) throw new Error('bundling produced no document');
  return bundled;
}
