import { describe, expect, it } from 'vitest';
import { words } from '../../src/core/dynamic-tools.js';

describe('words', () => {
  it.each([
    { given: 'reposGet', want: ['repos', 'get'] },
    { given: 'repos_get-content', want: ['repos', 'get', 'content'] },
    { given: '/repos/{owner}/{repo}/git/refs', want: ['repos', 'owner', 'repo', 'git', 'refs'] },
    { given: 'Get a repository v2', want: ['get', 'repository', 'v2'] },
  ])('$given', ({ given, want }) => {
    expect(words(given)).toEqual(want);
  });
});
