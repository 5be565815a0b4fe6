/**
 * Large tool results: paging notes and size cuts.
 *
 * MCP 2025-11-25 "Tools → Structured Content": `structuredContent` must conform to the tool's `outputSchema`,
 * and the same JSON is also returned as text. Results larger than a budget are cut by dropping trailing items of
 * the largest array (never below its JSON Schema `minItems`, JSON Schema Validation §6.4.2), so the result stays
 * valid; the cut is described in a text note and in `_meta["finmcp/truncated"]` (MCP `_meta`, §"General fields").
 * Paged lists surface the backend's next cursor/page as a note the model can act on.
 */
import type { JsonSchema, PaginationBinding } from '../../contract/descriptor.js';
import { isObject } from '../../contract/json.js';

/** What `_meta["finmcp/truncated"]` holds when a result was cut. */
interface TruncationInfo {
  shown: number;
  total: number;
  hint: string;
}

/** A shaped result: the (possibly cut) structured content, its JSON, and notes for the model. */
interface ShapedOutput {
  structured: Record<string, unknown>;
  json: string;
  notes: string[];
  truncated?: TruncationInfo;
}

/**
 * Shapes one tool's results; compiled once per tool by {@link compileResponseShaper}. `receivedJson` is the
 * backend's own JSON text of `structured`, when it is exactly that: compact JSON (no line breaks) is reused as the
 * text block instead of serializing the same object again.
 */
export type ResponseShaper = (
  structured: Record<string, unknown>,
  args: Record<string, unknown>,
  receivedJson?: string,
) => ShapedOutput;

/** Most arrays tried when the first cut was not enough (several large arrays in one result). */
const MAX_CUT_ROUNDS = 5;
/** How deep arrays are looked for. */
const MAX_DEPTH = 6;

/** Compiles the shaper for one tool: its output schema, pagination and byte budget. */
export function compileResponseShaper(
  outputSchema: JsonSchema,
  pagination: PaginationBinding | undefined,
  maxBytes: number,
): ResponseShaper {
  const cursorPath = pagination?.nextCursorField?.split('.');
  return (structured, args, receivedJson) => {
    // Paging signals are read before any cut (a cut never touches scalars, but keep it obvious).
    const note = pagination === undefined ? undefined : pageNote(pagination, cursorPath, args, structured);
    // Pretty-printed backend JSON would cost the model tokens: only compact text is reused as is.
    let json = receivedJson !== undefined && !receivedJson.includes('\n') ? receivedJson : JSON.stringify(structured);
    const notes: string[] = [];
    let truncated: TruncationInfo | undefined;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most results are known to fit without counting bytes.
    if (json.length * 3 > maxBytes && Buffer.byteLength(json) > maxBytes) {
      const cut = cutToFit(structured, json, maxBytes, outputSchema);
      if (cut !== undefined) {
        structured = cut.structured;
        json = cut.json;
        const hint = resumeHint(pagination, cut.shown, cut.total);
        truncated = { shown: cut.shown, total: cut.total, hint };
        notes.push(
          `Showing ${cut.shown} of ${cut.total} items; the response was cut at ${maxBytes} bytes. To get the rest, ${hint}.`,
        );
      }
    }
    if (note !== undefined) notes.push(note);
    return truncated === undefined ? { structured, json, notes } : { structured, json, notes, truncated };
  };
}

/** How to get what a cut left out, worded for the model. */
function resumeHint(p: PaginationBinding | undefined, shown: number, total: number): string {
  const size = Math.max(1, shown);
  if (p?.sizeProperty !== undefined) {
    return p.style === 'cursor'
      ? `call again with \`${p.sizeProperty}: ${size}\` and the same \`${p.inputProperty}\`, then follow the next cursor`
      : `call again with \`${p.sizeProperty}: ${size}\` and \`${p.inputProperty}\` counted for that page size`;
  }
  if (p !== undefined) {
    return `narrow the request with filters (items ${shown + 1}–${total} of this page cannot be shown), or move on with \`${p.inputProperty}\``;
  }
  return `narrow the request with filters (items ${shown + 1}–${total} cannot be shown)`;
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const MORE_FLAGS = ['hasMore', 'has_more', 'hasNextPage', 'has_next_page', 'more'];
const TOTAL_PAGES = ['totalPages', 'total_pages', 'pageCount', 'page_count', 'pages'];

/** Looks for a "more pages" signal at the top of the body or one object below it. */
function morePages(body: unknown, page: number): boolean | undefined {
  if (!isObject(body)) return undefined;
  const levels: Array<Record<string, unknown>> = [body];
  for (const v of Object.values(body)) {
    if (isObject(v)) levels.push(v);
  }
  for (const o of levels) {
    for (const k of MORE_FLAGS) if (typeof o[k] === 'boolean') return o[k] as boolean;
    for (const k of TOTAL_PAGES) if (typeof o[k] === 'number') return (o[k] as number) > page;
  }
  return undefined;
}

function longestArrayLength(value: unknown): number {
  let best = Array.isArray(value) ? value.length : 0;
  if (isObject(value)) {
    for (const v of Object.values(value)) {
      if (Array.isArray(v) && v.length > best) best = v.length;
    }
  }
  return best;
}

/**
 * The note telling the model how to fetch the next page, when there is one. `nextCursorField` is a path in the
 * output schema, i.e. in `structuredContent`.
 */
function pageNote(
  p: PaginationBinding,
  cursorPath: string[] | undefined,
  args: Record<string, unknown>,
  structured: Record<string, unknown>,
): string | undefined {
  if (cursorPath !== undefined) {
    const next = getPath(structured, cursorPath);
    if (next === undefined || next === null || next === '' || next === false) return undefined;
    return `More results are available: call again with \`${p.inputProperty}: ${JSON.stringify(next)}\` (other arguments unchanged) for the next page.`;
  }
  if (p.style !== 'page') return undefined;
  // The page the backend says it returned, else the one asked for, else the first.
  const echoed = structured[p.inputProperty];
  const asked = args[p.inputProperty];
  const current = typeof echoed === 'number' ? echoed : typeof asked === 'number' ? asked : 1;
  let more = morePages(structured, current);
  if (more === undefined && p.sizeProperty !== undefined && typeof args[p.sizeProperty] === 'number') {
    // A full page suggests there is another one.
    more = longestArrayLength(structured) >= (args[p.sizeProperty] as number);
  }
  if (more !== true) return undefined;
  return `This is page ${current}; more results are available: call again with \`${p.inputProperty}: ${current + 1}\` (other arguments unchanged).`;
}

interface ArrayRef {
  path: string[];
  array: unknown[];
  bytes: number;
}

/** Arrays in the result, with their serialized sizes. Only the slow path (a result over budget) gets here. */
function findArrays(value: unknown, path: string[], depth: number, out: ArrayRef[]): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (value.length > 0) out.push({ path, array: value, bytes: Buffer.byteLength(JSON.stringify(value)) });
    return; // Items of an array are cut as wholes, never inside.
  }
  for (const [k, v] of Object.entries(value)) findArrays(v, [...path, k], depth + 1, out);
}

