/**
 * `x-finmcp-prompts` read into prompt descriptors: a valid declaration as written (defaults filled), and every
 * mistake refused naming its JSON pointer and the rule.
 */
import { describe, expect, it } from 'vitest';
import { readPrompts } from '../../../codegen/prompts/read.js';
import type { ToolDescriptor } from '../../../contract/descriptor.js';

const TOOLS = [{ name: 'get_invoice' }, { name: 'list_invoices' }] as ToolDescriptor[];

const INVOICE = {
  name: 'invoice_details',
  description: 'Details of one invoice',
  text: 'Get the details for invoice #{invoice_number}',
  tools: ['get_invoice'],
  arguments: [{ name: 'invoice_number', description: 'The number', required: true, examples: ['1429'] }],
};

describe('readPrompts', () => {
  it('a spec without the extension has no prompts', () => {
    expect(readPrompts({}, TOOLS)).toEqual([]);
  });

  it('reads a prompt, with the title defaulting to the name and arguments optional unless said', () => {
    const prompts = readPrompts(
      {
        'x-finmcp-prompts': [
          INVOICE,
          {
            name: 'overdue',
            title: 'Overdue',
            description: 'd',
            text: 'Show me all {status} invoices',
            tools: ['list_invoices'],
            arguments: [{ name: 'status', description: 's', enum: ['overdue', 'paid'], default: 'overdue' }],
          },
        ],
      },
      TOOLS,
    );
    expect(prompts).toEqual([
      {
        ...INVOICE,
        title: 'invoice_details',
        arguments: [{ name: 'invoice_number', description: 'The number', required: true, examples: ['1429'] }],
      },
      {
        name: 'overdue',
        title: 'Overdue',
        description: 'd',
        text: 'Show me all {status} invoices',
        tools: ['list_invoices'],
        arguments: [
          { name: 'status', description: 's', required: false, enum: ['overdue', 'paid'], default: 'overdue' },
        ],
      },
    ]);
  });

  const mistakes: Array<[string, unknown, RegExp]> = [
    ['not an array', { a: 1 }, /^#\/x-finmcp-prompts: must be an array of prompts$/],
    ['a bad name', [{ ...INVOICE, name: 'has space' }], /^#\/x-finmcp-prompts\/0\/name: "has space" must match/],
    ['no text', [{ ...INVOICE, text: undefined }], /^#\/x-finmcp-prompts\/0\/text: must be a non-empty string$/],
    ['an unknown member', [{ ...INVOICE, prompt: 'x' }], /^#\/x-finmcp-prompts\/0\/prompt: unknown member \(allowed: /],
    [
      'a tool the spec lacks',
      [{ ...INVOICE, tools: ['nope'] }],
      /^#\/x-finmcp-prompts\/0\/tools\/0: "nope" is not a tool of this spec$/,
    ],
    [
      'no tools',
      [{ ...INVOICE, tools: [] }],
      /^#\/x-finmcp-prompts\/0\/tools: must be a non-empty array of tool names/,
    ],
    [
      'a placeholder without argument',
      [{ ...INVOICE, text: 'Invoice {number}' }],
      /^#\/x-finmcp-prompts\/0\/text: placeholder \{number\} names no argument \(declared: invoice_number\)$/,
    ],
    [
      'an unused argument',
      [{ ...INVOICE, text: 'Invoices' }],
      /^#\/x-finmcp-prompts\/0\/text: placeholder|^#\/x-finmcp-prompts\/0\/arguments\/0: argument "invoice_number" is not used in the text/,
    ],
    ['a duplicate prompt', [INVOICE, INVOICE], /^#\/x-finmcp-prompts\/1\/name: "invoice_details" is declared twice$/],
    [
      'a default outside the enum',
      [{ ...INVOICE, arguments: [{ name: 'invoice_number', description: 'n', enum: ['a'], default: 'b' }] }],
      /arguments\/0\/default: "b" is not one of its enum$/,
    ],
    [
      'a default on a required argument',
      [{ ...INVOICE, arguments: [{ name: 'invoice_number', description: 'n', required: true, default: 'b' }] }],
      /arguments\/0\/default: a required argument has no default$/,
    ],
    [
      'examples not strings',
      [{ ...INVOICE, arguments: [{ name: 'invoice_number', description: 'n', examples: [1429] }] }],
      /arguments\/0\/examples: must be a non-empty array of strings$/,
    ],
  ];
  it.each(mistakes)('refuses %s, naming the pointer and the rule', (_, declared, message) => {
    expect(() => readPrompts({ 'x-finmcp-prompts': declared }, TOOLS)).toThrow(message);
  });
});
