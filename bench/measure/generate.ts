/**
 * `finmcp generate` time for both specs: the CLI run as a user runs it, timed from process spawn to exit,
 * median of a few runs. It runs in a scratch copy of the project's specs (so the working tree's generated/
 * is never rewritten by a benchmark); if that fails it falls back to `generate --check` in the project,
 * which does the same generation in memory and writes nothing.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../stats.js';

/** Generate timings. */
export interface GenerateResult {
  mode: 'scratch-copy' | 'check';
  runsMs: number[];
  medianMs: number;
  exitCode: number | null;
  error?: string;
}

function timed(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ ms: number; code: number | null; output: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code, output });
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code: -1, output: error.message });
    });
  });
}

/** Times `finmcp generate` `runs` times. */
export async function measureGenerate(root: string, runs: number): Promise<GenerateResult> {
  const cli = join(root, 'bin', 'finmcp.js');
  const scratch = await mkdtemp(join(tmpdir(), 'finmcp-bench-generate-'));
  try {
    await cp(join(root, 'specs'), join(scratch, 'specs'), { recursive: true });
    const samples: number[] = [];
    let last = { ms: 0, code: 0 as number | null, output: '' };
    for (let i = 0; i < runs; i += 1) {
      last = await timed(process.execPath, [cli, 'generate'], scratch, 60_000);
      if (last.code !== 0) break;
      samples.push(last.ms);
    }
    const wrote = await readdir(join(scratch, 'generated')).catch(() => [] as string[]);
    if (last.code === 0 && wrote.length > 0)
      return { mode: 'scratch-copy', runsMs: samples, medianMs: median(samples), exitCode: 0 };
    // The scratch copy lacked something the generator needs: time the in-memory check in the project instead.
    const checkSamples: number[] = [];
    let check = { ms: 0, code: 0 as number | null, output: '' };
    for (let i = 0; i < runs; i += 1) {
      check = await timed(process.execPath, [cli, 'generate', '--check'], root, 60_000);
      checkSamples.push(check.ms);
    }
    return {
      mode: 'check',
      runsMs: checkSamples,
      medianMs: median(checkSamples),
      exitCode: check.code,
      ...(check.code === 0 ? {} : { error: check.output.trim().split('\n').slice(-3).join(' | ') }),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