/** Copies the objects along `path` and puts `replacement` at its end; the original body is left untouched. */
function replaceAt(
  root: Record<string, unknown>,
  path: readonly string[],
  replacement: unknown,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...root };
  let cur = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = { ...(cur[key] as Record<string, unknown>) };
    cur[key] = next;
    cur = next;
  }
  if (path.length > 0) cur[path[path.length - 1] as string] = replacement;
  return copy;
}

/** Cuts the largest arrays until the JSON fits; undefined when nothing could be cut. */
function cutToFit(
  structured: Record<string, unknown>,
  json: string,
  maxBytes: number,
  schema: JsonSchema,
): { structured: Record<string, unknown>; json: string; shown: number; total: number } | undefined {
  let current = structured;
  let currentJson = json;
  let size = Buffer.byteLength(json);
  let first: { shown: number; total: number } | undefined;
  const done = new Set<string>();
  for (let round = 0; round < MAX_CUT_ROUNDS && size > maxBytes; round++) {
    const arrays: ArrayRef[] = [];
    findArrays(current, [], 0, arrays);
    const target = arrays.filter((a) => !done.has(a.path.join('\u0000'))).sort((a, b) => b.bytes - a.bytes)[0];
    if (target === undefined) break;
    done.add(target.path.join('\u0000'));
    const minItems = minItemsAt(schema, target.path);
    // Keep the longest prefix whose bytes fit: everything else in the JSON stays as it is.
    const overhead = size - target.bytes;
    let used = overhead + 2;
    let keep = 0;
    for (const item of target.array) {
      const itemBytes = Buffer.byteLength(JSON.stringify(item) ?? 'null') + (keep > 0 ? 1 : 0);
      if (used + itemBytes > maxBytes) break;
      used += itemBytes;
      keep++;
    }
    keep = Math.max(keep, Math.min(minItems, target.array.length));
    if (keep === target.array.length) continue;
    current = replaceAt(current, target.path, target.array.slice(0, keep));
    currentJson = JSON.stringify(current);
    size = Buffer.byteLength(currentJson);
    first ??= { shown: keep, total: target.array.length };
  }
  return first === undefined ? undefined : { structured: current, json: currentJson, ...first };
}

/** `minItems` of the array at `path` in `schema` (0 when none), following local `$ref`s and `allOf`. */
export function minItemsAt(schema: JsonSchema, path: readonly string[]): number {
  let nodes: JsonSchema[] = [schema];
  for (const key of path) {
    const next: JsonSchema[] = [];
    for (const n of nodes) next.push(...childSchemas(schema, n, key, 0));
    nodes = next;
    if (nodes.length === 0) return 0;
  }
  let min = 0;
  for (const n of expand(schema, nodes, 0)) {
    if (typeof n['minItems'] === 'number' && n['minItems'] > min) min = n['minItems'];
  }
  return min;
}

/** A schema node with its `$ref`, `allOf`, `anyOf` and `oneOf` members, flattened. */
function expand(root: JsonSchema, nodes: JsonSchema[], depth: number): JsonSchema[] {
  if (depth > 16) return nodes;
  const out: JsonSchema[] = [];
  for (const n of nodes) {
    out.push(n);
    const ref = n['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#')) {
      const target = resolvePointer(root, ref.slice(1));
      if (target !== undefined) out.push(...expand(root, [target], depth + 1));
    }
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      const list = n[k];
      if (Array.isArray(list)) out.push(...expand(root, list as JsonSchema[], depth + 1));
    }
  }
  return out;
}

function childSchemas(root: JsonSchema, node: JsonSchema, key: string, depth: number): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const n of expand(root, [node], depth)) {
    const props = n['properties'] as Record<string, JsonSchema> | undefined;
    if (props?.[key] !== undefined) out.push(props[key]);
    else if (n['additionalProperties'] !== null && typeof n['additionalProperties'] === 'object') {
      out.push(n['additionalProperties'] as JsonSchema);
    }
    if (/^\d+$/.test(key) && n['items'] !== null && typeof n['items'] === 'object') out.push(n['items'] as JsonSchema);
  }
  return out;
}

function resolvePointer(root: JsonSchema, pointer: string): JsonSchema | undefined {
  let v: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v !== null && typeof v === 'object' ? (v as JsonSchema) : undefined;
}
