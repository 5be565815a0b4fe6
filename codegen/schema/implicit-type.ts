/**
 * Makes implied types explicit for ajv's `strictTypes` (ajv strict mode; JSON Schema 2020-12 validation §6.1.1):
 * `properties` without `type` becomes `type: object`, `items` without `type` becomes `type: array` (per schema, as
 * it is converted: body flattening relies on it). Scalar keywords (`minimum`, `maxLength`…) are completed on the
 * finished tool schema only, where the enclosing schemas' types are known: under `type: integer`, a bare `minimum`
 * must stay untyped.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from './json.js';

/** Keywords that only make sense for objects. */
const OBJECT_KEYWORDS = ['properties', 'patternProperties', 'additionalProperties', 'required'] as const;
/** Keywords that only make sense for arrays. */
const ARRAY_KEYWORDS = ['items', 'prefixItems'] as const;

/**
 * Adds, in place, `type: object` or `type: array` to a schema that uses that type's keywords without any `type`.
 * Schemas combining with `allOf`/`oneOf`/`anyOf` are left alone when they only carry `required` (a common "one of
 * these fields" pattern that the enclosing schema types).
 */
export function addImplicitType(schema: JsonSchema): void {
  if ('type' in schema || '$ref' in schema || 'const' in schema || 'enum' in schema) return;
  const hasObjectShape = OBJECT_KEYWORDS.some((k) => k !== 'required' && k in schema);
  if (hasObjectShape) {
    schema['type'] = 'object';
    return;
  }
  if (ARRAY_KEYWORDS.some((k) => k in schema)) schema['type'] = 'array';
}

/** Keywords that only make sense for one scalar type family. */
const SCALAR_KEYWORDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['number', ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']],
  ['string', ['minLength', 'maxLength', 'pattern']],
];
/** Subschemas that apply to the same instance as their parent (ajv takes types from them as context). */
const SAME_INSTANCE_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const SAME_INSTANCE_SINGLES = ['not', 'if', 'then', 'else'] as const;
/** Subschemas that apply to another instance (a property, an item…): a fresh type context. */
const OTHER_INSTANCE_SINGLES = [
  'items',
  'additionalProperties',
  'propertyNames',
  'contains',
  'unevaluatedItems',
  'unevaluatedProperties',
] as const;
const OTHER_INSTANCE_MAPS = ['properties', 'patternProperties', '$defs'] as const;

function isSchema(value: unknown): value is JsonSchema {
  return isObject(value);
}

/**
 * Completes, in place over a finished tool schema, `type: number` / `type: string` for schemas that use only that
 * family's keywords (`minimum`, `maxLength`…) with no type anywhere for their instance: neither their own, nor an
 * enclosing same-instance schema's (`allOf`/`anyOf`/`oneOf`/`not`/`if`…), nor a branch's (whose types would
 * conflict). ajv strict needs the type; the spec evidently meant it.
 */
export function addImplicitScalarTypes(schema: unknown, typedContext = false): void {
  if (!isSchema(schema)) return;
  const untyped = !('type' in schema || '$ref' in schema || 'const' in schema || 'enum' in schema);
  const branchesTyped = SAME_INSTANCE_LISTS.some((k) => {
    const list = schema[k];
    return Array.isArray(list) && list.some((branch) => isSchema(branch) && 'type' in branch);
  });
  if (untyped && !typedContext && !branchesTyped) {
    const families = SCALAR_KEYWORDS.filter(([, keywords]) => keywords.some((k) => k in schema));
    if (families.length === 1) schema['type'] = families[0]?.[0];
  }
  const context = typedContext || 'type' in schema;
  for (const k of SAME_INSTANCE_LISTS) {
    const list = schema[k];
    if (Array.isArray(list)) for (const branch of list) addImplicitScalarTypes(branch, context);
  }
  for (const k of SAME_INSTANCE_SINGLES) addImplicitScalarTypes(schema[k], context);
  for (const k of OTHER_INSTANCE_SINGLES) addImplicitScalarTypes(schema[k], false);
  for (const k of OTHER_INSTANCE_MAPS) {
    const map = schema[k];
    if (isSchema(map)) for (const child of Object.values(map)) addImplicitScalarTypes(child, false);
  }
  const prefix = schema['prefixItems'];
  if (Array.isArray(prefix)) for (const item of prefix) addImplicitScalarTypes(item, false);
}
