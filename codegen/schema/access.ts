/**
 * `readOnly` / `writeOnly` (JSON Schema 2020-12 validation §9.4, OpenAPI 3.1 §4.8.24): a read-only property is sent
 * by the server only, so it is removed from tool INPUT schemas; a write-only property is never returned, so it is
 * removed from OUTPUT schemas. Removed names are also dropped from `required` (the model could never satisfy them).
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from './json.js';

/** Which direction a schema describes: what the model sends (`input`) or what the tool returns (`output`). */
export type SchemaMode = 'input' | 'output';

/** The keyword that hides a property in the given mode. */
function hidingKeyword(mode: SchemaMode): 'readOnly' | 'writeOnly' {
  return mode === 'input' ? 'readOnly' : 'writeOnly';
}

/**
 * Removes, in place, the properties hidden in `mode` from `schema.properties` and `schema.required`.
 * Returns the removed names (so that an enclosing `allOf` merge can drop them from a sibling's `required`).
 */
export function removeHiddenProperties(schema: JsonSchema, mode: SchemaMode): string[] {
  const properties = schema['properties'];
  if (!isObject(properties)) return [];
  const keyword = hidingKeyword(mode);
  const removed = Object.keys(properties).filter((name) => {
    const property = properties[name];
    return isObject(property) && property[keyword] === true;
  });
  if (removed.length === 0) return removed;
  schema['properties'] = Object.fromEntries(Object.entries(properties).filter(([name]) => !removed.includes(name)));
  dropRequired(schema, removed);
  return removed;
}

/** Removes names from `schema.required` in place, deleting the keyword when it becomes empty. */
export function dropRequired(schema: JsonSchema, names: readonly string[]): void {
  const required = schema['required'];
  if (!Array.isArray(required)) return;
  const kept = required.filter((name) => !names.includes(name as string));
  if (kept.length === 0) delete schema['required'];
  else schema['required'] = kept;
}
