/**
 * BENCHMARKS.md is always generated, never edited: from the last full `npm run bench` (bench/results.json,
 * with bench/HISTORY.md) and the last `npm run fuzz` (fuzz/results.json). Either command rewrites it from both
 * files, so each keeps the other's figures; code mode's section comes from the run itself or, when it skipped it,
 * from the last `npm run bench -- --only code` (bench/results.code.json); likewise the confirmed-write and audit
 * sections from the last `--only confirm` / `--only audit` / `--only metrics` run (bench/results.confirm.json,
 * results.audit.json, results.metrics.json), and the public API corpus from the last `--only corpus` run
 * (bench/results.corpus.json), shown beside the record of the generator before issue 23 (bench/corpus-before.json).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FuzzResults } from '../fuzz/summary.js';
import type { CorpusResults } from './measure/corpus.js';
import { renderMarkdown, type RunResults } from './report.js';

async function readJson<T>(file: string): Promise<T | undefined> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as T) : undefined;
}

/** The last fuzz run's results, if there are any. */
function readFuzzResults(root: string): Promise<FuzzResults | undefined> {
  return readJson<FuzzResults>(join(root, 'fuzz', 'results.json'));
}

/** The corpus measured with the generator as it was when issue 23 was filed, if it is recorded. */
export function readCorpusBefore(root: string): Promise<CorpusResults | undefined> {
  return readJson<CorpusResults>(join(root, 'bench', 'corpus-before.json'));
}

/** Writes `markdownFile` from `results` (default: bench/results.json), HISTORY.md and the last fuzz results. */
export async function renderBenchmarksFile(root: string, markdownFile: string, results?: RunResults): Promise<void> {
  let bench = results ?? (await readJson<RunResults>(join(root, 'bench', 'results.json')));
  if (bench === undefined) return;
  if (bench.codeMode === undefined) {
    // A run without the code-mode section shows the last `--only code` run's figures.
    const codeMode = await readJson<RunResults['codeMode']>(join(root, 'bench', 'results.code.json'));
    if (codeMode !== undefined) bench = { ...bench, codeMode };
  }
  for (const [part, key] of [
    ['confirm', 'confirmedWrite'],
    ['audit', 'auditCost'],
    ['metrics', 'metricsCost'],
  ] as const) {
    if (bench[key] !== undefined) continue;
    const alone = await readJson<RunResults>(join(root, 'bench', `results.${part}.json`));
    if (alone?.[key] !== undefined) bench = { ...bench, [key]: alone[key] };
  }
  if (bench.corpus === undefined) {
    const corpus = await readJson<CorpusResults>(join(root, 'bench', 'results.corpus.json'));
    if (corpus !== undefined) bench = { ...bench, corpus };
  }
  const historyFile = join(root, 'bench', 'HISTORY.md');
  const history = existsSync(historyFile) ? await readFile(historyFile, 'utf8') : undefined;
  await writeFile(
    markdownFile,
    renderMarkdown(bench, history, await readFuzzResults(root), await readCorpusBefore(root)),
  );
}
