import { describe, expect, it } from 'vitest';
import {
  SchemaChecker,
  compileValidator,
  createAjv,
  dropInvalidPatterns,
  provideRequire,
} from '../../../codegen/emit/validators-file.js';

describe('provideRequire', () => {
  const requireLines = ["import { createRequire } from 'node:module';", 'const require = createRequire(import.meta.url);'];
  const cases: Array<{ name: string; given: string; want: { imports: string[]; body: string } }> = [
    {
      name: 'standalone code that requires helpers gets a real require; use strict dropped',
      given: '"use strict";const a = require("ajv/dist/runtime/ucs2length").default;',
      want: { imports: requireLines, body: 'const a = require("ajv/dist/runtime/ucs2length").default;' },
    },
    { name: 'no requires, no imports', given: '"use strict";const x = 1;', want: { imports: [], body: 'const x = 1;' } },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(provideRequire(given)).toEqual(want);
  });
});

describe('createAjv', () => {
  it('registers formats unknown to ajv-formats as annotations, in strict mode', () => {
    const schema = { type: 'object', properties: { iban: { type: 'string', format: 'iban' }, format: { type: 'string' } } };
    const validate = createAjv([schema]).compile(schema);
    expect(validate({ iban: 'anything' })).toBe(true);
    expect(() => createAjv([]).compile(schema)).toThrow(/unknown format "iban"/);
  });
});

describe('createAjv strictness', () => {
  it('compiles valid 2020-12 schemas that ajv strict mode would refuse', () => {
    const schemas = [
      { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }], unevaluatedProperties: false },
      { type: 'object', required: ['declaredNowhere'] },
      { type: 'object', properties: { a1: { type: 'string' } }, patternProperties: { '^a': { type: 'string' } } },
      { type: 'array', prefixItems: [{ type: 'string' }] },
    ];
    for (const schema of schemas) expect(() => createAjv([schema]).compile(schema), JSON.stringify(schema)).not.toThrow();
  });
});

describe('dropInvalidPatterns', () => {
  it('drops patterns ECMAScript cannot compile and keeps the rest', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string', pattern: '^\\p{L}+$' }, b: { type: 'string', pattern: '^(?i)abc\\Z' } },
      patternProperties: { '[': { type: 'string' }, '^x-': {} },
    };
    expect(dropInvalidPatterns(schema)).toEqual(['[', '^(?i)abc\\Z']);
    expect(schema.properties.b).toEqual({ type: 'string' });
    expect(Object.keys(schema.patternProperties)).toEqual(['^x-']);
  });
});

describe('compileValidator', () => {
  const checker = new SchemaChecker();

  it('emits ESM exporting `validate`, with a createRequire for ajv helpers', () => {
    const code = compileValidator('a-b', { type: 'object', properties: { s: { type: 'string', minLength: 2, format: 'date' } } }, checker);
    expect(code.imports).toContain('const require = createRequire(import.meta.url);');
    expect(code.body).toContain('require("ajv/dist/runtime/ucs2length").default');
    expect(code.body).toMatch(/^export const validate = validate\d+;/m);
  });

  it('gives the same code for the same schema whatever was compiled before (validators never renumber)', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', maximum: 3 } } };
    const first = compileValidator('one', schema, checker);
    compileValidator('other', { type: 'object', properties: { x: { type: 'string' } } }, checker);
    expect(compileValidator('one', schema, checker)).toEqual(first);
  });

  it('names the tool whose schema does not compile', () => {
    expect(() => compileValidator('bad', { type: 'object', example: 1 }, checker)).toThrow(
      /input schema of tool "bad" does not compile: .*example/,
    );
    expect(() => compileValidator('bad2', { type: 'object', minProperties: -1 }, checker)).toThrow(
      /input schema of tool "bad2" does not compile: not a valid JSON Schema 2020-12/,
    );
  });
});
