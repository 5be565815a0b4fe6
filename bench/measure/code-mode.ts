/**
 * Code mode's figures (issue 24): for every question of the task set (testkit/code-tasks.ts), the calls and bytes a
 * model exchanges to answer it — `tools/list` + each call's arguments + each result, as a proxy for tokens — in
 * per-tool mode, `--dynamic` and `--code`, side by side; and the sandbox's own costs: a run's start-up, the overhead
 * of one `api` call, and the type check of a program. Runs in process against each backend's Prism mock (the
 * transport's framing is the same in every mode, so it is left out of the bytes).
 */
import { performance } from 'node:perf_hooks';
import { wrapProgram } from '../../src/code/compile.js';
import { runInSandbox } from '../../src/code/sandbox.js';
import { sandboxLimits } from '../../src/code/serve-code.js';
import { Settings } from '../../src/config.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { type CodeHarness, type HarnessCaller, startCodeHarness } from '../../testkit/code-harness.js';
import { CODE_TASKS, type CodeTask } from '../../testkit/code-tasks.js';
import { githubBackend } from '../../testkit/github-backend.js';

/** The backends of the task set, in the order measured and shown. */
const BACKENDS = ['finopps', 'b4b', 'github'] as const;

/** Calls and bytes of one mode on one task. */
interface ModeFigures {
  calls: number;
  bytes: number;
  /** The answer matched the per-tool one. */
  correct: boolean;
}

/** One task in the three modes; `dynamic` is null where `serve` refuses `--dynamic` (per-tool OAuth scopes). */
interface CodeTaskFigures {
  id: string;
  backend: string;
  question: string;
  perTool: ModeFigures;
  dynamic: ModeFigures | null;
  code: ModeFigures;
}

/** What the sandbox itself costs, in milliseconds (medians over `runs`). */
interface EngineFigures {
  runs: number;
  /** A run that does nothing: runtime, context and bridge set up and torn down. */
  startupMs: number;
  /** A run making one `api` call that the host answers at once. */
  startupPlusOneCallMs: number;
  /** Each further call, from a run making 20. */
  perCallMs: number;
  /** Type check and emit of a task program (after the first, which loads the libraries). */
  typeCheckMs: number;
}

export interface CodeModeResults {
  tasks: CodeTaskFigures[];
  engine: EngineFigures;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 1000) / 1000;
};

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? {}));

/** Measures the engine alone: the same limits as `serve --code`, a host call that answers at once. */
async function engineFigures(harness: CodeHarness, runs: number): Promise<EngineFigures> {
  const limits = sandboxLimits(new Settings({}));
  const answer = async (): Promise<string> => '{"ok":true}';
  const time = async (code: string): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const outcome = await runInSandbox(wrapProgram(code), ['ping'], answer, limits);
      out.push(performance.now() - started);
      if (!outcome.ok) throw new Error(`engine measurement failed: ${outcome.error}`);
    }
    return out;
  };
  await time('return 1');
  const startup = median(await time('return 1'));
  const one = median(await time('return await api.ping({});'));
  const twenty = median(await time('for (let i = 0; i < 20; i++) await api.ping({ i });\nreturn 1;'));
  const checks: number[] = [];
  const caller = harness.caller();
  for (const task of CODE_TASKS.filter((t) => t.backend === harness.backend).slice(0, 5)) {
    // A wrong argument makes the run stop at the type check: the time is the check's alone.
    const started = performance.now();
    await harness.call(harness.code, caller, 'run_code', {
      code: `${task.program}\nconst _never: number = 'type error';`,
    });
    checks.push(performance.now() - started);
  }
  return {
    runs,
    startupMs: startup,
    startupPlusOneCallMs: one,
    perCallMs: Math.round(((twenty - startup) / 20) * 1000) / 1000,
    typeCheckMs: median(checks),
  };
}

/** Calls one tool, counting calls and bytes; resolves to its structured result. */
function counter(harness: CodeHarness, caller: HarnessCaller, service: CodeHarness['perTool']) {
  const figures = { calls: 0, bytes: 0 };
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> => {
    const result = await harness.call(service, caller, name, args);
    figures.calls++;
    figures.bytes += bytes({ name, arguments: args }) + bytes(result);
    return result;
  };
  return { figures, call };
}

