/**
 * Code mode (`serve --code`): instead of one tool per operation, `tools/list` shows two tools (MCP 2025-11-25 /
 * 2026-07-28, Server / Tools). `search_api` finds operations by words, tags and paths and returns their TypeScript
 * declarations; `run_code` runs a short program against an `api` object whose methods are the served operations,
 * so a question that takes many tool calls — every intermediate result passing through the model — takes one.
 *
 * Same rules as tools: every `api.x(args)` is a call of the tool `x` through the backend's own ToolService with the
 * caller's context — input validation and its messages, bound (tenant) properties, overrides and their checks
 * (a write asks the user exactly as the tool does), outbound auth, logging (one line per call) and redaction. The
 * per-tool OAuth scopes an HTTP transport checks per `tools/call` are checked here per `api` call, and so is the
 * caller's rate limit (each call takes a request from the same bucket as a `tools/call`). `--tools`,
 * `--tags` and `--read-only` decide which methods `api` has, as they decide which tools are listed. Programs are
 * checked before they run (compile.ts), run in QuickJS with limits (sandbox.ts), and their result is cut to the
 * same budget as a tool result, with a note (large-response.ts). Writes already made by a run that ended waiting for
 * the user are replayed, not repeated, when the client retries (replay.ts).
 */
import type { CallContext, ElicitAnswer, Elicitor } from '../core/call-context.js';
import type { ToolResult, ToolService } from '../core/tool-service-api.js';
import type { ListedTool, ToolDescriptor } from '../../contract/descriptor.js';
import { isObject } from '../../contract/json.js';
import { toolSearch } from '../core/dynamic-tools.js';
import { compileResponseShaper } from '../core/large-response.js';
import type { Logger } from '../log.js';
import { apiDeclarations, declarationsFor } from './api-declarations.js';
import { createProgramCompiler, type ProgramCompiler, type ProgramLanguage } from './compile.js';
import { ReplayLog } from './replay.js';
import { runInSandbox } from './sandbox.js';
import { StopProgram, type SandboxLimits, type SandboxOutcome } from './sandbox-protocol.js';

/** Options of {@link codeToolService}. */
export interface CodeModeOptions {
  limits: SandboxLimits;
  /** Budget of a `run_code` result (FINMCP_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** OAuth scopes a tool needs, for backends that check them per tool; omitted: none are checked here. */
  requiredScopes?: (tool: string) => readonly string[];
  logger: Logger;
}

