/**
 * BENCHMARKS.md gets every section from results files, never by hand: a run's own results.json first, and for
 * sections that run skipped, the last `--only code` / `--only confirm` / `--only audit` results
 * (bench/results.<part>.json). Renders from the committed bench/results.json and results.code.json (code mode's
 * real task set in three modes) plus small confirm/audit results, in a scratch root.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBenchmarksFile } from '../../bench/benchmarks-file.js';
import type { AuditCostResult } from '../../bench/measure/audit-cost.js';
import type { CodeModeResults } from '../../bench/measure/code-mode.js';
import type { ConfirmedWriteResult } from '../../bench/measure/confirmed-write.js';

const ROOT = join(import.meta.dirname, '..', '..');
const percentiles = (p50: number) => ({ n: 20, p50, p90: p50 * 2, p99: p50 * 3 });
const confirmedWrite: ConfirmedWriteResult = {
  backend: 'b4b',
  tool: 'create_entity',
  writes: 20,
  warmup: 5,
  stores: [
    { store: 'memory', question: percentiles(1), write: percentiles(2), replay: percentiles(1), errors: 0 },
    { store: 'redis', question: percentiles(1.2), write: percentiles(2.5), replay: percentiles(1.1), errors: 0 },
  ],
  addedP50Ms: 0.5,
  addedP90Ms: 1,
  confirmed: 50,
  backendPosts: 50,
};
const side = (audit: 'off' | 'file', p50: number) => ({
  audit,
  p50,
  p90: p50 * 2,
  cpuMsPerCall: [0.2, 0.22],
  cpuMean: 0.21,
  callsPerSec: [900, 950],
  mismatches: 0,
  errors: 0,
});
const auditCost: AuditCostResult = {
  backend: 'b4b',
  tool: 'get_invoice',
  sizes: { warmup: 5, calls: 20, maxMs: 1000, clients: 4, durationMs: 300, rounds: 2 },
  off: side('off', 0.6),
  on: side('file', 0.65),
  addedP50Ms: 0.05,
  addedCpuMsPerCall: 0,
  auditedCalls: 100,
  records: 100,
};

let dir: string;
let markdown: string;
let codeMode: CodeModeResults;

describe('BENCHMARKS.md from the results files', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'finmcp-benchmarks-file-'));
    await mkdir(join(dir, 'bench'));
    const full = JSON.parse(await readFile(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>;
    // A full run that skipped the three sections.
    delete full['codeMode'];
    delete full['confirmedWrite'];
    delete full['auditCost'];
    await writeFile(join(dir, 'bench', 'results.json'), JSON.stringify(full));
    await copyFile(join(ROOT, 'bench', 'results.code.json'), join(dir, 'bench', 'results.code.json'));
    await writeFile(join(dir, 'bench', 'results.confirm.json'), JSON.stringify({ ...full, confirmedWrite }));
    await writeFile(join(dir, 'bench', 'results.audit.json'), JSON.stringify({ ...full, auditCost }));
    codeMode = JSON.parse(await readFile(join(ROOT, 'bench', 'results.code.json'), 'utf8')) as CodeModeResults;
    await renderBenchmarksFile(dir, join(dir, 'BENCHMARKS.md'));
    markdown = await readFile(join(dir, 'BENCHMARKS.md'), 'utf8');
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('shows calls and bytes per question in the three modes, and the totals per backend', () => {
    expect(markdown).toContain('## Code mode: calls and bytes per question');
    expect(markdown).toContain('| question | per tool | --dynamic | --code |');
    expect(codeMode.tasks.length).toBeGreaterThanOrEqual(20);
    for (const task of codeMode.tasks) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${task.backend}: ${task.question} |`));
      expect(row, task.id).toBeDefined();
      expect(row).toContain(`${task.code.calls} / ${task.code.bytes.toLocaleString('en')}`);
      expect(row).toContain(`${task.perTool.calls} / ${task.perTool.bytes.toLocaleString('en')}`);
    }
    expect(markdown).toMatch(/\| \*\*finopps, all questions\*\* \| \d+ \/ [\d,]+ \| n\/a \| \d+ \/ [\d,]+ \|/);
    expect(markdown).toMatch(/\| \*\*b4b, all questions\*\* \| \d+ \/ [\d,]+ \| \d+ \/ [\d,]+ \| \d+ \/ [\d,]+ \|/);
  });

  it('shows the confirmed write per store and the audit cost, each with its row in the Targets table', () => {
    expect(markdown).toContain('## Confirmed write: the claim on Redis vs in memory');
    expect(markdown).toContain('| **confirmed write** (retry → backend POST → result) | 2.000 ms / 4.000 ms |');
    expect(markdown).toContain('| confirmed write, claim on Redis: added p50 vs memory ≤ 1 ms | b4b | 0.500 ms | ✔ |');
    expect(markdown).toContain('The backend received 50 POSTs for 50 confirmed writes, each replayed once: one per');
    expect(markdown).toContain('## Audit trail: cost per call');
    expect(markdown).toContain('The audit file held 100 records for 100 tool calls');
    expect(markdown).toMatch(/\| audit trail \(file\): added p50 per call ≤ 0\.1 ms \(http\) \| b4b \| 0\.050 ms;/);
  });
});
