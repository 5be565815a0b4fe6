/**
 * JSON Schema (2020-12, as the generator writes tool schemas) → TypeScript type text, for code mode's API
 * declarations. A served tool's `inputSchema` is exactly what `api.<tool>(args)` accepts (bound properties already
 * removed, common input added) and its `outputSchema` exactly what the call resolves to (the structured content),
 * so both are printed from those schemas — the ones the generator wrote into generated/<backend>/ and the
 * overrides adjusted — rather than from the spec's raw request/response types, which differ in shape (flattened
 * parameters, wrapped bodies). Keywords with no TypeScript counterpart (formats, patterns, bounds) go into the
 * JSDoc comment of the property so the model still reads them; `$ref: '#/$defs/X'` becomes a named type `X` whose
 * declaration the caller prints once.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from '../../contract/json.js';

/** Deepest nesting printed; anything deeper is `unknown` (tool schemas are far shallower). */
const MAX_DEPTH = 12;

/** A valid identifier is printed bare, anything else quoted. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The name a `$defs` entry is declared under (a TypeScript identifier). */
function defTypeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** `#/$defs/Money` → `Money`; other references are not followed. */
function refName(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  return match === null
    ? undefined
    : defTypeName(
        decodeURIComponent(match[1] as string)
          .replace(/~1/g, '/')
          .replace(/~0/g, '~'),
      );
}

/** The constraints a TypeScript type cannot say, for a comment. */
function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  for (const key of [
    'format',
    'pattern',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'default',
  ]) {
    if (schema[key] !== undefined) out.push(`${key}: ${JSON.stringify(schema[key])}`);
  }
  return out;
}

/** One JSDoc block (indented), or nothing when there is nothing to say. */
export function jsDoc(description: unknown, extra: readonly string[], indent: string): string {
  const lines: string[] = [];
  if (typeof description === 'string' && description.trim() !== '') lines.push(...description.trim().split('\n'));
  if (extra.length > 0) lines.push(extra.join('; '));
  if (lines.length === 0) return '';
  // `*/` inside a description would end the comment early.
  const safe = lines.map((line) => line.replace(/\*\//g, '*\\/').trimEnd());
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function literal(value: unknown): string {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) ? JSON.stringify(value) : 'unknown';
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function objectType(schema: JsonSchema, depth: number, indent: string, docs: boolean): string {
  const props = isObject(schema['properties']) ? (schema['properties'] as Record<string, JsonSchema>) : {};
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
  const inner = `${indent}  `;
  const members: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const doc = docs && isObject(prop) ? jsDoc(prop['description'], constraints(prop), inner) : '';
    members.push(`${doc}${inner}${key}${required.has(name) ? '' : '?'}: ${typeText(prop, depth + 1, inner, docs)};`);
  }
  const extra = schema['additionalProperties'];
  if (extra !== undefined && extra !== false) {
    members.push(
      `${inner}[key: string]: ${extra === true || !isObject(extra) ? 'unknown' : typeText(extra as JsonSchema, depth + 1, inner)};`,
    );
  } else if (Object.keys(props).length === 0 && extra === undefined) {
    members.push(`${inner}[key: string]: unknown;`);
  }
  return members.length === 0 ? '{}' : `{\n${members.join('\n')}\n${indent}}`;
}

function singleType(type: string, schema: JsonSchema, depth: number, indent: string, docs: boolean): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const items = schema['items'];
      const item = isObject(items) ? typeText(items as JsonSchema, depth + 1, indent, docs) : 'unknown';
      return /^[A-Za-z0-9_$]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectType(schema, depth, indent, docs);
    default:
      return 'unknown';
  }
}

/**
 * The TypeScript type of `schema`; nested objects are printed inline, indented from `indent`. With `docs`, each
 * property carries its description and constraints as JSDoc (arguments); without, only the shape (results, which
 * the model reads rather than writes, and which would otherwise dominate what search_api returns).
 */
export function typeText(schema: unknown, depth = 0, indent = '', docs = true): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  if (!isObject(schema) || depth > MAX_DEPTH) return 'unknown';
  const s = schema as JsonSchema;
  const ref = refName(s['$ref']);
  if (ref !== undefined) return ref;
  if ('const' in s) return literal(s['const']);
  if (Array.isArray(s['enum'])) return union(s['enum'].map(literal));
  const alternatives = Array.isArray(s['anyOf']) ? s['anyOf'] : Array.isArray(s['oneOf']) ? s['oneOf'] : undefined;
  if (alternatives !== undefined)
    return union(alternatives.map((alt) => parenthesize(typeText(alt, depth + 1, indent, docs))));
  if (Array.isArray(s['allOf']))
    return s['allOf'].map((part) => parenthesize(typeText(part, depth + 1, indent, docs))).join(' & ');
  const type = s['type'];
  if (Array.isArray(type)) return union(type.map((t) => parenthesize(singleType(String(t), s, depth, indent, docs))));
  if (typeof type === 'string') return singleType(type, s, depth, indent, docs);
  if (isObject(s['properties'])) return objectType(s, depth, indent, docs);
  if (isObject(s['items'])) return singleType('array', s, depth, indent, docs);
  return 'unknown';
}

/** Unions inside arrays and intersections need parentheses; single names and object literals do not. */
function parenthesize(text: string): string {
  return text.includes(' | ') && !text.startsWith('{') ? `(${text})` : text;
}

/** `type X = …;` for every `$defs` entry of a schema. */
export function defDeclarations(schema: JsonSchema): Map<string, string> {
  const out = new Map<string, string>();
  const defs = schema['$defs'];
  if (!isObject(defs)) return out;
  for (const [name, def] of Object.entries(defs)) {
    const doc = isObject(def) ? jsDoc(def['description'], [], '') : '';
    out.set(defTypeName(name), `${doc}type ${defTypeName(name)} = ${typeText(def, 0, '', false)};`);
  }
  return out;
}
