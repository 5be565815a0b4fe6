/**
 * Checks for `commonInput` properties (inputs added to every tool by a backend's overrides). They are small
 * schemas, checked by hand for JSON Schema `type` and `enum` only (JSON Schema Validation §6.1.1, §6.1.2), so no
 * validator is compiled at run time.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { describeValue, isSecretName } from './validation.js';
import { isObject } from '../../contract/json.js';

/** Returns the broken rule (e.g. `must be string (got 5)`), or undefined when the value is acceptable. */
export type SimpleCheck = (value: unknown) => string | undefined;

function hasType(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    default:
      return true;
  }
}

/** Compiles the `type`/`enum` check of the commonInput property `name`, once at start-up. */
export function compileSimpleCheck(name: string, schema: JsonSchema): SimpleCheck {
  const got = isSecretName(name) ? (): string => '' : (v: unknown): string => ` (got ${describeValue(v)})`;
  const rawType = schema['type'];
  const types = typeof rawType === 'string' ? [rawType] : Array.isArray(rawType) ? rawType.map(String) : [];
  const allowed = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]) : undefined;
  const allowedJson = allowed?.map((v) => JSON.stringify(v));
  const enumWords = allowed?.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return (value) => {
    if (types.length > 0 && !types.some((t) => hasType(t, value))) {
      return `must be ${types.join(' or ')}${got(value)}`;
    }
    if (allowed !== undefined && allowedJson !== undefined) {
      const ok =
        typeof value === 'object' && value !== null
          ? allowedJson.includes(JSON.stringify(value))
          : allowed.includes(value);
      if (!ok) return `must be one of ${enumWords ?? ''}${got(value)}`;
    }
    return undefined;
  };
}
