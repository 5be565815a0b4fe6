/**
 * Runs one of the project's compiled entry points (`node dist/…`, built by `npm test` before vitest) as a child
 * process in the project root, as `npm run bench` / `npm run fuzz` do, keeping the tail of its output for messages.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** How the run ended, and the last `tailChars` of its stdout and stderr. */
export interface CompiledRun {
  code: number | null;
  output: string;
}

/**
 * Runs `node dist/<entry> ...args`. The entry bounds itself; `guardMs` only guards the test against a wedged child
 * (it is killed then), so give it generously.
 */
export function runCompiled(
  entry: string,
  args: readonly string[],
  options: { guardMs: number; env?: Record<string, string>; tailChars?: number },
): Promise<CompiledRun> {
  const script = join(ROOT, 'dist', entry);
  if (!existsSync(script))
    return Promise.reject(new Error(`${script} is missing: run \`npm run build\` first (npm test does)`));
  const tail = options.tailChars ?? 8000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-tail);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.guardMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
