/**
 * Makes implied types explicit for ajv's `strictTypes` (ajv strict mode; JSON Schema 2020-12 validation §6.1.1):
 * `properties` without `type` becomes `type: object`, `items` without `type` becomes `type: array`. Only object and
 * array keywords are completed: they cannot sensibly apply to another type, whereas a bare `minimum` may mean
 * `integer` or `number`.
 */
import type { JsonSchema } from '../../src/descriptor.js';

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
