import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compileResponseShaper, minItemsAt } from '../../src/core/large-response.js';
import type { JsonSchema, PaginationBinding } from '../../contract/descriptor.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });

const listSchema: JsonSchema = {
  type: 'object',
  required: ['items', 'total'],
  properties: {
    items: { type: 'array', minItems: 1, items: { $ref: '#/$defs/Invoice' } },
    total: { type: 'integer' },
    nextCursor: { type: ['string', 'null'] },
  },
  $defs: {
    Invoice: {
      type: 'object',
      required: ['id', 'memo'],
      properties: { id: { type: 'integer' }, memo: { type: 'string' } },
    },
  },
};

function replaceAt(root: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[path[path.length - 1] as string] = value;
  return copy;
}

function invoices(n: number, memo = 'x'.repeat(100)): Array<{ id: number; memo: string }> {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, memo }));
}

describe('cutting large results', () => {
  const cases: Array<{
    given: string;
    schema: JsonSchema;
    structured: Record<string, unknown>;
    maxBytes: number;
    pagination?: PaginationBinding;
    /** Path of the array expected to be cut. */
    path: string[];
    want: { total: number; minItems: number; hint: (shown: number) => string };
  }> = [
    {
      given: 'a list over budget, with a page size to resume with',
      schema: listSchema,
      structured: { items: invoices(100), total: 100, nextCursor: 'c2' },
      maxBytes: 2000,
      pagination: { style: 'cursor', inputProperty: 'cursor', sizeProperty: 'limit', nextCursorField: 'nextCursor' },
      path: ['items'],
      want: {
        total: 100,
        minItems: 1,
        hint: (n) => `call again with \`limit: ${n}\` and the same \`cursor\`, then follow the next cursor`,
      },
    },
    {
      given: 'multi-byte text counted in bytes, not characters',
      schema: listSchema,
      structured: { items: invoices(50, 'é'.repeat(100)), total: 50 },
      maxBytes: 2000,
      path: ['items'],
      want: {
        total: 50,
        minItems: 1,
        hint: (n) => `narrow the request with filters (items ${n + 1}–50 cannot be shown)`,
      },
    },
    {
      given: 'minItems respected even when one item is over budget',
      schema: listSchema,
      structured: { items: invoices(3, 'y'.repeat(5000)), total: 3 },
      maxBytes: 1000,
      path: ['items'],
      want: { total: 3, minItems: 1, hint: () => 'narrow the request with filters (items 2–3 cannot be shown)' },
    },
    {
      given: 'a nested array behind $ref and allOf',
      schema: {
        type: 'object',
        properties: { data: { allOf: [{ $ref: '#/$defs/Page' }] } },
        $defs: {
          Page: { type: 'object', properties: { rows: { type: 'array', minItems: 2, items: { type: 'string' } } } },
        },
      },
      structured: { data: { rows: Array.from({ length: 1000 }, (_, i) => `row-${i}`), meta: 'kept' } },
      maxBytes: 500,
      pagination: { style: 'page', inputProperty: 'page', sizeProperty: 'per_page' },
      path: ['data', 'rows'],
      want: {
        total: 1000,
        minItems: 2,
        hint: (n) => `call again with \`per_page: ${n}\` and \`page\` counted for that page size`,
      },
    },
  ];

  it.each(cases)('$given', ({ schema, structured, maxBytes, pagination, path, want }) => {
    const shape = compileResponseShaper(schema, pagination, maxBytes);
    const before = JSON.stringify(structured);
    const out = shape(structured, {});
    const shown = out.truncated?.shown ?? -1;
    expect(out.truncated).toEqual({ shown, total: want.total, hint: want.hint(shown) });
    expect(out.notes[0]).toBe(
      `Showing ${shown} of ${want.total} items; the response was cut at ${maxBytes} bytes. To get the rest, ${want.hint(shown)}.`,
    );
    // Still valid against the output schema, the JSON is the structured content, the input is untouched.
    expect(ajv.validate(schema, out.structured)).toBe(true);
    expect(JSON.parse(out.json)).toEqual(out.structured);
    expect(JSON.stringify(structured)).toBe(before);
    // The longest prefix that fits was kept (or minItems, when not even that fits).
    const full = path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], structured) as unknown[];
    const withItems = (n: number): number =>
      Buffer.byteLength(JSON.stringify(replaceAt(structured, path, full.slice(0, n))));
    if (shown > want.minItems) {
      expect(withItems(shown)).toBeLessThanOrEqual(maxBytes);
      expect(withItems(shown + 1)).toBeGreaterThan(maxBytes);
    } else {
      expect(shown).toBe(want.minItems);
    }
  });

  it('leaves results under budget alone (same object, no note)', () => {
    const structured = { items: invoices(3), total: 3 };
    const out = compileResponseShaper(listSchema, undefined, 200_000)(structured, {});
    expect(out.structured).toBe(structured);
    expect(out.json).toBe(JSON.stringify(structured));
    expect(out.notes).toEqual([]);
    expect(out.truncated).toBeUndefined();
  });

  it('cuts several arrays when one is not enough', () => {
    const schema: JsonSchema = { type: 'object' };
    const structured = {
      a: Array.from({ length: 200 }, () => 'aaaaaaaaaa'),
      b: Array.from({ length: 150 }, () => 'bbbbbbbbbb'),
    };
    const out = compileResponseShaper(schema, undefined, 1000)(structured, {});
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(1000);
    expect(out.truncated?.total).toBe(200);
  });
});

