import { describe, expect, it } from 'vitest';
import { cleanText, toolDescription, toolTitle } from '../../../codegen/descriptor/text.js';

describe('toolTitle', () => {
  const cases = [
    { given: { summary: '  Get a  tree\n', name: 'getTree' }, want: 'Get a tree' },
    { given: { summary: undefined, name: 'get_items' }, want: 'Get items' },
    { given: { summary: '   ', name: 'listAll' }, want: 'List all' },
    // Without a summary the name is humanized: camelCase and snake_case split into a sentence, acronyms kept.
    { given: { summary: undefined, name: 'getInvoiceById' }, want: 'Get invoice by id' },
    { given: { summary: undefined, name: 'get_items_by_id_pdf' }, want: 'Get items by id pdf' },
    { given: { summary: undefined, name: 'listVATReturns' }, want: 'List VAT returns' },
    { given: { summary: undefined, name: 'x' }, want: 'X' },
  ];
  it.each(cases)('$given.name', ({ given, want }) => {
    expect(toolTitle(given.summary, given.name)).toBe(want);
  });
});

describe('toolDescription', () => {
  const cases: Array<{ name: string; given: Parameters<typeof toolDescription>[0]; want: string }> = [
    {
      name: 'all parts',
      given: {
        summary: 'Get a tree',
        description: 'Whole tree.\n\n\n\nRecursively.  ',
        returns: 'The tree',
        deprecated: true,
      },
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
