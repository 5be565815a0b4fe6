import { describe, expect, it } from 'vitest';
import type { HttpMethod } from '../../../contract/descriptor.js';
import { parseAnnotationsExtension, toolAnnotations } from '../../../codegen/descriptor/annotations.js';

describe('toolAnnotations', () => {
  const cases: Array<{ given: HttpMethod; want: [boolean, boolean, boolean] }> = [
    { given: 'get', want: [true, false, true] },
    { given: 'head', want: [true, false, true] },
    { given: 'put', want: [false, false, true] },
    { given: 'delete', want: [false, true, true] },
    { given: 'post', want: [false, false, false] },
    { given: 'patch', want: [false, false, false] },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(toolAnnotations(given, 'T', undefined)).toEqual({
      title: 'T',
      readOnlyHint: want[0],
      destructiveHint: want[1],
      idempotentHint: want[2],
      openWorldHint: true,
    });
  });

  it('x-mcp-annotations are merged over the defaults', () => {
    expect(toolAnnotations('post', 'Search', { readOnlyHint: true, idempotentHint: true })).toEqual({
      title: 'Search',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
  });
});

describe('parseAnnotationsExtension', () => {
  const cases: Array<{ name: string; given: unknown; want: unknown }> = [
    {
      name: 'known hints of the right type only',
      given: { readOnlyHint: true, destructiveHint: 'yes', bogusHint: true, title: 'X' },
      want: { readOnlyHint: true, title: 'X' },
    },
    { name: 'not an object', given: 'readOnly', want: undefined },
    { name: 'absent', given: undefined, want: undefined },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(parseAnnotationsExtension(given)).toEqual(want);
  });
});
