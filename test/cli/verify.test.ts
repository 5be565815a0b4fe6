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
import { startPrism } from '../../src/sandbox/prism.js';

const scratch = mkdtempSync(join(tmpdir(), 'finmcp-verify-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('finmcp verify against the mocks of the committed specs', () => {
  it.each(['finopps', 'b4b'])(
    '%s: every operation agrees with the spec',
    async (backend) => {
      const report = await verifyBackend(backend, {});
      expect(report.mode).toBe('mock');
      expect(report.operations.length).toBeGreaterThanOrEqual(7);
      expect(report.ok, formatReport(report)).toBe(true);
    },
    120_000,
  );
});

describe("finmcp verify --backend-url (through Prism's validating proxy)", () => {
  it('verifies a running backend through the proxy', async () => {
    // The "real" backend here is itself a Prism mock of the spec: what matters is that requests and responses
    // pass through `prism proxy`, which validates both.
    const upstream = await startPrism({ specFile: join(projectRoot(), 'specs', 'b4b.yaml') });
    try {
      const report = await verifyBackend('b4b', { backendUrl: upstream.url });
      expect(report.mode).toBe('proxy');
      expect(report.ok, formatReport(report)).toBe(true);
      expect(report.operations).toHaveLength(15);
    } finally {
      await upstream.stop();
    }
  }, 120_000);
});

describe('finmcp verify --backend-url against a backend that drifted', () => {
  it("reports the response violations Prism's proxy finds, per operation", async () => {
    const current = readFileSync(join(projectRoot(), 'specs', 'finopps.yaml'), 'utf8');
    const driftedFile = join(scratch, 'finopps-drifted-backend.yaml');
    writeFileSync(driftedFile, current.replace(/\binvoiceNumber\b/g, 'number'));
    const upstream = await startPrism({ specFile: driftedFile });
    try {
      const report = await verifyBackend('finopps', { backendUrl: upstream.url });
      expect(report.ok).toBe(false);
      const listInvoices = report.operations.find((op) => op.tool === 'list_invoices');
      expect(listInvoices?.responseValidSpec, formatReport(report)).toBe(false);
      expect(listInvoices?.problems.join(' ')).toMatch(/response/);
    } finally {
      await upstream.stop();
    }
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