const SEARCH: ListedTool = {
  name: 'search_api',
  title: 'Search the API',
  description:
    'Finds operations of this API by words (e.g. "overdue invoices", "vendors", a path such as "/entities" or a tag), best first, and returns their TypeScript declarations: `api.<name>(args)` with its argument and result types. Write a program for `run_code` with them.',
  inputSchema: {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'What you want to do, in a few words; or operation names, tags or paths.',
      },
      limit: { type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'Most operations to return.' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

const RUN: ListedTool = {
  name: 'run_code',
  title: 'Run a program against the API',
  description:
    'Runs a short TypeScript (or JavaScript) program: the body of an async function with an `api` object whose methods are the operations `search_api` declares (`const page = await api.list_invoices({ status: "overdue" })`) and `console.log`. `return` a JSON value: it comes back with the console lines. Type errors are reported before anything runs. No network, files, modules or timers; limits on CPU time, memory, wall time and API calls. Each api call is checked like the tool of that name, and a call that changes data asks the user as that tool does.',
  inputSchema: {
    type: 'object',
    properties: {
      code: {
        type: 'string',
        minLength: 1,
        maxLength: 20_000,
        description: 'The program: the body of an async function; `return` its answer.',
      },
      language: {
        type: 'string',
        enum: ['typescript', 'javascript'],
        default: 'typescript',
        description: 'How the program is checked: as TypeScript, or leniently as JavaScript.',
      },
    },
    required: ['code'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

const TOOLS: readonly ListedTool[] = [SEARCH, RUN];

function result(
  structured: Record<string, unknown>,
  notes: readonly string[] = [],
  json = JSON.stringify(structured),
): ToolResult {
  return {
    content: [{ type: 'text', text: json }, ...notes.map((text) => ({ type: 'text' as const, text }))],
    structuredContent: structured,
  };
}

function failure(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** A tool result's text, for the Error a program sees. */
function errorText(res: ToolResult): string {
  return res.content.map((block) => block.text).join('\n');
}

/** What `search_api` and `run_code` share: the served operations, their declarations, and how to call them. */
interface CodeApi {
  inner: ToolService;
  options: CodeModeOptions;
  index: ReturnType<typeof toolSearch>;
  names: readonly string[];
  /** Every served operation, and whether it only reads. */
  readOnly: ReadonlyMap<string, boolean>;
  /** Each served operation's `METHOD /path`. */
  operations: ReadonlyMap<string, string>;
  declarations: ReturnType<typeof apiDeclarations>;
  shape: ReturnType<typeof compileResponseShaper>;
  /** The program compiler, made on first use. */
  compiler: () => ProgramCompiler;
}

/** Wraps a backend's ToolService in `search_api` and `run_code`. */
export function codeToolService(
  inner: ToolService,
  descriptors: readonly ToolDescriptor[],
  options: CodeModeOptions,
): ToolService {
  const served = inner.listTools();
  const index = toolSearch(served, descriptors);
  const operations = new Map(served.map((tool) => [tool.name, index.get(tool.name)?.operation ?? ''] as const));
  const declarations = apiDeclarations(served, operations);
  let compiler: ProgramCompiler | undefined;
  const api: CodeApi = {
    inner,
    options,
    index,
    names: served.map((tool) => tool.name),
    readOnly: new Map(served.map((tool) => [tool.name, tool.annotations?.readOnlyHint === true] as const)),
    operations,
    declarations,
    shape: compileResponseShaper({ type: 'object' }, undefined, options.maxResponseBytes),
    compiler: () => {
      compiler ??= createProgramCompiler(declarations.file);
      return compiler;
    },
  };

  return {
    backend: inner.backend,
    stateful: inner.stateful,
    listTools: () => TOOLS as ListedTool[],
    hasTool: (name) => TOOLS.some((tool) => tool.name === name),
    // Searching reads only the declarations; running a program calls the backend.
    localTools: new Set([SEARCH.name]),
    callTool: async (name, args, ctx) => {
      const given = args ?? {};
      if (name === SEARCH.name) return search(api, given);
      if (name === RUN.name) return run(api, given, ctx);
      return failure(`Unknown tool ${JSON.stringify(name)}`);
    },
    ...(inner.endSession === undefined ? {} : { endSession: inner.endSession }),
  };
}

/** `search_api`: exact operation names first, then the index's best matches, with their declarations. */
function search(api: CodeApi, args: Record<string, unknown>): ToolResult {
  const { index, readOnly, operations } = api;
  const query = typeof args['query'] === 'string' ? args['query'] : '';
  const limit = typeof args['limit'] === 'number' ? Math.min(20, Math.max(1, Math.floor(args['limit']))) : 5;
  const exact = query.split(/[\s,]+/).filter((word) => readOnly.has(word));
  const found = index.find(query, limit);
  if (found === undefined && exact.length === 0)
    return failure('Invalid arguments:\n- query: must contain at least one word');
  const picked = [...new Set([...exact, ...(found ?? []).map((f) => f.tool.name)])].slice(0, limit);
  return result({
    operations: picked.map((name) => {
      const tool = index.get(name)?.tool;
      return {
        name,
        title: tool?.title ?? name,
        operation: operations.get(name) ?? '',
        readOnly: readOnly.get(name) === true,
      };
    }),
    declarations: declarationsFor(api.declarations, picked),
  });
}

/** `run_code`: checks the arguments, compiles the program, runs it in the sandbox and shapes its outcome. */
async function run(api: CodeApi, args: Record<string, unknown>, ctx: CallContext): Promise<ToolResult> {
  const invalid = runArgumentsError(args);
  if (invalid !== undefined) return invalid;
  const program = args['code'] as string;
  const language = (args['language'] ?? 'typescript') as ProgramLanguage;
  const compiled = api.compiler().compile(program, language);
  if (!compiled.ok) {
    return failure(
      `The program was not run: it has type errors (check the declarations with search_api):\n${compiled.errors.map((e) => `- ${e}`).join('\n')}`,
    );
  }
  const replay = new ReplayLog(ctx.session, api.inner.backend, `${language}\n${program}`);
  const calls = new ProgramCalls(api, ctx, replay);
  const outcome = await runInSandbox(compiled.js, api.names, calls.call, api.options.limits, ctx.signal);
  await replay.close(calls.waiting !== undefined);
  if (calls.waiting !== undefined) return failure(calls.waiting);
  return outcomeResult(api, outcome);
}

/** The failure naming every problem of `run_code`'s arguments, or undefined when they are valid. */
function runArgumentsError(args: Record<string, unknown>): ToolResult | undefined {
  const code = args['code'];
  const language = args['language'] ?? 'typescript';
  const problems: string[] = [];
  if (typeof code !== 'string' || code.trim() === '') problems.push('code: must be a non-empty string');
  else if (code.length > 20_000) problems.push('code: must NOT have more than 20000 characters');
  if (language !== 'typescript' && language !== 'javascript')
    problems.push('language: must be equal to one of the allowed values: typescript, javascript');
  for (const key of Object.keys(args))
    if (key !== 'code' && key !== 'language')
      problems.push(`(root): must NOT have additional properties (${key.slice(0, 64)})`);
  if (problems.length === 0) return undefined;
  return failure(`Invalid arguments:\n${problems.map((p) => `- ${p}`).join('\n')}`);
}

/** A finished run as `run_code`'s result: its value, console lines and call count, cut to the response budget. */
function outcomeResult(api: CodeApi, outcome: SandboxOutcome): ToolResult {
  const { maxResponseBytes } = api.options;
  if (!outcome.ok) {
    const logs = outcome.logs.length === 0 ? '' : `\nConsole:\n${outcome.logs.join('\n')}`;
    return failure(
      `The program failed after ${outcome.calls} API call${outcome.calls === 1 ? '' : 's'}: ${outcome.error}${logs}`,
    );
  }
  const structured: Record<string, unknown> = {
    result: JSON.parse(outcome.json) as unknown,
    logs: outcome.logs,
    calls: outcome.calls,
  };
  const shaped = api.shape(structured, {});
  if (Buffer.byteLength(shaped.json) > maxResponseBytes) {
    return failure(
      `The program's result is ${Buffer.byteLength(shaped.json)} bytes, more than the ${maxResponseBytes} a result may be: return a summary (totals, counts, the first items).`,
    );
  }
  const notes =
    shaped.truncated === undefined
      ? []
      : [
          `The result was cut to ${maxResponseBytes} bytes: ${shaped.truncated.shown} of ${shaped.truncated.total} items of its largest list are shown. Return fewer or smaller items.`,
        ];
  return result(shaped.structured, notes, shaped.json);
}

/**
 * The `api` calls of one run: each is checked (known operation, JSON object arguments, OAuth scopes), then a write
 * already made by an earlier try of this program is replayed, and anything else goes to the backend's ToolService
 * as a call of that tool.
 */
class ProgramCalls {
  /** Set when a call ended waiting for the user's answer: the text the client gets instead of a result. */
  waiting: string | undefined;
  private count = 0;
  private readonly api: CodeApi;
  private readonly ctx: CallContext;
  private readonly replay: ReplayLog;

  constructor(api: CodeApi, ctx: CallContext, replay: ReplayLog) {
    this.api = api;
    this.ctx = ctx;
    this.replay = replay;
  }

  /** The sandbox's HostCall. */
  readonly call = async (name: string, argsJson: string, signal: AbortSignal): Promise<string> => {
    const call = ++this.count;
    const callArgs = this.checked(name, argsJson);
    const writes = this.api.readOnly.get(name) !== true;
    let res = writes ? this.replay.replay(call, name, argsJson) : undefined;
    if (res !== undefined) this.logReplayed(name);
    else {
      await this.charge(name);
      res = await this.forward(call, name, callArgs, signal);
      if (writes) this.replay.record(call, name, argsJson, res);
    }
    if (res.isError === true) throw new Error(`api.${name}: ${errorText(res)}`);
    return JSON.stringify(res.structuredContent ?? { text: errorText(res) });
  };

  /** The call's arguments, once it names an operation, they are a JSON object and the caller holds its scopes. */
  private checked(name: string, argsJson: string): Record<string, unknown> {
    if (!this.api.readOnly.has(name)) throw new Error(`api.${name.slice(0, 64)} is not an operation of this API`);
    let callArgs: unknown;
    try {
      callArgs = JSON.parse(argsJson);
    } catch {
      throw new Error(`api.${name}: its arguments are not JSON`);
    }
    if (!isObject(callArgs)) throw new Error(`api.${name}: Invalid arguments:\n- (root): must be object`);
    const missing = this.missingScopes(name);
    if (missing.length > 0)
      throw new Error(
        `api.${name}: refused: your access token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`,
      );
    return callArgs;
  }

  /** The OAuth scopes the caller lacks for `name`, if any. */
  private missingScopes(name: string): string[] {
    const needed = this.api.options.requiredScopes?.(name) ?? [];
    const held = new Set(this.ctx.principal.scopes);
    return needed.filter((scope) => !held.has(scope));
  }

  /**
   * Takes the call from the caller's rate limit, as the tool call it stands for would be; over the limit the whole
   * program stops (a 429 would refuse that tool call), saying when to retry.
   */
  private async charge(name: string): Promise<void> {
    const wait = await this.ctx.chargeRate?.();
    if (wait === undefined || wait === 0) return;
    throw new StopProgram(
      `api.${name}: refused: too many requests (each api call counts against your rate limit like a tool call); retry in ${wait} s.`,
    );
  }

  private logReplayed(name: string): void {
    const { ctx } = this;
    this.api.options.logger.info(
      {
        tool: name,
        backend: this.api.inner.backend,
        requestId: ctx.requestId,
        principal: ctx.principal.id,
        outcome: 'replayed',
      },
      'code api call replayed',
    );
  }

  /** Calls the tool `name` through the backend's ToolService; stops the program if it waits for the user. */
  private async forward(
    call: number,
    name: string,
    callArgs: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    const { ctx } = this;
    let pending = false;
    const elicit = this.elicitor(call, () => {
      pending = true;
    });
    const callCtx: CallContext = {
      ...ctx,
      tool: name,
      requestId: `${ctx.requestId}.${call}`,
      signal: ctx.signal === undefined ? signal : AbortSignal.any([ctx.signal, signal]),
    };
    // The spread copied the run's own cancellation: this call's is the signal above.
    delete callCtx.cancel;
    if (elicit === undefined) delete callCtx.elicit;
    else callCtx.elicit = elicit;
    // The run's nonce (claimed by the dispatch core for the whole program, protocol/once.ts) is one per run:
    // each call gets its own idempotency key from it, so the backend never takes two writes for one.
    if (ctx.idempotencyKey !== undefined) callCtx.idempotencyKey = `${ctx.idempotencyKey}.${call}`;
    const res = await this.api.inner.callTool(name, callArgs, callCtx);
    if (pending) {
      this.waiting = errorText(res);
      throw new StopProgram(
        `Waiting for the user to answer api.${name}'s question; the client asks and runs the program again.`,
      );
    }
    return res;
  }

  /** The caller's Elicitor for call number `call`, its question keys its own; `onPending` hears an unanswered one. */
  private elicitor(call: number, onPending: () => void): Elicitor | undefined {
    const outer = this.ctx.elicit;
    if (outer === undefined) return undefined;
    return {
      form: outer.form,
      url: outer.url,
      ...(outer.pageBase === undefined ? {} : { pageBase: outer.pageBase }),
      openPage: (kind, data) => outer.openPage(kind, data),
      request: (key, method, params) => outer.request(`call${call}.${key}`, method, params),
      // One program may ask several times: each call's questions are its own.
      ask: async (key, request): Promise<ElicitAnswer> => {
        const answer = await outer.ask(`call${call}.${key}`, request);
        if (answer.action === 'pending') onPending();
        return answer;
      },
    };
  }
}
