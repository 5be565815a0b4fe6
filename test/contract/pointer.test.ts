/** The JSON-pointer `$ref` resolver (RFC 6901) that the generator and the runtime share. */
import { describe, expect, it } from 'vitest';
import { derefObject, pointerTokens, resolvePointer } from '../../contract/pointer.js';

const doc = {
  components: {
    schemas: { 'a/b': { type: 'string' }, 'c~d': { type: 'integer' }, list: [{ x: 1 }] },
    parameters: { p: { $ref: '#/components/parameters/q' }, q: { name: 'q', in: 'query' } },
  },
};

describe('pointerTokens', () => {
  const cases = [
    { given: '#', want: [] as string[] },
    { given: '#/components/schemas/a~1b', want: ['components', 'schemas', 'a/b'] },
    { given: '#/components/schemas/c~0d', want: ['components', 'schemas', 'c~d'] },
    { given: '#/paths/~1items~1%7Bid%7D', want: ['paths', '/items/{id}'] },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(pointerTokens(given)).toEqual(want);
  });
  it('rejects external references', () => {
    expect(() => pointerTokens('other.yaml#/a')).toThrow(/only local references/);
  });
});

describe('resolvePointer', () => {
  const cases = [
    { given: '#/components/schemas/a~1b', want: { type: 'string' } as unknown },
    { given: '#/components/schemas/c~0d', want: { type: 'integer' } },
    { given: '#/components/schemas/list/0/x', want: 1 },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(resolvePointer(doc, given)).toEqual(want);
  });
  it('names a missing target', () => {
    expect(() => resolvePointer(doc, '#/components/schemas/nope')).toThrow(
      'unresolvable reference "#/components/schemas/nope"',
    );
  });
});

describe('derefObject', () => {
  it('follows chains of references', () => {
    expect(derefObject(doc, { $ref: '#/components/parameters/p' })).toEqual({ name: 'q', in: 'query' });
  });
  it('rejects pure reference cycles', () => {
    const cyclic = { a: { $ref: '#/b' }, b: { $ref: '#/a' } };
    expect(() => derefObject(cyclic, { $ref: '#/a' })).toThrow(/reference cycle/);
  });
});
