import { describe, expect, it } from 'vitest';
import { visitSchemas } from '../../../codegen/schema/walk.js';

describe('visitSchemas', () => {
  const cases: Array<{ name: string; given: unknown; want: string[] }> = [
    {
      name: 'every applicator location, parents first; a property named like a keyword is not a schema',
      given: {
        title: 'root',
        properties: { format: { title: 'p' } },
        items: { title: 'i' },
        oneOf: [{ title: 'o1' }, { title: 'o2' }],
        $defs: { D: { title: 'd', not: { title: 'n' } } },
        additionalProperties: false,
      },
      want: ['root', 'i', 'p', 'd', 'n', 'o1', 'o2'],
    },
    { name: 'boolean schema', given: true, want: [] },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const seen: string[] = [];
    visitSchemas(given, (schema) => seen.push(String(schema['title'])));
    expect(seen).toEqual(want);
  });
});
