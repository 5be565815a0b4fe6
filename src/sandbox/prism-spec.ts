/**
 * The document Prism is handed: the spec itself when Prism reads it quickly, else a prepared copy in which every
 * reference chain is cut at a depth. Why: Prism's CLI dereferences the whole document
 * (@stoplight/json-schema-ref-parser 9, whose crawl walks a shared schema again for every path that reaches it; the
 * upstream parser's fix is APIDevTools/json-schema-ref-parser#380) and then `decycle`s it (which expands every
 * reference that is not an ancestor): both cost the size of the document's *tree unfolding*, which is
 * exponential in a densely linked spec. Stripe's 2.5 MB description unfolds to over a million nodes for every one of
 * its 452 operations, and Prism had not answered after 10 minutes.
 *
 * The copy keeps every operation, parameter, body and response as written; each reference is replaced by a copy of
 * its target made for the depth it is reached at (`x-finmcp-prism/<depth>/<name>`), and a reference reached deeper than
 * the limit becomes a schema that accepts anything, with an `example`: the smallest valid instance of the schema it
 * stood for (its required properties, by Prism's own sampler), which is what Prism then answers with there — so
 * generated bodies still match the spec's responses. The depth is the largest
 * whose unfolding stays within a node budget, so bodies and parameters near the operation — what a request carries
 * and what Prism's sampler emits — are validated and generated as the spec says, and only deep, recursive corners are
 * left open. Reusable parts (`components`, Swagger 2.0's `definitions`, …) are removed from their old place, where
 * nothing reaches them any more; security schemes stay. Literal values (`example`, `default`, …,
 * contract/structure.ts) are never touched. A spec whose references point into other files
 * is handed over as it is (Prism resolves those itself).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { sample } from '@stoplight/json-schema-sampler';
import { parse as parseYaml } from 'yaml';
import { type JsonObject, isObject } from '../../contract/json.js';
import { pointerTokens, resolvePointer } from '../../contract/pointer.js';
import { visitStructure } from '../../contract/structure.js';

/** Where the per-depth copies of reference targets live in a prepared document (an OpenAPI extension key). */
export const COPIES_KEY = 'x-finmcp-prism';

/**
 * How many nodes Prism's loader may have to walk (objects and arrays of the unfolded document). Measured on the
 * 2-core machine at a load average of 22: Stripe cut at depth 1 (57 k nodes) answered after 15 s, at depth 2 (307 k;
 * 430 k with the examples cut references get) after 26 s, at depth 3 (2.65 M) not within 5 minutes; uncut, each of
 * its operations alone unfolds into more than a million.
 */
const DEFAULT_NODE_BUDGET = 500_000;

/** A prepared copy is never cut shallower than this (a reference from an operation always reaches its target). */
const MIN_DEPTH = 1;
/** Deeper limits are not tried: a spec that fits at this depth is far from its budget's worry. */
const MAX_DEPTH = 12;

/**
 * The number of objects and arrays Prism's dereference-then-decycle walks for `document`: every value, each local
 * `$ref` expanded in place unless its target is already being expanded above it (a cycle, which decycle keeps as a
 * reference). Counting stops once it passes `cap`. Like Prism, it follows `$ref`-shaped keys everywhere.
 */
export function unfoldedSize(document: unknown, cap: number): number {
  let count = 0;
  const expanding = new Set<string>();
  // Entries are values to walk, or the reference whose expansion ends there.
  const stack: Array<{ value: unknown } | { leave: string }> = [{ value: document }];
  while (stack.length > 0 && count <= cap) {
    const entry = stack.pop() as { value: unknown } | { leave: string };
    if ('leave' in entry) {
      expanding.delete(entry.leave);
      continue;
    }
    const value = entry.value;
    if (typeof value !== 'object' || value === null) continue;
    count += 1;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#')) {
      if (expanding.has(ref)) continue;
      const target = tryResolve(document, ref);
      if (target === undefined) continue;
      expanding.add(ref);
      stack.push({ leave: ref }, { value: target });
      continue;
    }
    for (const child of Object.values(value))
      if (typeof child === 'object' && child !== null) stack.push({ value: child });
  }
  return count;
}

function tryResolve(document: unknown, ref: string): unknown {
  try {
    return resolvePointer(document, ref);
  } catch {
    return undefined;
  }
}

/** Where OpenAPI 3.x and Swagger 2.0 keep reusable schemas: only a cut reference to one of those gets an example. */
const SCHEMA_HOMES = /^#\/(components\/schemas|definitions)\/[^/]+$/;

