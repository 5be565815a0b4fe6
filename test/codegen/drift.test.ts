/**
 * The spec-change workflow end to end: a copy of the real FinOpps spec is altered the ways backends really change
 * (a renamed response field, a new required parameter, an enum value removed) and regenerated over a copy of the
 * committed output. The change report must call each of them breaking, and `--check` must fail naming the files.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../codegen/generate.js';
import { projectRoot } from '../../src/paths.js';

const root = mkdtempSync(join(tmpdir(), 'finmcp-drift-'));
const specFile = join(root, 'specs', 'finopps.yaml');

/** Each alteration of the spec text, and the line the report must print for it. */
const alterations: Array<{ name: string; alter: (spec: string) => string; want: RegExp }> = [
  {
    name: 'a renamed response field',
    alter: (spec) => spec.replace(/\binvoiceNumber\b/g, 'number'),
    want: /breaking\s+list_invoices: output field `data\[\]\.invoiceNumber` removed/,
  },
  {
    name: 'a new required parameter',
    alter: (spec) =>
      spec.replace(
        /(operationId: list_invoices[\s\S]*?parameters:\n)/,
        `$1        - name: region\n          in: query\n          required: true\n          description: Sales region.\n          schema:\n            type: string\n          example: west\n`,
      ),
    want: /breaking\s+list_invoices: .*`region`.*required/,
  },
  {
    name: 'an enum value removed from an input',
    alter: (spec) =>
      spec.replace(
        'enum: [draft, sent, viewed, partially_paid, overdue, paid, void]',
        'enum: [draft, sent, viewed, partially_paid, overdue, paid]',
      ),
    want: /breaking\s+list_invoices: .*`status`.*void/,
  },
];

beforeAll(() => {
  cpSync(join(projectRoot(), 'specs', 'finopps.yaml'), specFile);
  cpSync(join(projectRoot(), 'generated', 'finopps'), join(root, 'generated', 'finopps'), { recursive: true });
  let spec = readFileSync(specFile, 'utf8');
  for (const { name, alter } of alterations) {
    const altered = alter(spec);
    expect(altered, `alteration "${name}" applies to the spec`).not.toBe(spec);
    spec = altered;
  }
  writeFileSync(specFile, spec);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('finmcp generate after a spec change', () => {
  it('--check fails naming the stale generated files', async () => {
    const result = await runGenerate({ root, check: true });
    expect(result.exitCode).not.toBe(0);
    // The changed tools' descriptor files and validator modules.
    expect(result.output).toMatch(/^stale: generated\/finopps\/tools\/\w+\.gen\.json$/m);
    expect(result.output).toMatch(/^stale: generated\/finopps\/validators\/\w+\.gen\.cjs$/m);
    // What does not depend on the tools stays fresh.
    expect(result.output).not.toContain('generated/finopps/index.gen.js');
  });

  it.each(alterations)('reports $name as breaking', async ({ want }) => {
    const result = await runGenerate({ root, check: true });
    expect(result.output).toMatch(want);
  });

  it('gives the same report as JSON, every change marked breaking or compatible', async () => {
    const result = await runGenerate({ root, check: true, json: true });
    const report = JSON.parse(result.output.slice(result.output.indexOf('{'))) as unknown;
    const text = JSON.stringify(report);
    expect(text).toContain('invoiceNumber');
    expect(text).toMatch(/"breaking"/);
  });
});
