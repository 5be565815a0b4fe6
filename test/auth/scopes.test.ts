/** Scopes named by security requirements, per operation and per backend. */
import { describe, expect, it } from 'vitest';
import { operationScopes, specScopes } from '../../src/auth/scopes.js';
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';

function tool(security: Array<Record<string, string[]>>): ToolDescriptor {
  return { operation: { security } } as unknown as ToolDescriptor;
}

describe('operationScopes', () => {
  const cases: Array<{ given: Array<Record<string, string[]>>; want: string[] }> = [
    { given: [], want: [] },
    { given: [{ bearer: [] }], want: [] },
    { given: [{ oauth: ['b:read', 'a:read'] }], want: ['a:read', 'b:read'] },
    { given: [{ oauth: ['a:read'] }, { other: ['a:read', 'c:read'] }], want: ['a:read', 'c:read'] },
  ];
  it.each(cases)('$given → $want', ({ given, want }) => {
    expect(operationScopes(tool(given))).toEqual(want);
  });
});

describe('specScopes', () => {
  it("joins every operation's scopes, sorted, without repeats", () => {
    const generated = {
      tools: [tool([{ o: ['x', 'b'] }]), tool([{ o: ['a', 'x'] }]), tool([])],
    } as unknown as GeneratedBackend;
    expect(specScopes(generated)).toEqual(['a', 'b', 'x']);
  });
});
