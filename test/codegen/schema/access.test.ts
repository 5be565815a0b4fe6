import { describe, expect, it } from 'vitest';
import { type SchemaMode, removeHiddenProperties } from '../../../codegen/schema/access.js';

describe('removeHiddenProperties', () => {
  const schema = (): Record<string, unknown> => ({
    type: 'object',
    required: ['id', 'name', 'secret'],
    properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' }, secret: { writeOnly: true } },
  });
  const cases: Array<{ given: SchemaMode; want: { removed: string[]; properties: string[]; required: string[] } }> = [
    { given: 'input', want: { removed: ['id'], properties: ['name', 'secret'], required: ['name', 'secret'] } },
    { given: 'output', want: { removed: ['secret'], properties: ['id', 'name'], required: ['id', 'name'] } },
  ];
  it.each(cases)('$given mode', ({ given, want }) => {
    const s = schema();
    expect(removeHiddenProperties(s, given)).toEqual(want.removed);
    expect(Object.keys(s['properties'] as object)).toEqual(want.properties);
    expect(s['required']).toEqual(want.required);
  });

  it('deletes `required` when nothing is left in it', () => {
    const s = { type: 'object', required: ['id'], properties: { id: { readOnly: true } } };
    removeHiddenProperties(s, 'input');
    expect(s).toEqual({ type: 'object', properties: {} });
  });
});
