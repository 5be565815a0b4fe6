import { describe, expect, it } from 'vitest';
import { DefsRegistry, defBaseName, isRecursive } from '../../../codegen/schema/refs.js';

describe('defBaseName', () => {
  it('is the last pointer token, made safe for a $defs key', () => {
    const refs = [
      '#/components/schemas/TreeNode',
      '#/components/schemas/Tree%20Node',
      '#/components/schemas/a~1b',
      '#',
    ];
    expect(refs.map(defBaseName)).toEqual(['TreeNode', 'Tree_Node', 'a_b', 'Schema']);
  });
});

describe('isRecursive', () => {
  const cases = [
    { given: { ref: '#/a', stack: ['#/b', '#/a'] }, want: true },
    { given: { ref: '#/a', stack: ['#/b'] }, want: false },
    { given: { ref: '#/a', stack: [] as string[] }, want: false },
  ];
  it.each(cases)('$given.ref in $given.stack', ({ given, want }) => {
    expect(isRecursive(given.ref, given.stack)).toBe(want);
  });
});

describe('DefsRegistry', () => {
  it('names each reference once, avoids collisions, and hands out pending builds in request order', () => {
    const defs = new DefsRegistry();
    const given = [
      '#/components/schemas/Node',
      '#/components/requestBodies/Node',
      '#/components/schemas/Node',
      '#/x/Leaf',
    ];
    expect(given.map((ref) => defs.pointer(ref))).toEqual([
      '#/$defs/Node',
      '#/$defs/Node_2',
      '#/$defs/Node',
      '#/$defs/Leaf',
    ]);
    const built: string[] = [];
    for (let next = defs.next(); next !== undefined; next = defs.next()) built.push(`${next.name}=${next.ref}`);
    expect(built).toEqual([
      'Node=#/components/schemas/Node',
      'Node_2=#/components/requestBodies/Node',
      'Leaf=#/x/Leaf',
    ]);
  });
});