/** One task in the three modes. */
async function measureTask(
  harness: CodeHarness,
  caller: HarnessCaller,
  task: CodeTask,
  dynamicServed: boolean,
): Promise<CodeTaskFigures> {
  const perTool = counter(harness, caller, harness.perTool);
  perTool.figures.bytes += bytes({ tools: harness.perTool.listTools() });
  const used: string[] = [];
  const expected = await task.perTool(async (name, args) => {
    if (!used.includes(name)) used.push(name);
    const result = await perTool.call(name, args);
    if (result.isError === true) throw new Error(`${task.id}: ${name} failed`);
    return result.structuredContent;
  });

  let dynamic: ModeFigures | null = null;
  if (dynamicServed) {
    const meta = counter(harness, caller, harness.dynamic);
    meta.figures.bytes += bytes({ tools: harness.dynamic.listTools() });
    const described = new Set<string>();
    const answer = await task.perTool(async (name, args) => {
      if (!described.has(name)) {
        described.add(name);
        const title = harness.perTool.listTools().find((t) => t.name === name)?.title ?? name;
        await meta.call('search_tools', { query: title });
        await meta.call('describe_tool', { name });
      }
      const result = await meta.call('call_tool', { name, arguments: args ?? {} });
      return result.structuredContent;
    });
    dynamic = { ...meta.figures, correct: JSON.stringify(answer) === JSON.stringify(expected) };
  }

  const code = counter(harness, caller, harness.code);
  code.figures.bytes += bytes({ tools: harness.code.listTools() });
  await code.call('search_api', { query: task.uses.join(' '), limit: Math.max(5, task.uses.length) });
  const run = await code.call('run_code', { code: task.program });
  const answer = (run.structuredContent as { result?: unknown } | undefined)?.result;
  return {
    id: task.id,
    backend: task.backend,
    question: task.question,
    perTool: { ...perTool.figures, correct: true },
    dynamic,
    code: { ...code.figures, correct: run.isError !== true && JSON.stringify(answer) === JSON.stringify(expected) },
  };
}

/** Runs the whole scenario; `engineRuns` runs per engine figure. */
export async function measureCodeMode(engineRuns = 200): Promise<CodeModeResults> {
  const logger = createLogger({ level: 'silent' });
  const tasks: CodeTaskFigures[] = [];
  let engine: EngineFigures | undefined;
  for (const backend of BACKENDS) {
    // GitHub's description is generated in a scratch folder for the run (testkit/github-backend.ts).
    const github = backend === 'github' ? await githubBackend() : undefined;
    const harness = await startCodeHarness(github?.backend ?? backend, logger).catch(async (error: unknown) => {
      await github?.remove();
      throw error;
    });
    try {
      const caller = harness.caller(backend === 'b4b' ? 'anonymous' : 'alice');
      if (backend === 'b4b')
        await harness.call(harness.perTool, caller, 'login', { phone: '+84909495665', password: 'SecurePassword123@' });
      engine ??= await engineFigures(harness, engineRuns);
      // `serve` refuses --dynamic where scopes are checked per tool (FinOpps): its figures would describe no real server.
      const dynamicServed = backend !== 'finopps';
      for (const task of CODE_TASKS.filter((t) => t.backend === backend))
        tasks.push(await measureTask(harness, caller, task, dynamicServed));
    } finally {
      await harness.close();
      await github?.remove();
    }
  }
  return { tasks, engine: engine as EngineFigures };
}

/** The BENCHMARKS.md section. */
export function renderCodeMode(results: CodeModeResults): string {
  const cell = (m: ModeFigures | null): string =>
    m === null ? 'n/a' : `${m.calls} / ${m.bytes.toLocaleString('en')}${m.correct ? '' : ' ✗'}`;
  const total = (pick: (t: CodeTaskFigures) => ModeFigures | null, backend: string): string => {
    const rows = results.tasks.filter((t) => t.backend === backend).map(pick);
    if (rows.some((r) => r === null)) return 'n/a';
    const sum = rows.reduce(
      (acc, r) => ({ calls: acc.calls + (r as ModeFigures).calls, bytes: acc.bytes + (r as ModeFigures).bytes }),
      { calls: 0, bytes: 0 },
    );
    return `${sum.calls} / ${sum.bytes.toLocaleString('en')}`;
  };
  const e = results.engine;
  return [
    '## Code mode: calls and bytes per question',
    '',
    'Each question of the task set (testkit/code-tasks.ts) answered per tool, with `--dynamic` (search_tools, describe_tool, call_tool) and with `--code` (search_api, then one run_code). Cells: calls / bytes a model exchanges (`tools/list` + arguments + results, a proxy for tokens). ✗: the answer differed from the per-tool one. FinOpps has no `--dynamic` (`serve` refuses it where OAuth scopes are checked per tool). GitHub: its published REST description (845 operations), generated for the run, answered from its examples by Prism.',
    '',
    '| question | per tool | --dynamic | --code |',
    '| --- | --- | --- | --- |',
    ...results.tasks.map(
      (t) => `| ${t.backend}: ${t.question} | ${cell(t.perTool)} | ${cell(t.dynamic)} | ${cell(t.code)} |`,
    ),
    ...BACKENDS.filter((b) => results.tasks.some((t) => t.backend === b)).map(
      (b) =>
        `| **${b}, all questions** | ${total((t) => t.perTool, b)} | ${total((t) => t.dynamic, b)} | ${total((t) => t.code, b)} |`,
    ),
    '',
    `Sandbox (QuickJS in WebAssembly, in a worker thread, a fresh runtime per run; medians of ${e.runs} runs): start-up ${e.startupMs} ms, start-up + one api call ${e.startupPlusOneCallMs} ms, each further call ${e.perCallMs} ms; type check of a program ${e.typeCheckMs} ms.`,
    '',
  ].join('\n');
}
