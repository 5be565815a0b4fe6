/**
 * The spec Prism is handed (src/sandbox/prism-spec.ts): a spec whose references unfold within the budget is the
 * spec itself; a denser one becomes a copy whose reference chains are cut at a depth, keeping operations, literal
 * values and security schemes as written and giving every cut reference its target's smallest instance as example.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COPIES_KEY, depthLimited, prismSpecFile, unfoldedSize } from '../../src/sandbox/prism-spec.js';

type Doc = Record<string, unknown>;

/** An operation answering 200 with JSON of the schema `ref`; `media` adds to its Media Type Object (e.g. examples). */
const ok = (ref: string, media: Doc = {}): Doc => ({
  responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref }, ...media } } } },
});
const spec = (schemas: Doc, extra: Doc = {}): Doc => ({
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: { '/a': { get: ok('#/components/schemas/A') } },
  components: { schemas, securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'x-key' } } },
  ...extra,
});

/** Each schema refers to the next twice: a chain of n schemas unfolds into 2^n nodes. */
function diamonds(n: number): Doc {
  const schemas: Doc = {};
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? `#/components/schemas/S${i + 1}` : undefined;
    schemas[i === 0 ? 'A' : `S${i}`] = {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        ...(next === undefined ? {} : { left: { $ref: next }, right: { $ref: next } }),
      },
    };
  }
  return spec(schemas);
}

/** Every `$ref` string of a document (literal ones too). */
function refsOf(node: unknown, found: string[] = []): string[] {
  if (typeof node !== 'object' || node === null) return found;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') found.push(ref);
  for (const value of Object.values(node)) refsOf(value, found);
  return found;
}

const at = (doc: Doc, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);

describe('unfoldedSize', () => {
  it.each([
    { name: 'a document without references', doc: { a: { b: [{}, {}] } }, size: 5 },
    { name: 'a reference expanded where it stands', doc: { a: { $ref: '#/b' }, b: { c: {} } }, size: 6 },
    { name: 'a cycle kept as a reference (as decycle does)', doc: { a: { $ref: '#/a' } }, size: 3 },
    { name: 'an unresolvable reference counted as a leaf', doc: { a: { $ref: '#/nowhere' } }, size: 2 },
    { name: 'a reference into another file counted as a leaf', doc: { a: { $ref: 'other.yaml#/x' } }, size: 2 },
  ])('$name', ({ doc, size }) => {
    expect(unfoldedSize(doc, 1_000)).toBe(size);
  });

  it('grows exponentially with shared references, and stops counting past the cap', () => {
    expect(unfoldedSize(diamonds(10), 1e9)).toBeGreaterThan(2 ** 10);
    expect(unfoldedSize(diamonds(40), 10_000)).toBe(10_001);
  });
});

