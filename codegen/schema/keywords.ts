/**
 * OpenAPI 3.1 §4.8.24 Schema Object → plain JSON Schema 2020-12 for ajv's strict mode.
 *
 * OpenAPI adds keywords that are not JSON Schema (`discriminator`, `xml`, `externalDocs`, `example`, `x-*`) and 3.0
 * documents bring `nullable`; ajv strict rejects unknown keywords, so everything outside the 2020-12 vocabularies
 * (Core §8, Applicator §10, Unevaluated §11, Validation §6, Meta-Data §9, Format §7, Content §8 of the validation
 * spec) is dropped. `example` survives as `examples: [example]` so the model still sees it. Identifier keywords
 * (`$id`, `$schema`, anchors) are dropped too: tool schemas are self-contained, their only references point into
 * their own root `$defs`.
 */
import type { JsonSchema } from '../../contract/descriptor.js';

/** JSON Schema 2020-12 keywords kept in tool schemas. */
const KEPT_KEYWORDS: ReadonlySet<string> = new Set([
  // Core (only local references into the root `$defs` remain after inlining)
  '$ref',
  '$defs',
  // Applicator
  'prefixItems',
  'items',
  'contains',
  'additionalProperties',
  'properties',
  'patternProperties',
  'dependentSchemas',
  'propertyNames',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  // Unevaluated
  'unevaluatedItems',
  'unevaluatedProperties',
  // Validation
  'type',
  'const',
  'enum',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'maxProperties',
  'minProperties',
  'required',
  'dependentRequired',
  // Meta-data
  'title',
  'description',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'examples',
  // Format and content
  'format',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** OpenAPI's own Schema Object keywords (§4.8.24.1, 3.0 `nullable`) and identifiers: dropped without a warning. */
const OPENAPI_KEYWORDS: ReadonlySet<string> = new Set([
  'discriminator',
  'xml',
  'externalDocs',
  'example',
  'nullable',
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$comment',
  '$defs',
  'definitions',
]);

/**
 * Returns a copy of `schema` holding only {@link KEPT_KEYWORDS}; a Schema Object `example` becomes `examples`
 * (unless `examples` is already there). Subschemas are not visited: the caller walks them. Keywords that are
 * neither 2020-12 nor OpenAPI's own are added to `ignored` (a spec's typos and other dialects' keywords: warned about,
 * never fatal).
 */
export function keepJsonSchemaKeywords(schema: JsonSchema, ignored?: Set<string>): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (KEPT_KEYWORDS.has(keyword) && keyword !== '$defs') out[keyword] = value;
    else if (ignored !== undefined && !OPENAPI_KEYWORDS.has(keyword) && !keyword.startsWith('x-')) ignored.add(keyword);
  }
  if ('example' in schema && !Array.isArray(out['examples'])) out['examples'] = [schema['example']];
  return out;
}
