/**
 * Pagination detection (a convention, not an OpenAPI keyword: OpenAPI 3.1 §4.8.12 query parameters plus response
 * fields). Cursor style: a `cursor`/`after`/`page_token`-like query parameter, with the response field carrying the
 * next cursor (`nextCursor`, `next_cursor`, `next`…) found at most two levels deep. Page style: a `page` query
 * parameter. Both pick up a page-size parameter (`per_page`, `page_size`, `limit`…).
 */
import type { JsonSchema, PaginationBinding, ParameterBinding } from '../../contract/descriptor.js';
import { isObject } from '../schema/json.js';

/** Query parameters that carry a cursor. */
const CURSOR_PARAM =
  /^(cursor|after|starting_?after|page_?token|next_?token|continuation_?token|page_?cursor|next_?cursor)$/i;
/** Query parameters that carry a page number. */
const PAGE_PARAM = /^(page|page_?number|page_?no)$/i;
/** Query parameters that carry a page size. */
const SIZE_PARAM = /^(per_?page|page_?size|limit|size|max_?results|page_?limit)$/i;
/** Response fields that carry the next cursor, best first. */
const NEXT_FIELDS = [
  /^next_?cursor$/i,
  /^next_?page_?token$/i,
  /^next_?token$/i,
  /^next_?page_?cursor$/i,
  /^(next|next_?after)$/i,
  /^(cursor|after)$/i,
];

/** Depth of the search for the next-cursor field. */
const MAX_DEPTH = 2;

/** The dotted path of the next-cursor field in an output schema (breadth-first, best pattern first). */
export function findNextCursorField(output: JsonSchema): string | undefined {
  let level: Array<{ path: string[]; schema: JsonSchema }> = [{ path: [], schema: output }];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth += 1) {
    const next: typeof level = [];
    for (const pattern of NEXT_FIELDS) {
      for (const { path, schema } of level) {
        const properties = isObject(schema['properties']) ? schema['properties'] : {};
        const hit = Object.keys(properties).find((name) => pattern.test(name));
        if (hit !== undefined && !isObject((properties[hit] as JsonSchema | undefined)?.['properties'])) {
          return [...path, hit].join('.');
        }
      }
    }
    for (const { path, schema } of level) {
      const properties = isObject(schema['properties']) ? schema['properties'] : {};
      for (const [name, child] of Object.entries(properties)) {
        if (isObject(child)) next.push({ path: [...path, name], schema: child });
      }
    }
    level = next;
  }
  return undefined;
}

/** The pagination a tool supports, from its query parameter bindings and output schema. */
export function detectPagination(
  parameters: readonly ParameterBinding[],
  output: JsonSchema,
): PaginationBinding | undefined {
  const query = parameters.filter((p) => p.in === 'query');
  const size = query.find((p) => SIZE_PARAM.test(p.name));
  const cursor = query.find((p) => CURSOR_PARAM.test(p.name));
  if (cursor !== undefined) {
    const pagination: PaginationBinding = { style: 'cursor', inputProperty: cursor.property };
    if (size !== undefined) pagination.sizeProperty = size.property;
    const nextCursorField = findNextCursorField(output);
    if (nextCursorField !== undefined) pagination.nextCursorField = nextCursorField;
    return pagination;
  }
  const page = query.find((p) => PAGE_PARAM.test(p.name));
  if (page !== undefined) {
    const pagination: PaginationBinding = { style: 'page', inputProperty: page.property };
    if (size !== undefined) pagination.sizeProperty = size.property;
    return pagination;
  }
  return undefined;
}
