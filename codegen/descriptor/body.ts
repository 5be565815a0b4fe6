/**
 * Request bodies (OpenAPI 3.1 §4.8.13 Request Body Object, §4.8.14 Media Type Object) → tool input.
 * A JSON (or form) body whose schema is a plain object is flattened: its fields become input properties
 * (`kind: properties`). Anything else — XML, text, binary, arrays, scalars, and objects whose shape cannot be
 * flattened (`oneOf`/`anyOf` of shapes at the root, `additionalProperties` schemas, free-form objects) — is ONE input property
 * (`kind: value`) named by the `x-codegen-request-body-name` extension, else `body`.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject, typeList } from '../schema/json.js';
import { hasOnlyPortableBodyRules } from './body-rules.js';

/** Property name of a non-flattened body when the spec does not name it. */
export const DEFAULT_BODY_NAME = 'body';

/** `application/json`, `application/*+json`, `text/json`… (RFC 6839 structured syntax suffix). */
export function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json') || type.endsWith('/json');
}

/** Form media types, whose object schemas are flattened like JSON (§4.8.14.4 encoding). */
function isFormMediaType(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/**
 * Keywords at an object root that make flattening lose meaning. Presence rules (`required` sets combined with
 * `anyOf`/`oneOf`/`allOf`/`not`, `dependentRequired`, property counts) are rewritten onto the input instead
 * (body-rules.ts).
 */
const UNFLATTENABLE = [
  'if',
  'patternProperties',
  'unevaluatedProperties',
  'dependentSchemas',
  'propertyNames',
  '$ref',
] as const;

/** Whether a converted body schema is a plain object whose fields can become input properties. */
function isFlattenableObject(schema: JsonSchema): boolean {
  const types = typeList(schema);
  if (types === undefined || !types.includes('object') || types.some((t) => t !== 'object' && t !== 'null')) {
    return false;
  }
  if (!isObject(schema['properties']) || Object.keys(schema['properties']).length === 0) return false;
  if (UNFLATTENABLE.some((keyword) => keyword in schema)) return false;
  if (!hasOnlyPortableBodyRules(schema)) return false;
  const additional = schema['additionalProperties'];
  return additional === undefined || additional === false;
}

/** How a body is exposed: flattened fields, or one value. */
export function bodyKind(contentType: string, schema: JsonSchema): 'properties' | 'value' {
  const structured = isJsonMediaType(contentType) || isFormMediaType(contentType);
  return structured && isFlattenableObject(schema) ? 'properties' : 'value';
}

/**
 * The schema of a `value` body. JSON keeps its schema; other media types travel as text, so a non-string schema
 * (e.g. an object describing an XML document) is replaced by a string that says what to send.
 */
export function valueBodySchema(contentType: string, schema: JsonSchema, description?: string): JsonSchema {
  const text = description?.trim();
  if (isJsonMediaType(contentType)) {
    return text !== undefined && text !== '' && schema['description'] === undefined
      ? { ...schema, description: text }
      : schema;
  }
  const types = typeList(schema);
  const base: JsonSchema = types?.includes('string') === true ? { ...schema, type: 'string' } : { type: 'string' };
  const what = `The request body as ${contentType}.`;
  const own = typeof base['description'] === 'string' ? base['description'] : text;
  base['description'] = own !== undefined && own !== '' ? `${own}\n\n${what}` : what;
  return base;
}
