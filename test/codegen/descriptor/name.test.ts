import { describe, expect, it } from 'vitest';
import type { HttpMethod } from '../../../contract/descriptor.js';
import {
  MAX_TOOL_NAME_LENGTH,
  baseToolName,
  nameFromPath,
  sanitizeToolName,
  shortHash,
  uniqueToolNames,
} from '../../../codegen/descriptor/name.js';

const LONG_ID = 'createAnItemUsingAnOperationIdentifierThatIsFarLongerThanTheSixtyFourCharacterLimitOfMcp90';

describe('baseToolName', () => {
  const cases: Array<{
    name: string;
    given: { operationId?: string; method: HttpMethod; path: string };
    want: string;
  }> = [
    { name: 'operationId kept', given: { operationId: 'getTree', method: 'get', path: '/t' }, want: 'getTree' },
    {
      name: 'other characters become _',
      given: { operationId: 'invoices.list v2/é', method: 'get', path: '/t' },
      want: 'invoices_list_v2__',
    },
    {
      name: 'no operationId: method and path, {x} → by_x',
      given: { method: 'get', path: '/items/{id}/pdf' },
      want: 'get_items_by_id_pdf',
    },
    {
      name: 'a 90-character operationId: 55 chars, _, 8 hex of sha256',
      given: { operationId: LONG_ID, method: 'post', path: '/items' },
      want: `${LONG_ID.slice(0, 55)}_${shortHash(LONG_ID)}`,
    },
    {
      name: 'exactly 64 characters is kept',
      given: { operationId: 'a'.repeat(64), method: 'get', path: '/' },
      want: 'a'.repeat(64),
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    const name = baseToolName(given);
    expect(name).toBe(want);
    expect(name.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('hashes the operationId, so it is stable and distinguishes long ids sharing a prefix', () => {
    const a = baseToolName({ operationId: `${LONG_ID}A`, method: 'get', path: '/' });
    const b = baseToolName({ operationId: `${LONG_ID}B`, method: 'get', path: '/' });
    expect(a).not.toBe(b);
    expect(shortHash(LONG_ID)).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('nameFromPath / sanitizeToolName', () => {
  const cases = [
    { given: nameFromPath('delete', '/a/{b}/{c}'), want: 'delete_a_by_b_by_c' },
    { given: nameFromPath('get', '/'), want: 'get' },
    { given: sanitizeToolName(''), want: '_' },
    { given: sanitizeToolName('a-b_c9'), want: 'a-b_c9' },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(given).toBe(want);
  });
});

describe('uniqueToolNames', () => {
  const cases: Array<{ name: string; given: string[]; want: string[] }> = [
    { name: 'no clash', given: ['a', 'b'], want: ['a', 'b'] },
    { name: 'suffixes in order', given: ['a', 'a', 'b', 'a'], want: ['a', 'a_2', 'b', 'a_3'] },
    { name: 'a natural name equal to a suffix', given: ['a', 'a', 'a_2'], want: ['a', 'a_2', 'a_2_2'] },
    {
      name: 'suffix never passes 64 characters',
      given: ['x'.repeat(64), 'x'.repeat(64)],
      want: ['x'.repeat(64), `${'x'.repeat(62)}_2`],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(uniqueToolNames(given)).toEqual(want);
  });
});
