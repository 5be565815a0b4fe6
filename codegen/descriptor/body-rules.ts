/**
 * Object-level rules of a flattened request body (JSON Schema 2020-12 Validation §6.5: `minProperties`,
 * `maxProperties`, `dependentRequired`, and `required` sets combined with `anyOf`/`oneOf`/`allOf`/`not`): once the
 * body's fields sit beside the path and query parameters in the tool input, these rules must still hold for the body
 * fields alone. They are rewritten onto the input object, field names mapped to their input property names, so the
 * tool's own validator (and any client validating with `inputSchema`) enforces them:
 * - `minProperties: 1` becomes "at least one of the body's fields" (`anyOf` of one-name `required` sets); other
 *   counts are kept only when the body fields are the whole input (a count of the input is then a count of the body);
 * - an optional body's rules apply only when one of its fields is given (`if`/`then`).
 * Counts that cannot be rewritten exactly make the body unflattenable: it is then one `body` input, rules intact.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from '../schema/json.js';

/** Whether a subschema only says which fields are present (`required`, combined with `anyOf`/`oneOf`/`allOf`/`not`). */
export function isPresenceRule(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  return Object.entries(schema).every(([keyword, value]) => {
    if (keyword === 'required') return Array.isArray(value) && value.every((name) => typeof name === 'string');
    if (keyword === 'not') return isPresenceRule(value);
    if (keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'allOf') {
      return Array.isArray(value) && value.every(isPresenceRule);
    }
    return keyword === 'description' || keyword === 'title';
  });
}

/** Whether every object-level rule of a body schema can be rewritten onto a flattened input. */
export function hasOnlyPortableBodyRules(schema: JsonSchema): boolean {
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const value = schema[keyword];
    if (value !== undefined && !(Array.isArray(value) && value.every(isPresenceRule))) return false;
  }
  if (schema['not'] !== undefined && !isPresenceRule(schema['not'])) return false;
  const dependent = schema['dependentRequired'];
  return dependent === undefined || isObject(dependent);
}

/** A presence rule with field names mapped to input property names. */
function renamed(schema: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => renamed(item, rename));
  if (!isObject(schema)) return schema;
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    out[keyword] =
      keyword === 'required' && Array.isArray(value) ? value.map((n) => rename(String(n))) : renamed(value, rename);
  }
  return out;
}

/** What the rewrite needs to know about the body. */
export interface BodyFields {
  /** Body field name → input property name. */
  properties: ReadonlyMap<string, string>;
  /** The body is required by the operation. */
  required: boolean;
  /** The body's fields are the whole tool input (no parameter beside them). */
  wholeInput: boolean;
}

/** Whether the property counts of a body can be rewritten exactly (see the module comment). */
export function bodyCountsFit(schema: JsonSchema, wholeInput: boolean): boolean {
  if (wholeInput) return true;
  const min = schema['minProperties'];
  return (typeof min !== 'number' || min <= 1) && schema['maxProperties'] === undefined;
}

/** The rules to add to the input object's root (the body's counts must fit), or `undefined` when there are none. */
export function bodyRules(schema: JsonSchema, fields: BodyFields): JsonSchema | undefined {
  const rename = (name: string): string => fields.properties.get(name) ?? name;
  const rules: JsonSchema[] = [];
  const min = schema['minProperties'];
  if (typeof min === 'number' && min > 0) {
    if (fields.wholeInput) rules.push({ minProperties: min });
    else rules.push({ anyOf: [...fields.properties.values()].map((property) => ({ required: [property] })) });
  }
  const max = schema['maxProperties'];
  if (typeof max === 'number') rules.push({ maxProperties: max });
  const dependent = schema['dependentRequired'];
  if (isObject(dependent)) {
    rules.push({
      dependentRequired: Object.fromEntries(
        Object.entries(dependent).map(([name, list]) => [
          rename(name),
          Array.isArray(list) ? list.map((n) => rename(String(n))) : list,
        ]),
      ),
    });
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf', 'not'] as const) {
    if (schema[keyword] !== undefined) rules.push({ [keyword]: renamed(schema[keyword], rename) });
  }
  if (rules.length === 0) return undefined;
  const combined: JsonSchema = rules.length === 1 ? (rules[0] as JsonSchema) : { allOf: rules };
  if (fields.required) return combined;
  // An optional body that is not sent has no fields: its rules apply once one of its fields is given.
  return {
    if: { anyOf: [...fields.properties.values()].map((property) => ({ required: [property] })) },
    then: combined,
  };
}
