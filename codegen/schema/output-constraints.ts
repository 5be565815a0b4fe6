/**
 * Output schemas describe the shape of a result; they do not police its values. A client checks `structuredContent`
 * against the tool's `outputSchema` (MCP 2025-11-25 "Tools → Output Schema": servers MUST provide structured results
 * that conform to it, and SDK clients reject one that does not), yet real APIs routinely break the value rules their
 * own descriptions publish: a relative `first_page_uri` under `format: uri`, a string longer than its `maxLength`,
 * a shared link matching two `oneOf` branches at once. So output schemas keep types, properties, items, `required`,
 * `enum` and `const` (what a client parses with and the model reads), and lose the JSON Schema 2020-12 value
 * assertions of Validation §6.2–§6.5 (except `required`) and Format §7 (`format`), and objects stay open (no
 * `additionalProperties: false`: backends add fields); `oneOf` becomes `anyOf` (a value
 * matching several branches is still that value), and `required` loses repeated names (§6.5.3: its items MUST be
 * unique; one published description repeats them). What is left can still fail (a string where a number was
 * promised): the server checks each result against it (src/core/output-check.ts).
 */
import type { JsonSchema } from '../../contract/descriptor.js';

/** Value assertions dropped from output schemas. */
const OUTPUT_VALUE_ASSERTIONS: readonly string[] = [
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minContains',
  'maxContains',
  'minProperties',
  'maxProperties',
];

/** Loosens one converted output (sub)schema in place, as the header says; its subschemas are done by the caller. */
export function loosenOutputSchema(schema: JsonSchema): void {
  for (const keyword of OUTPUT_VALUE_ASSERTIONS) delete schema[keyword];
  const oneOf = schema['oneOf'];
  if (Array.isArray(oneOf)) {
    delete schema['oneOf'];
    // An `anyOf` beside it constrains too: both must hold.
    if (Array.isArray(schema['anyOf'])) schema['allOf'] = [...asArray(schema['allOf']), { anyOf: oneOf }];
    else schema['anyOf'] = oneOf;
  }
  // Backends add fields: a closed object would turn every new field into a rejected result.
  if (schema['additionalProperties'] === false) delete schema['additionalProperties'];
  if (schema['unevaluatedProperties'] === false) delete schema['unevaluatedProperties'];
  const required = schema['required'];
  if (Array.isArray(required)) schema['required'] = [...new Set(required)];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
