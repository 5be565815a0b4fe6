import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { compileSchema, describeValue, usePrecompiledValidators, validateArgs } from '../../src/core/validation.js';
import type { PrecompiledValidator } from '../../contract/descriptor.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['startDate'],
  properties: {
    startDate: { type: 'string', format: 'date' },
    status: { type: 'string', enum: ['draft', 'sent', 'overdue', 'paid'] },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
    name: { type: 'string', maxLength: 10 },
    note: { type: ['string', 'null'] },
    password: { type: 'string', minLength: 12 },
    apiToken: { type: 'integer' },
    amount: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    invoiceId: {
      anyOf: [
        { type: 'string', format: 'uuid' },
        { type: 'string', pattern: '^#?[0-9]+$' },
      ],
    },
    code: { anyOf: [{ type: 'string', minLength: 2, pattern: '^[A-Z]+$' }, { type: 'null' }] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['amount'],
        properties: { amount: { type: 'number', exclusiveMinimum: 0 }, 'a/b': { type: 'string', pattern: '^[A-Z]+$' } },
      },
    },
  },
};
const validate = ajv.compile(schema) as unknown as PrecompiledValidator;

const big = 'x'.repeat(1024 * 1024);

const cases: Array<{ given: string; args: unknown; want: string[] }> = [
  { given: 'valid', args: { startDate: '2025-01-31' }, want: [] },
  {
    given: 'enum',
    args: { startDate: '2025-01-31', status: 'foo' },
    want: ['status: must be one of draft, sent, overdue, paid (got "foo")'],
  },
  {
    given: 'unknown property and missing required together',
    args: { foo: 1 },
    want: ['startDate: is required', '(root): unknown property "foo" is not allowed'],
  },
  { given: 'maximum', args: { startDate: '2025-01-31', limit: 500 }, want: ['limit: must be <= 100 (got 500)'] },
  {
    given: 'wrong types everywhere, every field listed',
    args: { startDate: 20250131, limit: 'ten', name: true, tags: 'a' },
    want: [
      'startDate: must be string (got 20250131)',
      'limit: must be integer (got "ten")',
      'name: must be string (got true)',
      'tags: must be array (got "a")',
    ],
  },
  {
    given: 'format',
    args: { startDate: '31/01/2025' },
    want: ['startDate: must be a valid date (got "31/01/2025")'],
  },
  {
    given: 'null where a string is required; nullable accepts it',
    args: { startDate: null, note: null },
    want: ['startDate: must be string (got null)'],
  },
  {
    given: 'nullable type listed as alternatives',
    args: { startDate: '2025-01-31', note: 5 },
    want: ['note: must be string or null (got 5)'],
  },
  {
    given: '1 MB string is cut at 80 characters',
    args: { startDate: '2025-01-31', name: big },
    want: [`name: must have at most 10 characters (got "${'x'.repeat(80)}"… (1048576 characters))`],
  },
  {
    given: 'unicode kept whole, surrogate pairs not split',
    args: { startDate: '2025-01-31', name: `${'é'.repeat(79)}😀😀` },
    want: [`name: must have at most 10 characters (got "${'é'.repeat(79)}"… (83 characters))`],
  },
  {
    given: 'secrets never echoed',
    args: { startDate: '2025-01-31', password: 'hunter2', apiToken: 'abc' },
    want: ['password: must have at least 12 characters', 'apiToken: must be integer'],
  },
  {
    given: 'anyOf folded into one line naming the types',
    args: { startDate: '2025-01-31', amount: true },
    want: ['amount: must be string or number (got true)'],
  },
  {
    given: 'anyOf of one type: the type named once',
    args: { startDate: '2025-01-31', invoiceId: 42 },
    want: ['invoiceId: must be string (got 42)'],
  },
  {
    given: "anyOf whose branches broke rules, not types: each branch's rule",
    args: { startDate: '2025-01-31', invoiceId: 'invoice 1429' },
    want: ['invoiceId: must be a valid uuid, or must match pattern "^#?[0-9]+$" (got "invoice 1429")'],
  },
  {
    given: 'anyOf with a rule in one branch and a type in the other; several rules of one branch joined by and',
    args: { startDate: '2025-01-31', code: 'a' },
    want: ['code: must have at least 2 characters and must match pattern "^[A-Z]+$", or must be null (got "a")'],
  },
  {
    given: 'nested array items: paths, pointer escapes, exclusive minimum, pattern',
    args: { startDate: '2025-01-31', lines: [{ amount: 0, 'a/b': 'abc', extra: [1, 2] }, {}] },
    want: [
      'lines[0]: unknown property "extra" is not allowed',
      'lines[0].amount: must be > 0 (got 0)',
      'lines[0].a/b: must match pattern "^[A-Z]+$" (got "abc")',
      'lines[1].amount: is required',
    ],
  },
  {
    given: 'array rules',
    args: { startDate: '2025-01-31', tags: [] },
    want: ['tags: must have at least 1 items (got an array of 0 items)'],
  },
  {
    given: 'duplicates',
    args: { startDate: '2025-01-31', tags: ['a', 'a'] },
    want: ['tags: must not contain duplicates (items 1 and 0 are equal) (got an array of 2 items)'],
  },
  { given: 'arguments not an object', args: null, want: ['(root): must be object (got null)'] },
];

