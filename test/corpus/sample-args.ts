/**
 * Arguments for calling a generated tool from its input schema alone, the way a careful model would fill it: each
 * required property from the schema's own `examples`, `default`, `enum` or `const`, else a plain value of its type
 * and format. Tools whose required inputs cannot be filled that way (a `pattern`, an object body) are skipped.
 */
type Schema = Record<string, unknown>;

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
  if ('pattern' in schema) return undefined;
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
