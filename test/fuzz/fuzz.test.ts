/**
 * A short `npm run fuzz` inside `npm test`: 2,000 generated tool calls spread over both backends and both
 * transports (the compiled runner, `node dist/fuzz/run.js`, built by `npm test` before vitest), on the sandbox.
 * Fails on any finding and names the seed to replay it with. The seed is random unless FUZZ_SEED is set, so
 * every run explores new cases. No timing is asserted: `--max-seconds` only bounds how long cases are started.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzResults } from '../../fuzz/summary.js';
import { runCompiled } from '../helpers/run-compiled.js';
const SEED = process.env['FUZZ_SEED'] === undefined ? randomInt(2 ** 31 - 1) : Number(process.env['FUZZ_SEED']);

let dir: string;
let results: FuzzResults;
let output = '';
let exitCode: number | null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'finmcp-fuzz-'));
  const out = join(dir, 'results.json');
  const run = await runCompiled(
    'fuzz/run.js',
    [
      '--calls',
      '2000',
      '--seed',
      String(SEED),
      '--concurrency',
      '16',
      '--max-seconds',
      '120',
      '--out',
      out,
      '--markdown',
      'none',
    ],
    { guardMs: 840_000 },
  );
  exitCode = run.code;
  output = run.output;
  if (!existsSync(out))
    throw new Error(`fuzz run (seed ${SEED}) wrote no results, exit ${String(exitCode)}:\n${output}`);
  results = JSON.parse(await readFile(out, 'utf8')) as FuzzResults;
}, 900_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe(`npm run fuzz, short run (seed ${SEED}; replay: FUZZ_SEED=${SEED} or npm run fuzz -- --seed ${SEED})`, () => {
  it('fuzzes both backends over stdio and HTTP, and every server is still up at the end', () => {
    expect(results.phases.map((p) => `${p.transport}/${p.backend}`).sort()).toEqual([
      'http/b4b',
      'http/finopps',
      'stdio/b4b',
      'stdio/finopps',
    ]);
    for (const phase of results.phases) {
      expect(phase.toolCalls, `${phase.transport}/${phase.backend}`).toBeGreaterThan(0);
      expect(phase.serverAlive, `${phase.transport}/${phase.backend}`).toBe(true);
    }
  });

  it('sends generated tool calls, malformed envelopes and known-good calls after failures', () => {
    expect(results.toolCalls).toBeGreaterThan(0);
    expect(results.phases.reduce((n, p) => n + p.envelopes, 0)).toBeGreaterThan(0);
    expect(results.phases.reduce((n, p) => n + p.knownGood, 0)).toBeGreaterThan(0);
  });

  it('has no finding: every answer is JSON-RPC with the right id, no stack, no path, no secret, and the next call works', () => {
    const findings = [...results.phases.flatMap((p) => p.findings), ...results.logFindings];
    expect(
      findings.map(
        (f) => `${f.transport ?? 'log'}/${f.backend ?? ''} ${f.kind} case ${String(f.caseIndex)}: ${f.detail}`,
      ),
      output,
    ).toEqual([]);
    expect(results.findingCount).toBe(0);
    expect(exitCode).toBe(0);
  });
});
