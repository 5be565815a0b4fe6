/**
 * Plain-JSON helpers shared by the schema transforms (JSON Schema 2020-12 §4.3: a schema is an object or a boolean).
 * Kept tiny and dependency-free so that every transform module can be table-tested on literal objects.
 */
import type { JsonSchema } from '../../contract/descriptor.js';

import { isObject } from '../../contract/json.js';

export { isObject, type JsonObject } from '../../contract/json.js';

/** The `type` keyword as a list (JSON Schema validation §6.1.1 allows a string or an array). */
export function typeList(schema: JsonSchema): string[] | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.every((t): t is string => typeof t === 'string')) return type;
  return undefined;
}

/** Writes a type list back in its shortest form: one type as a string, several as an array. */
export function setTypeList(schema: JsonSchema, types: string[]): void {
  schema['type'] = types.length === 1 ? types[0] : types;
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