describe('depthLimited', () => {
  it('points operations at depth-1 copies, cuts chains at the depth and drops the old components', () => {
    const copy = depthLimited(diamonds(6), 2);
    expect(at(copy, 'paths', '/a', 'get', 'responses', '200', 'content', 'application/json', 'schema')).toEqual({
      $ref: `#/${COPIES_KEY}/1/A`,
    });
    expect(Object.keys(at(copy, COPIES_KEY) as Doc)).toEqual(['1', '2']);
    expect(at(copy, COPIES_KEY, '1', 'A', 'properties', 'left')).toEqual({ $ref: `#/${COPIES_KEY}/2/S1` });
    // S1's references are past depth 2: an open schema whose example is S2's smallest instance.
    expect(at(copy, COPIES_KEY, '2', 'S1', 'properties', 'left')).toEqual({ example: { id: 'string' } });
    expect(at(copy, 'components', 'schemas')).toEqual({});
    expect(at(copy, 'components', 'securitySchemes')).toEqual({ key: { type: 'apiKey', in: 'header', name: 'x-key' } });
    expect(refsOf(copy).every((ref) => ref.startsWith(`#/${COPIES_KEY}/`))).toBe(true);
    expect(unfoldedSize(copy, 1e9)).toBeLessThan(unfoldedSize(diamonds(6), 1e9));
  });

  it.each([
    {
      name: 'a circular schema is unrolled to the depth, then cut',
      doc: spec({
        A: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/A' } } } },
      }),
      depth: 3,
      check: (copy: Doc) => {
        expect(at(copy, COPIES_KEY, '1', 'A', 'properties', 'children', 'items')).toEqual({
          $ref: `#/${COPIES_KEY}/2/A`,
        });
        expect(at(copy, COPIES_KEY, '2', 'A', 'properties', 'children', 'items')).toEqual({
          $ref: `#/${COPIES_KEY}/3/A`,
        });
        // No required properties: the smallest instance is an empty object.
        expect(at(copy, COPIES_KEY, '3', 'A', 'properties', 'children', 'items')).toEqual({ example: {} });
      },
    },
    {
      name: 'an unused component is dropped, not copied',
      doc: spec({
        A: { type: 'string' },
        Unused: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } },
      }),
      depth: 2,
      check: (copy: Doc) => {
        expect(at(copy, 'components', 'schemas')).toEqual({});
        expect(Object.keys(at(copy, COPIES_KEY, '1') as Doc)).toEqual(['A']);
      },
    },
    {
      name: 'example values with $ref-shaped keys are left as written, and what they name is kept',
      doc: spec(
        {
          A: { type: 'object', example: { $ref: 'not a reference' }, default: { $ref: '#/components/schemas/B' } },
          B: { type: 'string' },
        },
        {
          paths: {
            '/a': {
              get: ok('#/components/schemas/A', {
                examples: { one: { summary: 'literal', value: { $ref: '#/components/schemas/B' } } },
              }),
            },
          },
        },
      ),
      depth: 2,
      check: (copy: Doc) => {
        const media = at(copy, 'paths', '/a', 'get', 'responses', '200', 'content', 'application/json');
        expect(at(media as Doc, 'examples')).toEqual({
          one: { summary: 'literal', value: { $ref: '#/components/schemas/B' } },
        });
        expect(at(copy, COPIES_KEY, '1', 'A', 'example')).toEqual({ $ref: 'not a reference' });
        expect(at(copy, COPIES_KEY, '1', 'A', 'default')).toEqual({ $ref: '#/components/schemas/B' });
        expect(at(copy, 'components', 'schemas')).toEqual({ B: { type: 'string' } });
      },
    },
    {
      name: 'an Example Object reached by reference is copied like any other part',
      doc: spec(
        { A: { type: 'string' } },
        {
          paths: {
            '/a': { get: ok('#/components/schemas/A', { examples: { one: { $ref: '#/components/examples/One' } } }) },
          },
          components: { schemas: { A: { type: 'string' } }, examples: { One: { value: 'x' } } },
        },
      ),
      depth: 1,
      check: (copy: Doc) => {
        expect(at(copy, 'paths', '/a', 'get', 'responses', '200', 'content', 'application/json', 'examples')).toEqual({
          one: { $ref: `#/${COPIES_KEY}/1/One` },
        });
        expect(at(copy, COPIES_KEY, '1', 'One')).toEqual({ value: 'x' });
      },
    },
    {
      name: 'an unresolvable reference is left for Prism to report',
      doc: spec({ A: { type: 'object', properties: { b: { $ref: '#/components/schemas/Missing' } } } }),
      depth: 2,
      check: (copy: Doc) => {
        expect(at(copy, COPIES_KEY, '1', 'A', 'properties', 'b')).toEqual({ $ref: '#/components/schemas/Missing' });
      },
    },
    {
      name: 'Swagger 2.0 definitions are copied and dropped the same way',
      doc: {
        swagger: '2.0',
        info: { title: 't', version: '1' },
        paths: { '/a': { get: { responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/A' } } } } } },
        definitions: { A: { type: 'object', properties: { b: { $ref: '#/definitions/A' } } } },
      },
      depth: 1,
      check: (copy: Doc) => {
        expect(at(copy, 'definitions')).toEqual({});
        expect(at(copy, COPIES_KEY, '1', 'A', 'properties', 'b')).toEqual({ example: {} });
      },
    },
  ])('$name', ({ doc, depth, check }) => {
    const before = structuredClone(doc);
    check(depthLimited(doc, depth));
    expect(doc, 'the spec itself is not changed').toEqual(before);
  });
});

describe('prismSpecFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finmcp-prism-spec-'));
  const cacheDir = join(dir, 'cache');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands Prism the spec itself when it unfolds within the budget', () => {
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(diamonds(4)));
    expect(prismSpecFile(file, { cacheDir, budget: 10_000 })).toEqual({ file, nodes: expect.any(Number) });
  });

  it('hands Prism the spec itself when its references point into other files', () => {
    const file = join(dir, 'split.yaml');
    writeFileSync(file, "openapi: 3.0.3\npaths:\n  /a:\n    $ref: 'paths.yaml#/a'\n");
    expect(prismSpecFile(file, { cacheDir, budget: 1 })).toEqual({ file });
  });

  it('hands a denser spec over as the deepest copy within the budget, made once', () => {
    const file = join(dir, 'dense.yaml');
    writeFileSync(file, JSON.stringify(diamonds(30))); // JSON is YAML: the YAML reader is used
    const first = prismSpecFile(file, { cacheDir, budget: 2_000 });
    expect(first.file).not.toBe(file);
    expect(first.depth).toBeGreaterThanOrEqual(1);
    const copy = JSON.parse(readFileSync(first.file, 'utf8')) as Doc;
    expect(unfoldedSize(copy, 1e9)).toBeLessThanOrEqual(2_000);
    expect(unfoldedSize(depthLimited(diamonds(30), (first.depth as number) + 1), 1e9)).toBeGreaterThan(2_000);
    expect(prismSpecFile(file, { cacheDir, budget: 2_000 })).toEqual({ file: first.file, depth: first.depth });
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });
});
