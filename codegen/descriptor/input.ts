/**
 * The tool `inputSchema` (MCP 2025-11-25 "Tools": a JSON Schema object) from an operation's parameters
 * (OpenAPI 3.1 §4.8.12) and request body (§4.8.13), merged flat: `type: object`, `additionalProperties: false`.
 *
 * Name clash rule: precedence path > query > header > cookie > body. The higher-precedence input keeps its name; a
 * clashing lower-precedence one becomes `<in>_<name>` (e.g. `body_id`), then `<in>_<name>_2`, `_3`… No value is ever
 * lost, and the bindings record each property's original name. Names some LLM APIs refuse as property keys (outside
 * `[A-Za-z0-9_.-]`, e.g. `filter[status]`, or longer than 64) are made safe first (`filter_status_`).
 */
import type { JsonSchema } from '../../contract/descriptor.js';

/** Where an input comes from, in precedence order. */
const INPUT_PRECEDENCE = ['path', 'query', 'header', 'cookie', 'body'] as const;

/** Longest property name (the limit of the strictest LLM tool APIs). */
const MAX_PROPERTY_LENGTH = 64;

/** A property name every client accepts: `[A-Za-z0-9_.-]{1,64}`; unchanged when it already is one. */
function safePropertyName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_PROPERTY_LENGTH);
  return safe === '' ? '_' : safe;
}

/** One input before naming. */
export interface InputPart<T = unknown> {
  in: (typeof INPUT_PRECEDENCE)[number];
  /** Name in the spec (parameter name, body field name, or the body property name). */
  name: string;
  schema: JsonSchema;
  required: boolean;
  /** What the caller needs back to build the binding. */
  source: T;
}

/** An input with its final property name. */
export interface NamedInput<T = unknown> extends InputPart<T> {
  property: string;
}

/**
 * Orders inputs by precedence (stable within a location) and gives each a unique property name by the clash rule.
 */
export function nameInputs<T>(parts: ReadonlyArray<InputPart<T>>): Array<NamedInput<T>> {
  const ordered = INPUT_PRECEDENCE.flatMap((location) => parts.filter((part) => part.in === location));
  const taken = new Set<string>();
  return ordered.map((part) => {
    let property = safePropertyName(part.name);
    if (taken.has(property)) {
      const prefixed = safePropertyName(`${part.in}_${part.name}`);
      property = prefixed;
      for (let n = 2; taken.has(property); n += 1) {
        property = `${prefixed.slice(0, MAX_PROPERTY_LENGTH - 1 - String(n).length)}_${n}`;
      }
    }
    taken.add(property);
    return { ...part, property };
  });
}

/** The flat input schema of named inputs (`$defs` are attached later by the schema converter). */
export function inputSchema(inputs: ReadonlyArray<NamedInput>): JsonSchema {
  const schema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(inputs.map((input) => [input.property, input.schema])),
  };
  const required = inputs.filter((input) => input.required).map((input) => input.property);
  if (required.length > 0) schema['required'] = required;
  schema['additionalProperties'] = false;
  return schema;
}
