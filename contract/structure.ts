/**
 * Which parts of an OpenAPI document are structure and which are data: a `$ref` inside a literal value
 * (`example`, `default`, `const`, `enum`, a schema's `examples`, an Example Object's `value`) is data, never a
 * reference (OpenAPI 3.1 §4.8.23 applies to Reference Objects, §4.8.19 Example Object `value` is literal). Shared
 * by the generator's loader (parse/load.ts) and the sandbox's preparation of a spec for Prism.
 */
import { type JsonObject, isObject } from './json.js';
import { escapePointerToken } from './pointer.js';

/** Keywords whose value is data, never a schema or a reference. */
export const LITERAL_KEYWORDS: ReadonlySet<string> = new Set(['example', 'default', 'const', 'enum']);

/**
 * Maps whose keys are names chosen by the author, not keywords: a property called `default` or `example`, the
 * `default` response.
 */
const NAME_MAPS: ReadonlySet<string> = new Set([
  'properties',
  'patternProperties',
  'dependentSchemas',
  '$defs',
  'definitions',
  'paths',
  'responses',
  'callbacks',
  'schemas',
  'parameters',
  'headers',
  'requestBodies',
  'securitySchemes',
  'links',
  'pathItems',
  'content',
  'encoding',
  'variables',
  'mapping',
  'webhooks',
]);

/** What {@link visitStructure} is at: a name map's keys are names, an Example Object's `value` is data. */
type Place = 'structure' | 'names' | 'example';

/**
 * Calls `visit` on every object of `node` outside literal values (a `$ref`-shaped key inside one is data), with its
 * JSON pointer (RFC 6901) from `node`. Each object visited is the document's own (an Example Object too: only its
 * `value` is skipped), so a visitor may change it in place.
 */
export function visitStructure(node: unknown, visit: (object: JsonObject, pointer: string) => void): void {
  const stack: Array<{ value: unknown; place: Place; pointer: string }> = [
    { value: node, place: 'structure', pointer: '#' },
  ];
  while (stack.length > 0) {
    const { value: current, place, pointer } = stack.pop() as (typeof stack)[number];
    if (Array.isArray(current)) {
      for (const [i, item] of current.entries())
        stack.push({ value: item, place: 'structure', pointer: `${pointer}/${i}` });
      continue;
    }
    if (!isObject(current)) continue;
    if (place !== 'names') visit(current, pointer);
    for (const [key, value] of Object.entries(current)) {
      if (typeof value !== 'object' || value === null) continue;
      const at = `${pointer}/${escapePointerToken(key)}`;
      if (place === 'names') {
        stack.push({ value, place: 'structure', pointer: at });
        continue;
      }
      if (LITERAL_KEYWORDS.has(key) || (place === 'example' && key === 'value')) continue;
      if (key === 'examples') {
        // A schema's `examples` is a list of values; elsewhere a map of Example Objects, whose `value` is data.
        if (Array.isArray(value)) continue;
        for (const [name, example] of Object.entries(value))
          stack.push({ value: example, place: 'example', pointer: `${at}/${escapePointerToken(name)}` });
        continue;
      }
      stack.push({ value, place: NAME_MAPS.has(key) && !Array.isArray(value) ? 'names' : 'structure', pointer: at });
    }
  }
}
