/**
 * References into the middle of an operation or a component (OpenAPI 3.1 §4.8.23: a Reference Object may point
 * anywhere in the document — `#/paths/~1keys/get/responses/401/content/application~1json/schema`,
 * `#/components/parameters/PerPage/schema`, `#/paths/~1keys/get/parameters/0`) are written by openapi-typescript as
 * indexed access into its own types, which do not have those keys (its `content` maps media types straight to the
 * schema's type; path parameters sit in an optional `query`), so `tsc` refuses the file (TS2339; published
 * DigitalOcean and PagerDuty descriptions do this hundreds of times). Before the types are rendered, each such target
 * is copied once into `components` under a generated name and the reference points there: the same types, reached
 * through names openapi-typescript indexes correctly. Literal values (examples, defaults) are never touched.
 */
import { pointerTokens, resolvePointer } from '../../contract/pointer.js';
import { visitStructure } from '../../contract/structure.js';
import { type JsonObject, isObject } from '../schema/json.js';

/** Component kinds a reference may point at whole (`#/components/<kind>/<name>`): openapi-typescript handles those. */
const WHOLE_COMPONENT = /^#\/components\/[^/]+\/[^/]+$/;

/** Maps of named objects inside an operation whose entries have a `components` section of their own. */
const NAMED_SECTIONS = new Set(['headers', 'examples', 'links']);

type Section = 'parameters' | 'responses' | 'requestBodies' | 'headers' | 'examples' | 'links' | 'schemas';

/** The `components` section a hoisted target belongs in, from where it stood. */
function kindOf(tokens: readonly string[]): Section {
  const parent = tokens.at(-2);
  const last = tokens.at(-1);
  if (parent === 'parameters' && last !== undefined && /^\d+$/.test(last)) return 'parameters';
  if (parent === 'responses' && tokens.length >= 4 && tokens[0] === 'paths') return 'responses';
  if (last === 'requestBody') return 'requestBodies';
  // A header, example or link of a response or media type (not a schema property called `headers`).
  if (parent !== undefined && NAMED_SECTIONS.has(parent) && tokens.at(-3) !== 'properties') return parent as Section;
  return 'schemas';
}

/** Every `$ref` holder of `node` outside literal values (load.ts decides what is data, what a name). */
function referenceHolders(node: unknown, found: JsonObject[]): void {
  visitStructure(node, (object) => {
    if (typeof object['$ref'] === 'string') found.push(object);
  });
}

/**
 * Rewrites, in place, every local reference of `document` that points inside an operation or a component to a
 * copy of its target under `components`; returns how many targets were copied.
 */
export function hoistInnerReferences(document: JsonObject): number {
  const components = (isObject(document['components']) ? document['components'] : {}) as JsonObject;
  document['components'] = components;
  const hoisted = new Map<string, string>();
  let pending: unknown = document;
  while (pending !== undefined) {
    const holders: JsonObject[] = [];
    referenceHolders(pending, holders);
    const copies: unknown[] = [];
    for (const holder of holders) {
      const ref = holder['$ref'] as string;
      if (!ref.startsWith('#/') || WHOLE_COMPONENT.test(ref)) continue;
      let target = hoisted.get(ref);
      if (target === undefined) {
        let value: unknown;
        try {
          value = resolvePointer(document, ref);
        } catch {
          continue; // Left for openapi-typescript to report, as before.
        }
        const kind = kindOf(pointerTokens(ref));
        const section = (isObject(components[kind]) ? components[kind] : {}) as JsonObject;
        components[kind] = section;
        let name = `FinmcpHoisted${hoisted.size + 1}`;
        while (name in section) name = `${name}_`;
        const copy = structuredClone(value);
        section[name] = copy;
        copies.push(copy);
        target = `#/components/${kind}/${name}`;
        hoisted.set(ref, target);
      }
      holder['$ref'] = target;
    }
    // A copy may itself hold references into operations: those are rewritten on the next round.
    pending = copies.length === 0 ? undefined : copies;
  }
  return hoisted.size;
}