describe("the text block reuses the backend's JSON text", () => {
  const structured = { items: [{ id: 1, name: 'ü' }], total: 1 };
  const cases: Array<{ given: string; received: string | undefined; want: 'reused' | 'serialized' }> = [
    { given: 'compact JSON as received', received: '{"items":[{"id":1,"name":"ü"}],"total":1}', want: 'reused' },
    { given: 'spaces but no line breaks', received: '{"items": [{"id": 1, "name": "ü"}], "total": 1}', want: 'reused' },
    {
      given: 'pretty-printed JSON (costs tokens)',
      received: '{\n  "items": [{ "id": 1, "name": "ü" }],\n  "total": 1\n}',
      want: 'serialized',
    },
    { given: 'no received text', received: undefined, want: 'serialized' },
  ];
  it.each(cases)('$given → $want', ({ received, want }) => {
    const out = compileResponseShaper(listSchema, undefined, 200_000)(structured, {}, received);
    expect(out.json).toBe(want === 'reused' ? received : JSON.stringify(structured));
    expect(JSON.parse(out.json)).toEqual(structured);
  });

  it('serializes the cut result, not the received text, when it had to cut', () => {
    const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'x'.repeat(50) })), total: 200 };
    const out = compileResponseShaper(listSchema, undefined, 2000)(big, {}, JSON.stringify(big));
    expect(out.truncated).toBeDefined();
    expect(out.json).toBe(JSON.stringify(out.structured));
  });
});

describe('paging notes', () => {
  const cases: Array<{
    given: string;
    pagination: PaginationBinding;
    structured: Record<string, unknown>;
    args: Record<string, unknown>;
    want: string | undefined;
  }> = [
    {
      given: 'cursor present',
      pagination: { style: 'cursor', inputProperty: 'cursor', nextCursorField: 'meta.next_cursor' },
      structured: { items: [], meta: { next_cursor: 'abc' } },
      args: {},
      want: 'More results are available: call again with `cursor: "abc"` (other arguments unchanged) for the next page.',
    },
    {
      given: 'cursor null on the last page',
      pagination: { style: 'cursor', inputProperty: 'cursor', nextCursorField: 'nextCursor' },
      structured: { items: [], nextCursor: null },
      args: {},
      want: undefined,
    },
    {
      given: 'page style with hasMore',
      pagination: { style: 'page', inputProperty: 'page' },
      structured: { items: [1], pagination: { hasMore: true } },
      args: { page: 2 },
      want: 'This is page 2; more results are available: call again with `page: 3` (other arguments unchanged).',
    },
    {
      given: 'page style with the page and page count in the body',
      pagination: { style: 'page', inputProperty: 'page', sizeProperty: 'per_page' },
      structured: { items: [1], page: 4, per_page: 20, pages: 9 },
      args: {},
      want: 'This is page 4; more results are available: call again with `page: 5` (other arguments unchanged).',
    },
    {
      given: 'page style on the last page by totalPages',
      pagination: { style: 'page', inputProperty: 'page' },
      structured: { items: [1], totalPages: 2 },
      args: { page: 2 },
      want: undefined,
    },
    {
      given: 'page style with a full page and no other signal',
      pagination: { style: 'page', inputProperty: 'p', sizeProperty: 'size' },
      structured: { items: [1, 2, 3] },
      args: { size: 3 },
      want: 'This is page 1; more results are available: call again with `p: 2` (other arguments unchanged).',
    },
    {
      given: 'page style with a short page',
      pagination: { style: 'page', inputProperty: 'p', sizeProperty: 'size' },
      structured: { items: [1, 2] },
      args: { size: 3 },
      want: undefined,
    },
  ];
  it.each(cases)('$given', ({ pagination, structured, args, want }) => {
    const out = compileResponseShaper({ type: 'object' }, pagination, 200_000)(structured, args);
    expect(out.notes).toEqual(want === undefined ? [] : [want]);
  });
});

describe('minItemsAt', () => {
  const cases = [
    { given: ['items'], want: 1 },
    { given: ['missing'], want: 0 },
    { given: [], want: 0 },
  ];
  it.each(cases)('$given → $want', ({ given, want }) => {
    expect(minItemsAt(listSchema, given)).toBe(want);
  });
});
