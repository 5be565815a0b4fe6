import { describe, expect, it } from 'vitest';
import { globPattern, toolSelection } from '../../src/core/tool-selection.js';

const tools = [
  { name: 'repos_get', tags: ['repos'], readOnly: true },
  { name: 'repos_delete', tags: ['repos'], readOnly: false },
  { name: 'issues_list', tags: ['Issues'], readOnly: true },
  { name: 'login', tags: [], readOnly: false },
];
const pick = (options: Parameters<typeof toolSelection>[0]): string[] => {
  const select = toolSelection(options);
  return tools.filter((tool) => select === undefined || select(tool)).map((tool) => tool.name);
};

describe('toolSelection', () => {
  it.each([
    {
      name: 'nothing chosen: every tool, no predicate',
      given: {},
      want: ['repos_get', 'repos_delete', 'issues_list', 'login'],
    },
    { name: 'name globs, any match', given: { tools: 'repos_*, log?n' }, want: ['repos_get', 'repos_delete', 'login'] },
    { name: 'tags, case-insensitive', given: { tags: 'issues' }, want: ['issues_list'] },
    { name: 'read-only', given: { readOnly: true }, want: ['repos_get', 'issues_list'] },
    { name: 'criteria combine with AND', given: { tools: 'repos_*', readOnly: true }, want: ['repos_get'] },
  ])('$name', ({ given, want }) => {
    expect(pick(given)).toEqual(want);
  });

  it('globs match whole names and treat other characters literally', () => {
    expect(globPattern('a.b*').test('a.bc')).toBe(true);
    expect(globPattern('a.b*').test('axbc')).toBe(false);
    expect(globPattern('get').test('get_all')).toBe(false);
    expect(toolSelection({})).toBeUndefined();
  });
});
