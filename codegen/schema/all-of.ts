/**
 * `allOf` (JSON Schema 2020-12 applicator §10.2.1.1) merged into one schema where that is exactly equivalent, so that
 * composed request bodies (`allOf: [Base, {extra fields}]`, the usual OpenAPI inheritance) flatten into tool
 * properties and the model sees one plain object.
 *
 * Two schemas merge when every keyword they share can be combined exactly: `properties` (per name, recursively),
 * `required` (union), `type` (intersection, `integer` ⊂ `number`), annotations (the first — outer — value wins) and
 * equal values. Keywords whose meaning depends on sibling keywords (`additionalProperties`, `patternProperties`,
 * `unevaluated*`, `prefixItems`) only merge when the other side has no object shape, `$ref` never merges. Anything
 * else keeps the `allOf` as written, which is always valid.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject, jsonEqual, setTypeList, typeList } from './json.js';
import { dropRequired } from './access.js';

/** Annotation keywords: when both sides set them differently, the first (outer) value wins. */
const ANNOTATIONS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keywords whose meaning depends on the `properties` next to them. */
const CLOSING_OBJECT_KEYWORDS = ['additionalProperties', 'patternProperties', 'unevaluatedProperties'] as const;
/** Keywords whose meaning depends on the other array keywords next to them. */
const CLOSING_ARRAY_KEYWORDS = ['prefixItems', 'unevaluatedItems'] as const;

function hasObjectShape(schema: JsonSchema): boolean {
  return 'properties' in schema || CLOSING_OBJECT_KEYWORDS.some((k) => k in schema);
}

function hasArrayShape(schema: JsonSchema): boolean {
  return 'items' in schema || CLOSING_ARRAY_KEYWORDS.some((k) => k in schema);
}

/** Intersection of two type lists; `integer` survives against `number`. Undefined when empty. */
function intersectTypes(a: string[], b: string[]): string[] | undefined {
  const out: string[] = [];
  for (const t of a) {
    if (b.includes(t)) out.push(t);
    else if (t === 'integer' && b.includes('number')) out.push(t);
    else if (t === 'number' && b.includes('integer')) out.push('integer');
  }
  const unique = [...new Set(out)];
  return unique.length > 0 ? unique : undefined;
}

/** Merges schema `b` into a copy of `a`; `undefined` when they cannot be merged exactly. */
export function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema | undefined {
  if ('$ref' in a || '$ref' in b) return undefined;
  const closesObject = (s: JsonSchema): boolean => CLOSING_OBJECT_KEYWORDS.some((k) => k in s);
  if ((closesObject(a) && hasObjectShape(b)) || (closesObject(b) && hasObjectShape(a))) return undefined;
  const closesArray = (s: JsonSchema): boolean => CLOSING_ARRAY_KEYWORDS.some((k) => k in s);
  if ((closesArray(a) && hasArrayShape(b)) || (closesArray(b) && hasArrayShape(a))) return undefined;
  if (['if', 'then', 'else'].some((k) => k in a) && ['if', 'then', 'else'].some((k) => k in b)) return undefined;

  const out: JsonSchema = { ...a };
  for (const [keyword, value] of Object.entries(b)) {
    if (!(keyword in out)) {
      out[keyword] = value;
      continue;
    }
    const current = out[keyword];
    if (jsonEqual(current, value)) continue;
    if (ANNOTATIONS.has(keyword)) continue;
    if (keyword === 'type') {
      const types = intersectTypes(typeList(a) ?? [], typeList(b) ?? []);
      if (types === undefined) return undefined;
      setTypeList(out, types);
    } else if (keyword === 'required' && Array.isArray(current) && Array.isArray(value)) {
      out[keyword] = [...new Set([...current, ...value])];
    } else if (keyword === 'properties' && isObject(current) && isObject(value)) {
      const properties: JsonSchema = { ...current };
      for (const [name, schema] of Object.entries(value)) {
        const existing = properties[name];
        if (existing === undefined || jsonEqual(existing, schema)) properties[name] = schema;
        else if (isObject(existing) && isObject(schema)) {
          properties[name] = mergeSchemas(existing, schema) ?? { allOf: [existing, schema] };
        } else properties[name] = { allOf: [existing, schema] };
      }
      out[keyword] = properties;
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * Merges a schema's `allOf` into the schema itself when exactly possible, returning the new schema (or the input,
 * unchanged, when not). `hidden` are property names removed from members (read-only in inputs, write-only in
 * outputs): a sibling member's `required` must not resurrect them.
 */
export function mergeAllOf(schema: JsonSchema, hidden: readonly string[] = []): JsonSchema {
  const members = schema['allOf'];
  if (!Array.isArray(members)) return schema;
  if (members.some((m) => m === false)) return schema;
  const objects = members.filter((m): m is JsonSchema => isObject(m));
  if (objects.length !== members.filter((m) => m !== true).length) return schema;
  const { allOf: _allOf, ...base } = schema;
  let merged: JsonSchema | undefined = base;
  for (const member of objects) {
    merged = mergeSchemas(merged, member);
    if (merged === undefined) return schema;
  }
  dropRequired(
    merged,
    hidden.filter((name) => !isObject(merged?.['properties']) || !(name in merged['properties'])),
  );
  return merged;
}
