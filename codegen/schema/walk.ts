/**
 * Where subschemas live (JSON Schema 2020-12 Core §10 Applicator vocabulary, §11 Unevaluated, §8 Content, and the
 * root `$defs` of §8.2.4): shared by the converter and by every pass that visits converted tool schemas.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from './json.js';

/** Keywords holding one subschema. */
export const SINGLE_SUBSCHEMA_KEYWORDS = [
  'items',
  'additionalProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
] as const;
/** Keywords holding a map of subschemas. */
export const MAP_SUBSCHEMA_KEYWORDS = ['properties', 'patternProperties', 'dependentSchemas', '$defs'] as const;
/** Keywords holding a list of subschemas. */
export const LIST_SUBSCHEMA_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;

/** Calls `visit` on `schema` and every object subschema below it, depth first, parents before children. */
export function visitSchemas(schema: unknown, visit: (schema: JsonSchema) => void): void {
  if (!isObject(schema)) return;
  visit(schema);
  for (const keyword of SINGLE_SUBSCHEMA_KEYWORDS) visitSchemas(schema[keyword], visit);
  for (const keyword of MAP_SUBSCHEMA_KEYWORDS) {
    const map = schema[keyword];
    if (isObject(map)) for (const child of Object.values(map)) visitSchemas(child, visit);
  }
  for (const keyword of LIST_SUBSCHEMA_KEYWORDS) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const child of list) visitSchemas(child, visit);
  }
}
