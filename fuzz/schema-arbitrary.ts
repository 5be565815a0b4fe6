/**
 * fast-check arbitraries from a tool's served `inputSchema` (JSON Schema 2020-12, the subset the generator
 * emits: type, properties, required, additionalProperties, enum, pattern, format, min/max length, minimum,
 * maximum, items, examples). {@link validArguments} produces arguments the schema accepts, so that calls get
 * past validation and reach the backend; {@link mutatedArguments} breaks them in one place at a time (a field
 * replaced by a hostile value, a required field dropped, an extra property with a hostile key), which is what
 * exercises the validation paths with otherwise plausible input.
 */
import fc from 'fast-check';
import { hostileString, hostileValue, POLLUTION_KEYS, withKeys } from './hostile.js';

/** The JSON Schema keywords the fuzzer reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
  default?: unknown;
}

/** Valid strings for the formats the specs use. */
function formatString(format: string): fc.Arbitrary<string> | undefined {
  const day = fc.date({
    min: new Date('1900-01-01T00:00:00Z'),
    max: new Date('2100-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  switch (format) {
    case 'date':
      return day.map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return day.map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.webUrl();
    default:
      return undefined;
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  // Long maxima (the 5 MiB XML field) are not worth filling with random text: hostile values cover sizes.
  const maxLength = Math.min(schema.maxLength ?? 64, Math.max(minLength, 64));
  const fromFormat = schema.format === undefined ? undefined : formatString(schema.format);
  if (fromFormat !== undefined) return fromFormat;
  if (schema.pattern !== undefined) {
    try {
      const pattern = new RegExp(schema.pattern, 'u');
      return fc
        .stringMatching(pattern)
        .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot invert: fall through to plain strings.
    }
  }
  return fc.string({ unit: 'grapheme', minLength, maxLength });
}

/** An arbitrary of values the schema accepts (best effort for keywords outside the subset). */
function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const fromSchema = validValueBySchema(schema);
  const examples = schema.examples ?? [];
  return examples.length === 0
    ? fromSchema
    : fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...examples) }, { weight: 3, arbitrary: fromSchema });
}

function validValueBySchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: Math.ceil(schema.minimum ?? -1_000_000), max: Math.floor(schema.maximum ?? 1_000_000) });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object':
      return validObject(schema);
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) record[name] = validValue(property);
  const required = (schema.required ?? []).filter((name) => name in properties);
  return fc.record(record, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Arguments the tool's input schema accepts. */
export function validArguments(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  return validObject({ ...schema, type: 'object' });
}

/** A value of a type the schema does not allow (or a hostile one of the right type). */
function wrongValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const wrongForType: fc.Arbitrary<unknown>[] = [hostileValue];
  if (type === 'integer' || type === 'number') {
    wrongForType.push(
      fc.constantFrom(0.5, 1e308, -1e308, -1, 2 ** 63, (schema.maximum ?? 100) + 1, (schema.minimum ?? 0) - 1, -0),
      fc.integer().map(String),
    );
  }
  if (type === 'string') {
    wrongForType.push(hostileString, fc.integer(), fc.constant(['array', 'for', 'string']));
    if (schema.maxLength !== undefined && schema.maxLength < 100_000)
      wrongForType.push(fc.constant('x'.repeat(schema.maxLength + 1)));
  }
  return fc.oneof(...wrongForType);
}

/** Valid arguments broken in one place: a field made hostile, a required field dropped, or a hostile extra key. */
export function mutatedArguments(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const required = schema.required ?? [];
  const variants: fc.Arbitrary<Record<string, unknown>>[] = [
    // An extra property: a hostile or prototype-polluting key with any value.
    fc
      .tuple(
        validArguments(schema),
        fc.oneof(
          fc.constantFrom(...POLLUTION_KEYS),
          hostileString.filter((s) => s.length < 200),
        ),
        hostileValue,
      )
      .map(([args, key, value]) => withKeys(args, [[key, value]])),
  ];
  if (names.length > 0) {
    variants.push(
      fc
        .tuple(validArguments(schema), fc.constantFrom(...names))
        .chain(([args, name]) => wrongValue(properties[name] ?? {}).map((value) => withKeys(args, [[name, value]]))),
    );
  }
  if (required.length > 0) {
    variants.push(
      fc.tuple(validArguments(schema), fc.constantFrom(...required)).map(([args, name]) => {
        const copy = { ...args };
        delete copy[name];
        return copy;
      }),
    );
  }
  return fc.oneof(...variants);
}