/**
 * The smallest instance of the schema at `ref` that Prism's sampler (@stoplight/json-schema-sampler, the one
 * `prism mock` answers with) makes: required properties only, first branch of a `oneOf`/`anyOf`. Undefined when
 * the schema is too large to sample.
 */
function smallestInstance(document: JsonObject, ref: string): unknown {
  try {
    return sample({ $ref: ref }, { skipNonRequired: true, skipWriteOnly: true, quiet: true }, document);
  } catch {
    return undefined;
  }
}

/** The `$ref` holders of `node` outside literal values. */
function references(node: unknown): JsonObject[] {
  const found: JsonObject[] = [];
  visitStructure(node, (object) => {
    if (typeof object['$ref'] === 'string') found.push(object);
  });
  return found;
}

/** A pointer-safe, readable name for a target's copy: its last token, made unique. */
function copyName(ref: string, taken: Set<string>): string {
  const last = pointerTokens(ref).at(-1) ?? 'root';
  const base = last.replace(/[^A-Za-z0-9_.-]/g, '_') || 'ref';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}.${n}`;
  taken.add(name);
  return name;
}

/**
 * A copy of `document` in which no chain of references is longer than `depth`: see the header. `document` is not
 * changed. References that do not resolve, or point into other files, are left as they are.
 */
export function depthLimited(document: JsonObject, depth: number): JsonObject {
  const result = structuredClone(document);
  const copies: Record<string, JsonObject> = {};
  const names = new Map<string, string>();
  const takenAt = new Map<number, Set<string>>();
  const pending: Array<{ node: unknown; level: number }> = [];

  /** The pointer of `ref`'s target copy for `level`, made (and queued for rewriting) on first use. */
  const copyAt = (ref: string, level: number): string | undefined => {
    const key = `${level} ${ref}`;
    let name = names.get(key);
    if (name === undefined) {
      const target = tryResolve(document, ref);
      if (target === undefined) return undefined;
      const taken = takenAt.get(level) ?? new Set<string>();
      takenAt.set(level, taken);
      name = copyName(ref, taken);
      names.set(key, name);
      const copy = structuredClone(target);
      copies[String(level)] ??= {};
      (copies[String(level)] as JsonObject)[name] = copy;
      pending.push({ node: copy, level });
    }
    return `#/${COPIES_KEY}/${level}/${name}`;
  };
  const rewrite = (node: unknown, level: number): void => {
    for (const holder of references(node)) {
      const ref = holder['$ref'] as string;
      if (!ref.startsWith('#')) continue;
      if (level >= depth) {
        cut(holder, ref);
        continue;
      }
      const pointer = copyAt(ref, level + 1);
      if (pointer !== undefined) holder['$ref'] = pointer;
    }
  };

  const samples = new Map<string, unknown>();
  /** Replaces a reference reached too deep by an open schema whose example is its target's smallest instance. */
  const cut = (holder: JsonObject, ref: string): void => {
    if (tryResolve(document, ref) === undefined) return;
    delete holder['$ref'];
    if (!SCHEMA_HOMES.test(ref) || 'example' in holder) return;
    if (!samples.has(ref)) samples.set(ref, smallestInstance(document, ref));
    const example = samples.get(ref);
    if (example !== undefined) holder['example'] = example;
  };
  dropReusable(result, literalReferences(document));
  rewrite(result, 0);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) rewrite(next.node, next.level);
  result[COPIES_KEY] = copies;
  return result;
}

/** Sections of reusable parts (OpenAPI 3.x `components`, Swagger 2.0's root maps), reached only through `$ref`s. */
const REUSABLE_SECTIONS: ReadonlyArray<readonly string[]> = [['definitions'], ['parameters'], ['responses']];

/**
 * Removes every reusable part from `document` (their copies replace them, and an unused one is only weight), but
 * security schemes (named, not referenced) and the parts a `$ref` inside a literal value names (Prism resolves
 * those too).
 */
function dropReusable(document: JsonObject, keep: Set<string>): void {
  const components = isObject(document['components']) ? document['components'] : {};
  const sections = [
    ...Object.keys(components)
      .filter((name) => name !== 'securitySchemes' && !name.startsWith('x-'))
      .map((name) => ['components', name]),
    ...REUSABLE_SECTIONS,
  ];
  for (const path of sections) {
    const section = tryResolve(document, `#/${path.map(escapeToken).join('/')}`);
    if (!isObject(section)) continue;
    for (const name of Object.keys(section)) {
      const tokens = [...path, name];
      const named =
        keep.has(`#/${tokens.map(escapeToken).join('/')}`) || keep.has(`#/${tokens.map(plainToken).join('/')}`);
      if (!named) delete section[name];
    }
  }
}

