/**
 * Runs the official MCP conformance suite (installed, pinned, by scripts/install-conformance-suite.mjs into
 * test/conformance/suite/ together with the Node 22 it needs) against a served endpoint, and reads its verdict
 * per scenario from the `checks.json` files it writes (`-o DIR/<scenario>-<time>/checks.json`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SUITE_DIR = join(import.meta.dirname, 'suite', 'node_modules');
/** The suite's own Node (22): the machine's Node is left as it is. */
const NODE22 = join(SUITE_DIR, 'node', 'bin', 'node');

/** The two pinned releases: the 2026-07-28 requirement set, and the newest 2025-11-25 suite. */
export const SUITES = {
  '2026-07-28': { package: 'conformance-2026-07-28', args: ['--requirements', '2026-07-28'] },
  '2025-11-25': { package: 'conformance-2025-11-25', args: ['--suite', 'active'] },
} as const;

/** One scenario's outcome: its failed checks (id and message); warnings and skips are not failures. */
interface ScenarioResult {
  failures: Array<{ id: string; message: string }>;
}

/** What one run found, by scenario, and its console output (for failure messages). */
export interface SuiteRun {
  scenarios: Map<string, ScenarioResult>;
  output: string;
}

/** Whether the suite is installed (npm ci runs the install; a missing one is a clear failure, not a skip). */
export function suiteInstalled(): string | undefined {
  for (const { package: name } of Object.values(SUITES)) {
    if (!existsSync(join(SUITE_DIR, name, 'dist', 'index.js')))
      return `${name} is not installed in test/conformance/suite: run npm ci (its postinstall installs it)`;
  }
  return existsSync(NODE22) ? undefined : 'the Node 22 of test/conformance/suite is not installed: run npm ci';
}

/** Runs one suite against `url`. */
export async function runSuite(suite: keyof typeof SUITES, url: string): Promise<SuiteRun> {
  const { package: name, args } = SUITES[suite];
  const out = mkdtempSync(join(tmpdir(), 'finmcp-conformance-run-'));
  try {
    const output = await new Promise<string>((resolve) => {
      execFile(
        NODE22,
        [join(SUITE_DIR, name, 'dist', 'index.js'), 'server', '--url', url, ...args, '-o', out],
        { timeout: 240_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
        // The suite exits non-zero when a scenario fails: the verdict is read from its files either way.
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      );
    });
    const scenarios = new Map<string, ScenarioResult>();
    for (const entry of readdirSync(out)) {
      const file = join(out, entry, 'checks.json');
      if (!existsSync(file)) continue;
      // `server-<scenario>-<ISO time with dashes>`
      const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
      const checks = JSON.parse(readFileSync(file, 'utf8')) as Array<{
        id: string;
        status: string;
        errorMessage?: string;
      }>;
      scenarios.set(scenario, {
        failures: checks
          .filter((c) => c.status === 'FAILURE')
          .map((c) => ({ id: c.id, message: c.errorMessage ?? '' })),
      });
    }
    return { scenarios, output };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The scenarios with failures, as `scenario: check — message` lines (for an assertion's message). */
export function describeFailures(run: SuiteRun, scenarios?: Iterable<string>): string[] {
  const wanted = scenarios === undefined ? undefined : new Set(scenarios);
  const lines: string[] = [];
  for (const [scenario, result] of run.scenarios) {
    if (wanted !== undefined && !wanted.has(scenario)) continue;
    for (const failure of result.failures) lines.push(`${scenario}: ${failure.id} — ${failure.message}`);
  }
  return lines;
}