describe('validateArgs', () => {
  it.each(cases)('$given', ({ args, want }) => {
    const got = validateArgs(validate, args);
    if (want.length === 0) expect(got).toBeUndefined();
    else expect(got).toEqual(want);
  });

  it('never echoes more than ~100 characters per line', () => {
    const lines = validateArgs(validate, { startDate: big, status: big, name: big }) ?? [];
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.length).toBeLessThan(200);
  });
});

describe('describeValue', () => {
  const values = [
    { given: 'short', want: '"short"' },
    { given: 42, want: '42' },
    { given: null, want: 'null' },
    { given: [1, 2], want: 'an array of 2 items' },
    { given: { a: 1 }, want: 'an object' },
    { given: 'a"b\n', want: '"a\\"b\\n"' },
  ];
  it.each(values)('$given → $want', ({ given, want }) => {
    expect(describeValue(given)).toBe(want);
  });
});

describe('usePrecompiledValidators', () => {
  it('hands compileSchema the validator built for an equal schema, compiling nothing (Cloudflare Workers)', async () => {
    const schema = { type: 'object', properties: { precompiledProbe: { type: 'string' } } };
    const built = Object.assign((data: unknown) => data === 'accepted only by the built one', { errors: null });
    usePrecompiledValidators([[schema, built]]);
    // An equal schema from another object (a module evaluated again in the bundle) finds it by its JSON text.
    const validator = await compileSchema(JSON.parse(JSON.stringify(schema)));
    expect(validator).toBe(built);
  });
});

describe('compileSchema', () => {
  it('compiles a schema once when the first calls of a burst ask for it together', async () => {
    const schema = { type: 'object', properties: { burstProbe: { type: 'integer' } } };
    // Sixteen calls arriving before the first compilation ends share it: one validator, one compilation.
    const validators = await Promise.all(Array.from({ length: 16 }, () => compileSchema(schema)));
    for (const v of validators) expect(v).toBe(validators[0]);
    expect(await compileSchema(schema)).toBe(validators[0]);
    expect(validateArgs(validators[0]!, { burstProbe: 'x' })).toEqual(['burstProbe: must be integer (got "x")']);
  });

  it('rejects every waiting call when the schema does not compile, and tries again on the next call', async () => {
    const schema = { type: 'object', properties: { p: { type: 'no-such-type' } } };
    const results = await Promise.allSettled([compileSchema(schema), compileSchema(schema)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(compileSchema(schema)).rejects.toThrow();
  });
});
