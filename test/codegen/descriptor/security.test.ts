import { describe, expect, it } from 'vitest';
import { effectiveSecurity } from '../../../codegen/descriptor/security.js';

describe('effectiveSecurity', () => {
  const global = [{ oauth: ['read'] }];
  const cases: Array<{ name: string; given: { operation: unknown; document: unknown }; want: unknown }> = [
    { name: 'operation level wins', given: { operation: [{ key: [] }], document: global }, want: [{ key: [] }] },
    { name: 'empty operation level: explicitly public', given: { operation: [], document: global }, want: [] },
    {
      name: 'falls back to the document',
      given: { operation: undefined, document: global },
      want: [{ oauth: ['read'] }],
    },
    { name: 'none anywhere', given: { operation: undefined, document: undefined }, want: [] },
    {
      name: 'malformed scopes are normalised',
      given: { operation: [{ a: 'x', b: ['s', 3] }], document: undefined },
      want: [{ a: [], b: ['s'] }],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(effectiveSecurity(given.operation, given.document)).toEqual(want);
  });
});
