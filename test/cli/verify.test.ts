/**
 * `finmcp verify`: both backends agree with the Prism mocks of their own specs, and a server generated from the
 * current spec fails verification against a mock of a previous spec whose response field had another name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBackend, formatReport } from '../../src/cli/verify.js';
import { projectRoot } from '../../src/paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'finmcp-verify-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('finmcp verify against the mocks of the committed specs', () => {
  it.each(['finopps', 'b4b'])('%s: every operation agrees with the spec', async (backend) => {
    const report = await verifyBackend(backend, {});
    expect(report.mode).toBe('mock');
    expect(report.operations.length).toBeGreaterThanOrEqual(7);
    expect(report.ok, formatReport(report)).toBe(true);
  }, 120_000);
});

describe('finmcp verify against a mock of a previous spec', () => {
  it('fails naming the operation whose response field was renamed since', async () => {
    // The "previous" spec called the field `number`; today's spec (and so the server) calls it `invoiceNumber`.
    const current = readFileSync(join(projectRoot(), 'specs', 'finopps.yaml'), 'utf8');
    const previous = current.replace(/\binvoiceNumber\b/g, 'number');
    expect(previous).not.toBe(current);
    const previousFile = join(scratch, 'finopps-previous.yaml');
    writeFileSync(previousFile, previous);

    const report = await verifyBackend('finopps', { spec: previousFile });
    expect(report.ok).toBe(false);
    const failed = report.operations.filter((op) => !op.responseValidOutputSchema).map((op) => op.tool);
    expect(failed).toContain('list_invoices');
    expect(formatReport(report)).toMatch(/violate the contract: .*list_invoices/);
  }, 120_000);
});
