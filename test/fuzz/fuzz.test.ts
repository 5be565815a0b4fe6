/**
 * A short `npm run fuzz` inside `npm test`: 2,000 generated tool calls spread over both backends and both
 * transports (the compiled runner, `node dist/fuzz/run.js`, built by `npm test` before vitest), on the sandbox.
 * Fails on any finding and names the seed to replay it with. The seed is random unless FUZZ_SEED is set, so
 * every run explores new cases. No timing is asserted: `--max-seconds` only bounds how long cases are started.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzResults } from '../../fuzz/summary.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUN = join(ROOT, 'dist', 'fuzz', 'run.js');
const SEED = process.env['FUZZ_SEED'] === undefined ? randomInt(2 ** 31 - 1) : Number(process.env['FUZZ_SEED']);

let dir: string;
let results: FuzzResults;
let output = '';
let exitCode: number | null;

beforeAll(async () => {
  if (!existsSync(RUN)) throw new Error(`${RUN} is missing: run \`npm run build\` first (npm test does)`);
  dir = await mkdtemp(join(tmpdir(), 'finmcp-fuzz-'));
  const out = join(dir, 'results.json');
  exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [RUN, '--calls', '2000', '--seed', String(SEED), '--concurrency', '16', '--max-seconds', '120', '--out', out, '--markdown', 'none'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // The runner bounds itself; this only guards the suite against a wedged child.
    const timer = setTimeout(() => child.kill('SIGKILL'), 840_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  if (!existsSync(out)) throw new Error(`fuzz run (seed ${SEED}) wrote no results, exit ${String(exitCode)}:\n${output}`);
  results = JSON.parse(await readFile(out, 'utf8')) as FuzzResults;
}, 900_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe(`npm run fuzz, short run (seed ${SEED}; replay: FUZZ_SEED=${SEED} or npm run fuzz -- --seed ${SEED})`, () => {
  it('fuzzes both backends over stdio and HTTP, and every server is still up at the end', () => {
    expect(results.phases.map((p) => `${p.transport}/${p.backend}`).sort()).toEqual(['http/b4b', 'http/finopps', 'stdio/b4b', 'stdio/finopps']);
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
    expect(findings.map((f) => `${f.transport ?? 'log'}/${f.backend ?? ''} ${f.kind} case ${String(f.caseIndex)}: ${f.detail}`), output).toEqual([]);
    expect(results.findingCount).toBe(0);
    expect(exitCode).toBe(0);
  });
});
