/**
 * Arguments for calling a generated tool from its input schema alone, the way a careful model would fill it: each
 * required property from the schema's own `examples`, `default`, `enum` or `const`, else a plain value of its type
 * and format; a string with a `pattern` (Twilio's `^AC[0-9a-fA-F]{32}$` account ids) gets one that matches it, from
 * json-schema-faker (the generator Prism mocks with) on a fixed seed, so every run sends the same. Tools whose
 * required inputs cannot be filled that way (an object body) are skipped.
 */
import { JSONSchemaFaker } from 'json-schema-faker';

type Schema = Record<string, unknown>;

/** A fixed-seed generator (mulberry32), so that pattern samples are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string matching the schema's `pattern` (and length bounds), or undefined when none comes out. */
function matching(schema: Schema): string | undefined {
  const { pattern, minLength, maxLength } = schema;
  JSONSchemaFaker.option({ random: seeded(23) });
  const value = JSONSchemaFaker.generate({ type: 'string', pattern, minLength, maxLength } as never);
  return typeof value === 'string' && new RegExp(pattern as string, 'u').test(value) ? value : undefined;
}

function first(list: unknown): unknown {
  return Array.isArray(list) && list.length > 0 ? list[0] : undefined;
}

/** A value for one property schema, or undefined when none can be made up safely. */
function sampleValue(schema: Schema, depth = 0): unknown {
  for (const key of ['const', 'default'] as const) if (key in schema) return schema[key];
  const example = first(schema['examples']) ?? first(schema['enum']);
  if (example !== undefined) return example;
  const branches = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (Array.isArray(branches) && branches[0] !== undefined) return sampleValue(branches[0], depth);
  const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type']];
  const type = types.find((t) => t !== 'null');
  if (typeof schema['pattern'] === 'string') return type === 'string' ? matching(schema) : undefined;
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1;
    case 'boolean':
      return true;
    case 'string': {
      const format = schema['format'];
      if (format === 'uuid') return '3fa85f64-5717-4562-b3fc-2c963f66afa6';
      if (format === 'date') return '2024-01-15';
      if (format === 'date-time') return '2024-01-15T10:00:00Z';
      if (format === 'email') return 'someone@example.com';
      if (format === 'uri' || format === 'url') return 'https://example.com/';
      const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 1;
      return 'a'.repeat(Math.max(min, 3));
    }
    case 'array': {
      const item =
        typeof schema['items'] === 'object' && schema['items'] !== null
          ? sampleValue(schema['items'] as Schema, depth + 1)
          : undefined;
      return item === undefined ? undefined : [item];
    }
    default:
      return undefined;
  }
}

/** Arguments filling every required property of a tool's input schema, or undefined when one cannot be filled. */
export function sampleArgs(inputSchema: Schema): Record<string, unknown> | undefined {
  const properties = (inputSchema['properties'] ?? {}) as Record<string, Schema>;
  const required = Array.isArray(inputSchema['required']) ? (inputSchema['required'] as string[]) : [];
  const args: Record<string, unknown> = {};
  for (const name of required) {
    const schema = properties[name];
    if (schema === undefined) return undefined;
    const value = sampleValue(schema);
    if (value === undefined) return undefined;
    args[name] = value;
  }
  return args;
}
