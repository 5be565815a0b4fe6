/**
 * Runs once before any test file: `npx finmcp --version`, so that npm's exec cache entry for this project exists
 * before tests start `npx finmcp` in parallel (test/cli/lifecycle.test.ts, printed-hints.test.ts). Two `npx` runs
 * creating that entry at once can leave it without its package.json, and every later `npx finmcp` on the machine
 * then fails with ENOENT (seen on this project's CI machine).
 */
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../src/paths.js';

export default function setup(): void {
  const run = spawnSync('npx', ['finmcp', '--version'], { cwd: projectRoot(), encoding: 'utf8', timeout: 180_000 });
  if (run.status !== 0) {
    throw new Error(`\`npx finmcp --version\` failed before the tests (exit ${run.status}): ${run.stderr.slice(-500)}`);
  }
}
