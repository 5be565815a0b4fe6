/**
 * Issue 17 "invoice by number": `get_invoice` names an invoice by its id (UUID) or by its number as a user
 * writes it (`INV-1429`, `1429`, `#1429`). The change from the UUID-only contract must regenerate as a
 * compatible change (clients' old arguments stay valid), and the contract must still refuse anything else.
 * The change report is produced by the normal workflow (`runGenerate`, what `finmcp generate --json` runs)
 * over a scratch copy: the previous contract generated first, then the current one checked against it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../codegen/generate.js';
import type { ToolChange } from '../../codegen/report/diff.js';
import { projectRoot } from '../../src/paths.js';
import { itAnswers } from '../helpers/truth-table.js';

type AddFormats = typeof import('ajv-formats').default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as AddFormats;

const current = readFileSync(join(projectRoot(), 'specs', 'finopps.yaml'), 'utf8');
/** The `invoiceId` parameter schema as it is now (id or number). */
const ID_OR_NUMBER = /( {4}InvoiceId:\n[\s\S]*?\n {6}schema:\n)( {8}anyOf:\n[\s\S]*?)(\n {6}example:)/;
/** The contract before issue 17: the invoice's UUID only. */
const previous = current.replace(ID_OR_NUMBER, '$1        type: string\n        format: uuid$3');

const root = mkdtempSync(join(tmpdir(), 'finmcp-invoice-number-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('regenerating after get_invoice accepts invoice numbers', () => {
  let changes: ToolChange[];

  beforeAll(async () => {
    expect(previous, 'the previous contract is derived from the current one').not.toBe(current);
    mkdirSync(join(root, 'specs'));
    writeFileSync(join(root, 'specs', 'finopps.yaml'), previous);
    const before = await runGenerate({ root });
    expect(before.exitCode, before.output).toBe(0);
    writeFileSync(join(root, 'specs', 'finopps.yaml'), current);
    const after = await runGenerate({ root, check: true, json: true });
    const report = JSON.parse(after.output.slice(after.output.indexOf('{'))) as {
      errors: string[];
      backends: Array<{ backend: string; status: string; changes: ToolChange[] }>;
    };
    expect(report.errors).toEqual([]);
    const finopps = report.backends.find((b) => b.backend === 'finopps');
    expect(finopps?.status).toBe('changed');
    changes = finopps?.changes ?? [];
  }, 120_000);

  it('reports the widened invoiceId as a compatible change of get_invoice', () => {
    expect(changes).toContainEqual(
      expect.objectContaining({ tool: 'get_invoice', property: 'invoiceId', severity: 'compatible' }),
    );
  });

  it('reports nothing breaking', () => {
    expect(changes.filter((c) => c.severity === 'breaking')).toEqual([]);
  });
});

describe('the invoiceId parameter of specs/finopps.yaml', () => {
  const spec = parse(current) as { components: Record<string, Record<string, unknown>> };
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword('components');
  ajv.addSchema({ $id: 'https://finmcp.test/finopps.json', components: spec.components });
  const validate = ajv.compile({ $ref: 'https://finmcp.test/finopps.json#/components/parameters/InvoiceId/schema' });

  itAnswers(
    'accepts',
    (given: string) => validate(given),
    ['8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', 'INV-1429', 'inv-1429', '1429', '#1429'],
    ['invoice 1429', '#INV-1429', 'INV-', '14x', '', '1'.repeat(13)],
  );
});
