import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../codegen/emit/validators-file.js';
import { portableSchema } from '../../../codegen/schema/portable.js';

describe('portableSchema', () => {
  it('rewrites type unions into single-type anyOf branches, keeping every constraint and the accepted values', () => {
    const original = {
      type: 'object',
      properties: {
        phone: { type: ['string', 'null'], pattern: '^\\+[0-9]+$', description: 'Phone, or null to remove it.' },
        count: { type: ['integer', 'null'], anyOf: [{ minimum: 1 }, { const: null }] },
        name: { type: ['string'] },
      },
    };
    const portable = structuredClone(original);
    portableSchema(portable);
    expect(portable.properties).toEqual({
      phone: {
        pattern: '^\\+[0-9]+$',
        description: 'Phone, or null to remove it.',
        anyOf: [{ type: 'string' }, { type: 'null' }],
      },
      count: {
        allOf: [{ anyOf: [{ minimum: 1 }, { const: null }] }, { anyOf: [{ type: 'integer' }, { type: 'null' }] }],
      },
      name: { type: 'string' },
    });
    expect(JSON.stringify(portable)).not.toMatch(/"type":\[/);
    const before = createAjv([original]).compile(original);
    const after = createAjv([portable]).compile(portable);
    for (const value of [
      { phone: null },
      { phone: '+123' },
      { phone: 'x' },
      { phone: 1 },
      { count: null },
      { count: 0 },
      { count: 2 },
      { name: 'a' },
    ]) {
      expect(after(value), JSON.stringify(value)).toBe(before(value));
    }
  });
});
