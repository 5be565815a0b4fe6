import { describe, expect, it } from 'vitest';
import { type InputPart, inputSchema, nameInputs } from '../../../codegen/descriptor/input.js';

const part = (where: InputPart['in'], name: string, required = false): InputPart => ({
  in: where,
  name,
  schema: { type: 'string' },
  required,
  source: undefined,
});

describe('nameInputs (clash rule: path > query > header > cookie > body)', () => {
  const cases: Array<{ name: string; given: InputPart[]; want: string[] }> = [
    { name: 'no clash: names kept, precedence order', given: [part('body', 'b'), part('path', 'a')], want: ['a', 'b'] },
    {
      name: 'path, query and body id',
      given: [part('body', 'id'), part('query', 'id'), part('path', 'id')],
      want: ['id', 'query_id', 'body_id'],
    },
    {
      name: 'prefixed name already taken gets _2',
      given: [part('path', 'id'), part('body', 'body_id'), part('body', 'id')],
      want: ['id', 'body_id', 'body_id_2'],
    },
    {
      name: 'unsafe names made safe, then the clash rule',
      given: [part('query', 'filter[status]'), part('body', 'filter_status_'), part('header', 'X-Request-Id')],
      want: ['filter_status_', 'X-Request-Id', 'body_filter_status_'],
    },
    {
      name: 'long names stay within 64 characters, suffix included',
      given: [
        part('query', `${'a'.repeat(70)}[`),
        part('query', `${'a'.repeat(70)}(`),
        part('query', `${'a'.repeat(70)}{`),
      ],
      want: ['a'.repeat(64), `query_${'a'.repeat(58)}`, `query_${'a'.repeat(56)}_2`],
    },
    {
      name: 'header and cookie',
      given: [part('cookie', 'session'), part('header', 'session'), part('query', 'session')],
      want: ['session', 'header_session', 'cookie_session'],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const named = nameInputs(given);
    expect(named.map((input) => input.property)).toEqual(want);
    for (const input of named) expect(input.property).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
    // No value is lost: every original input is still there, with its original name.
    expect(named.map((input) => `${input.in}:${input.name}`).sort()).toEqual(
      given.map((p) => `${p.in}:${p.name}`).sort(),
    );
  });
});

describe('inputSchema', () => {
  const cases: Array<{ name: string; given: InputPart[]; want: unknown }> = [
    {
      name: 'required listed, closed object',
      given: [part('path', 'id', true), part('query', 'q')],
      want: {
        type: 'object',
        properties: { id: { type: 'string' }, q: { type: 'string' } },
        required: ['id'],
        additionalProperties: false,
      },
    },
    { name: 'no inputs', given: [], want: { type: 'object', properties: {}, additionalProperties: false } },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(inputSchema(nameInputs(given))).toEqual(want);
  });
});
