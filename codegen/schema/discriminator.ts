/**
 * OpenAPI 3.1 §4.8.25 Discriminator Object → plain JSON Schema. ajv strict rejects the `discriminator` keyword
 * (unless its own `discriminator` option is on, which also restricts `oneOf`), so the keyword is dropped and its
 * meaning is kept in the schema itself: each `oneOf`/`anyOf` branch gets `const: <tag>` on the tag property, taken
 * from `mapping` or, for a branch without a mapping entry, from the referenced schema's name (the implicit mapping of
 * §4.8.25.2.1). The tags are computed from the RAW branches, before `$ref`s are inlined and their names are lost.
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import { isObject } from './json.js';
import { pointerTokens } from '../../contract/pointer.js';

/** Tag value per branch index of the schema's `oneOf`/`anyOf`, and the tag property. */
export interface DiscriminatorTags {
  propertyName: string;
  keyword: 'oneOf' | 'anyOf';
  /** `undefined` where a branch is inline and unmapped. */
  tags: Array<string | undefined>;
}

/** A mapping value may be a schema name or a reference (§4.8.25.1); normalise to a reference. */
function mappingRef(value: string): string {
  return value.startsWith('#') ? value : `#/components/schemas/${value}`;
}

/** Reads the discriminator of a raw Schema Object; `undefined` when it has none or no `oneOf`/`anyOf` to tag. */
export function discriminatorTags(raw: JsonSchema): DiscriminatorTags | undefined {
  const discriminator = raw['discriminator'];
  if (!isObject(discriminator) || typeof discriminator['propertyName'] !== 'string') return undefined;
  const keyword = Array.isArray(raw['oneOf']) ? 'oneOf' : Array.isArray(raw['anyOf']) ? 'anyOf' : undefined;
  if (keyword === undefined) return undefined;
  const mapping = isObject(discriminator['mapping']) ? discriminator['mapping'] : {};
  const byRef = new Map<string, string>();
  for (const [tag, value] of Object.entries(mapping)) {
    if (typeof value === 'string' && !byRef.has(mappingRef(value))) byRef.set(mappingRef(value), tag);
  }
  const branches = raw[keyword] as unknown[];
  const tags = branches.map((branch): string | undefined => {
    if (!isObject(branch) || typeof branch['$ref'] !== 'string') return undefined;
    const ref = branch['$ref'];
    return byRef.get(ref) ?? pointerTokens(ref).at(-1);
  });
  return { propertyName: discriminator['propertyName'], keyword, tags };
}

/**
 * Adds, in place, `const: <tag>` to the tag property of each converted branch that does not already pin it
 * (`const` or `enum`). A branch that is not a plain object schema (e.g. a `$ref` into `$defs`) is wrapped in
 * `allOf` with a small object schema holding the `const`.
 */
export function applyDiscriminatorTags(schema: JsonSchema, found: DiscriminatorTags): void {
  const branches = schema[found.keyword];
  if (!Array.isArray(branches)) return;
  schema[found.keyword] = branches.map((branch: unknown, i): unknown => {
    const tag = found.tags[i];
    if (tag === undefined || !isObject(branch)) return branch;
    const tagSchema = { const: tag };
    const properties = branch['properties'];
    if (isObject(properties) && !('$ref' in branch)) {
      const current = properties[found.propertyName];
      if (isObject(current) && ('const' in current || 'enum' in current)) return branch;
      const pinned = isObject(current) ? { ...current, ...tagSchema } : tagSchema;
      return { ...branch, properties: { ...properties, [found.propertyName]: pinned } };
    }
    return { allOf: [branch, { type: 'object', properties: { [found.propertyName]: tagSchema } }] };
  });
}
