import { describe, expect, it } from 'vitest';
import { type GenerateReport, formatBackend, formatJson, formatText } from '../../../codegen/report/format.js';

const change = {
  tool: 't',
  kind: 'tool-removed' as const,
  severity: 'breaking' as const,
  message: 'tool `t` removed (GET /t)',
};

describe('formatBackend', () => {
  const cases: Array<{ name: string; given: Parameters<typeof formatBackend>[0]; want: string[] }> = [
    {
      name: 'new',
      given: { backend: 'acme', status: 'new', toolCount: 3, changes: [] },
      want: ['acme: new backend, 3 tools'],
    },
    {
      name: 'unchanged',
      given: { backend: 'acme', status: 'unchanged', toolCount: 3, changes: [] },
      want: ['acme: no tool changes (3 tools)'],
    },
    {
      name: 'changed',
      given: { backend: 'acme', status: 'changed', toolCount: 3, changes: [change] },
      want: ['acme: 1 breaking, 0 compatible changes', '  breaking    tool `t` removed (GET /t)'],
    },
    {
      name: 'removed',
      given: { backend: 'old', status: 'removed', toolCount: 0, changes: [change] },
      want: ['old: backend removed (spec deleted)', '  breaking    tool `t` removed (GET /t)'],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(formatBackend(given)).toEqual(want);
  });
});

describe('formatText', () => {
  const report = (mode: 'check' | 'write', status: 'fresh' | 'stale'): GenerateReport => ({
    mode,
    exitCode: 0,
    files: [{ path: 'generated/a/tools.gen.ts', status }],
    backends: [],
    errors: [],
  });
  const cases: Array<{ name: string; given: GenerateReport; want: string }> = [
    {
      name: 'check, stale',
      given: report('check', 'stale'),
      want: 'stale: generated/a/tools.gen.ts\n1 generated file is out of date: run `finmcp generate`\n',
    },
    { name: 'check, fresh', given: report('check', 'fresh'), want: 'generated files are fresh\n' },
    { name: 'write', given: report('write', 'stale'), want: 'wrote generated/a/tools.gen.ts\n' },
    {
      name: 'errors first',
      given: { ...report('check', 'fresh'), errors: ['specs/a.yaml: bad'] },
      want: 'error: specs/a.yaml: bad\n',
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(formatText(given)).toBe(want);
  });

  it('JSON round-trips the report', () => {
    const given = report('check', 'stale');
    expect(JSON.parse(formatJson(given))).toEqual(given);
  });
});
