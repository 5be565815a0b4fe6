import { describe, expect, it } from 'vitest';
import type { ParameterBinding } from '../../../contract/descriptor.js';
import { detectPagination, findNextCursorField } from '../../../codegen/descriptor/pagination.js';

const query = (name: string, property = name): ParameterBinding => ({
  property,
  in: 'query',
  name,
  style: 'form',
  explode: true,
});

describe('detectPagination', () => {
  const listOutput = { type: 'object', properties: { data: { type: 'array' }, next_cursor: { type: 'string' } } };
  const cases: Array<{
    name: string;
    given: { parameters: ParameterBinding[]; output: Record<string, unknown> };
    want: unknown;
  }> = [
    {
      name: 'cursor with limit and next_cursor',
      given: { parameters: [query('cursor'), query('limit')], output: listOutput },
      want: { style: 'cursor', inputProperty: 'cursor', sizeProperty: 'limit', nextCursorField: 'next_cursor' },
    },
    {
      name: 'page_token with nested nextPageToken',
      given: {
        parameters: [query('page_token'), query('page_size')],
        output: {
          type: 'object',
          properties: { meta: { type: 'object', properties: { nextPageToken: { type: 'string' } } } },
        },
      },
      want: {
        style: 'cursor',
        inputProperty: 'page_token',
        sizeProperty: 'page_size',
        nextCursorField: 'meta.nextPageToken',
      },
    },
    {
      name: 'after, renamed property, no next field',
      given: { parameters: [query('after', 'query_after')], output: { type: 'object', properties: {} } },
      want: { style: 'cursor', inputProperty: 'query_after' },
    },
    {
      name: 'page and per_page',
      given: { parameters: [query('page'), query('per_page')], output: listOutput },
      want: { style: 'page', inputProperty: 'page', sizeProperty: 'per_page' },
    },
    {
      name: 'no paging parameter',
      given: { parameters: [query('limit'), query('q')], output: listOutput },
      want: undefined,
    },
    {
      name: 'a path parameter named cursor is not pagination',
      given: { parameters: [{ ...query('cursor'), in: 'path', style: 'simple', explode: false }], output: listOutput },
      want: undefined,
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(detectPagination(given.parameters, given.output)).toEqual(want);
  });
});

describe('findNextCursorField', () => {
  const cases: Array<{ name: string; given: Record<string, unknown>; want: string | undefined }> = [
    { name: 'top-level nextCursor', given: { properties: { items: {}, nextCursor: {} } }, want: 'nextCursor' },
    {
      name: 'a better name wins over a shallower weaker one',
      given: { properties: { next: {}, next_cursor: {} } },
      want: 'next_cursor',
    },
    {
      name: 'an object named next (a link object) is not a cursor',
      given: { properties: { next: { type: 'object', properties: { href: {} } } } },
      want: undefined,
    },
    {
      name: 'too deep',
      given: { properties: { a: { properties: { b: { properties: { next: {} } } } } } },
      want: undefined,
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(findNextCursorField(given)).toBe(want);
  });
});
