/**
 * Every array schema gets `items` (JSON Schema 2020-12 applicator §10.3.1.2). OpenAPI 3.0 required `items` for
 * arrays and several MCP clients (and LLM function-calling validators) reject an array schema without it, even though
 * 2020-12 allows it; `{}` (any item) is the faithful default.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { typeList } from './json.js';

/** Adds `items: {}` in place when `schema` may be an array and says nothing about its items. */
export function ensureArrayItems(schema: JsonSchema): void {
  const types = typeList(schema);
  if (types === undefined || !types.includes('array')) return;
  if (!('items' in schema) && !('prefixItems' in schema)) schema['items'] = {};
}