/** The references held inside literal values of `document` (`$ref`-shaped keys of examples, defaults, …). */
function literalReferences(document: unknown): Set<string> {
  const structural = new Set(references(document));
  const found = new Set<string>();
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && !structural.has(value as JsonObject)) found.add(ref);
    stack.push(...Object.values(value));
  }
  return found;
}

/** A pointer token as RFC 6901 §3 escapes it. */
function plainToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A pointer token escaped for a URI fragment (RFC 6901 §6), as contract/pointer.ts reads it. */
function escapeToken(token: string): string {
  return encodeURIComponent(plainToken(token));
}

/** What {@link prismSpecFile} decided. */
export interface PrismSpec {
  /** The file to hand Prism. */
  file: string;
  /** The depth references were cut at; undefined when `file` is the spec itself. */
  depth?: number;
  /** Nodes Prism's loader walks in `file` (capped just above the budget); undefined for a copy made earlier. */
  nodes?: number;
}

/** Options of {@link prismSpecFile}. */
export interface PrismSpecOptions {
  /** Where prepared copies are written (made if missing); a copy is reused while the spec's text is unchanged. */
  cacheDir: string;
  /** Default {@link DEFAULT_NODE_BUDGET}. */
  budget?: number;
}

/** The largest depth (from {@link MIN_DEPTH}) whose copy unfolds within `budget`, and that copy. */
function fittingCopy(document: JsonObject, budget: number): { copy: JsonObject; depth: number; nodes: number } {
  let best = { copy: depthLimited(document, MIN_DEPTH), depth: MIN_DEPTH, nodes: 0 };
  best.nodes = unfoldedSize(best.copy, budget);
  for (let depth = MIN_DEPTH + 1; depth <= MAX_DEPTH && best.nodes <= budget; depth++) {
    const copy = depthLimited(document, depth);
    const nodes = unfoldedSize(copy, budget);
    if (nodes > budget) break;
    best = { copy, depth, nodes };
  }
  return best;
}

/** Parses a spec file's text (JSON, or YAML with aliases allowed as the generator reads it). */
function parseSpec(file: string, text: string): unknown {
  return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 });
}

/** Whether a structural reference of `document` points into another file (Prism must then read the original). */
function pointsElsewhere(document: unknown): boolean {
  return references(document).some((holder) => !(holder['$ref'] as string).startsWith('#'));
}

/**
 * The file to hand Prism for `specFile`: the spec itself when its unfolding fits the budget (or it is split over
 * files), else a prepared copy written to `cacheDir` (see the header).
 */
export function prismSpecFile(specFile: string, options: PrismSpecOptions): PrismSpec {
  const budget = options.budget ?? DEFAULT_NODE_BUDGET;
  const text = readFileSync(specFile, 'utf8');
  const document = parseSpec(specFile, text);
  if (!isObject(document) || pointsElsewhere(document)) return { file: specFile };
  const nodes = unfoldedSize(document, budget);
  if (nodes <= budget) return { file: specFile, nodes };
  const digest = createHash('sha256').update(text).update(`\0${budget}`).digest('hex').slice(0, 16);
  const cached = readCached(options.cacheDir, `prism-${digest}-`);
  if (cached !== undefined) return cached;
  const { copy, depth, nodes: fitted } = fittingCopy(document, budget);
  const file = join(options.cacheDir, `prism-${digest}-depth${depth}.json`);
  mkdirSync(options.cacheDir, { recursive: true });
  // Written whole under another name first, so that a concurrent start never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(copy));
  renameSync(partial, file);
  return { file, depth, nodes: fitted };
}

/** A copy written earlier for the same text and budget (its name records the depth). */
function readCached(cacheDir: string, prefix: string): PrismSpec | undefined {
  if (!existsSync(cacheDir)) return undefined;
  const match = readdirSync(cacheDir)
    .map((name) => new RegExp(`^${prefix}depth(\\d+)\\.json$`).exec(name))
    .find((found) => found !== null);
  return match ? { file: join(cacheDir, match[0]), depth: Number(match[1]) } : undefined;
}
