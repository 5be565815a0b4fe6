import { describe, expect, it } from 'vitest';
import { cleanText, humanizeName, toolDescription, toolTitle } from '../../../codegen/descriptor/text.js';

describe('humanizeName', () => {
  it('splits camelCase and snake_case into a sentence, keeping acronyms', () => {
    const names = ['getInvoiceById', 'get_items_by_id_pdf', 'listVATReturns', 'x'];
    expect(names.map(humanizeName)).toEqual(['Get invoice by id', 'Get items by id pdf', 'List VAT returns', 'X']);
  });
});

describe('toolTitle', () => {
  const cases = [
    { given: { summary: '  Get a  tree\n', name: 'getTree' }, want: 'Get a tree' },
    { given: { summary: undefined, name: 'get_items' }, want: 'Get items' },
    { given: { summary: '   ', name: 'listAll' }, want: 'List all' },
  ];
  it.each(cases)('$given.name', ({ given, want }) => {
    expect(toolTitle(given.summary, given.name)).toBe(want);
  });
});

describe('toolDescription', () => {
  const cases: Array<{ name: string; given: Parameters<typeof toolDescription>[0]; want: string }> = [
    {
      name: 'all parts',
      given: { summary: 'Get a tree', description: 'Whole tree.\n\n\n\nRecursively.  ', returns: 'The tree', deprecated: true },
      want: 'Get a tree.\n\nWhole tree.\n\nRecursively.\n\nReturns: The tree.\n\nDeprecated.',
    },
    {
      name: 'summary equal to description is said once',
      given: { summary: 'Lists items.', description: 'Lists items.', deprecated: false },
      want: 'Lists items.',
    },
    { name: 'nothing', given: { deprecated: false }, want: '' },
    { name: 'returns only', given: { returns: 'Created.', deprecated: false }, want: 'Returns: Created.' },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(toolDescription(given)).toBe(want);
  });
});

describe('cleanText', () => {
  it.each([
    { given: '\r\n a \r\n', want: 'a' },
    { given: '', want: undefined },
    { given: undefined, want: undefined },
  ])('$given', ({ given, want }) => {
    expect(cleanText(given)).toBe(want);
  });
});
