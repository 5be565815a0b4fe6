import { describe, expect, it } from 'vitest';
import { toolFileStems } from '../../../codegen/emit/tool-files.js';

describe('toolFileStems', () => {
  const cases: Array<{ name: string; given: string[]; want: Array<[string, string]> }> = [
    {
      name: 'names are stems',
      given: ['a', 'b-c'],
      want: [
        ['a', 'a'],
        ['b-c', 'b-c'],
      ],
    },
    {
      name: 'a name equal but for case to an earlier one gets .<n>',
      given: ['getA', 'GetA', 'geta', 'GetA.2x'],
      want: [
        ['getA', 'getA'],
        ['GetA', 'GetA.2'],
        ['geta', 'geta.3'],
        ['GetA.2x', 'GetA.2x'],
      ],
    },
    { name: 'none', given: [], want: [] },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect([...toolFileStems(given)]).toEqual(want);
  });
});
