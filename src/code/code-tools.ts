/**
 * Code mode (`serve --code`): instead of one tool per operation, `tools/list` shows two tools (MCP 2025-11-25 /
 * 2026-07-28, Server / Tools). `search_api` finds operations by words, tags and paths and returns their TypeScript
 * declarations; `run_code` runs a short program against an `api` object whose methods are the served operations,
 * so a question that takes many tool calls — every intermediate result passing through the model — takes one.
 *
 * Same rules as tools: every `api.x(args)` is a call of the tool `x` through the backend's own ToolService with the
 * caller's context — input validation and its messages, bound (tenant) properties, overrides and their checks
 * (a write asks the user exactly as the tool does), outbound auth, logging (one line per call) and redaction. The
 * per-tool OAuth scopes an HTTP transport checks per `tools/call` are checked here per `api` call. `--tools`,
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
import { runInSandbox, StopProgram, type SandboxLimits } from './sandbox.js';

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

/** Wraps a backend's ToolService in `search_api` and `run_code`. */
export function codeToolService(
  inner: ToolService,
  descriptors: readonly ToolDescriptor[],
  options: CodeModeOptions,
): ToolService {
  const { limits, logger } = options;
  const served = inner.listTools();
  const index = toolSearch(served, descriptors);
  const names = served.map((tool) => tool.name);
  const readOnly = new Map(served.map((tool) => [tool.name, tool.annotations?.readOnlyHint === true] as const));
  const operations = new Map(served.map((tool) => [tool.name, index.get(tool.name)?.operation ?? ''] as const));
  const declarations = apiDeclarations(served, operations);
  const shape = compileResponseShaper({ type: 'object' }, undefined, options.maxResponseBytes);
  let compiler: ProgramCompiler | undefined;

  function search(args: Record<string, unknown>): ToolResult {
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
      declarations: declarationsFor(declarations, picked),
    });
  }

  /** The OAuth scopes the caller lacks for `name`, if any. */
  function missingScopes(name: string, ctx: CallContext): string[] {
    const needed = options.requiredScopes?.(name) ?? [];
    const held = new Set(ctx.principal.scopes);
    return needed.filter((scope) => !held.has(scope));
  }

  async function run(args: Record<string, unknown>, ctx: CallContext): Promise<ToolResult> {
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
    if (problems.length > 0) return failure(`Invalid arguments:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    const program = code as string;
    compiler ??= createProgramCompiler(declarations.file);
    const compiled = compiler.compile(program, language as ProgramLanguage);
    if (!compiled.ok) {
      return failure(
        `The program was not run: it has type errors (check the declarations with search_api):\n${compiled.errors.map((e) => `- ${e}`).join('\n')}`,
      );
    }

    const replay = new ReplayLog(ctx.session, inner.backend, `${language as string}\n${program}`);
    let waiting: string | undefined;
    let index = 0;
    const hostCall = async (name: string, argsJson: string, signal: AbortSignal): Promise<string> => {
      const call = ++index;
      if (!readOnly.has(name)) throw new Error(`api.${name.slice(0, 64)} is not an operation of this API`);
      let callArgs: unknown;
      try {
        callArgs = JSON.parse(argsJson);
      } catch {
        throw new Error(`api.${name}: its arguments are not JSON`);
      }
      if (!isObject(callArgs)) throw new Error(`api.${name}: Invalid arguments:\n- (root): must be object`);
      const missing = missingScopes(name, ctx);
      if (missing.length > 0)
        throw new Error(
          `api.${name}: refused: your access token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`,
        );
      const writes = readOnly.get(name) !== true;
      let res = writes ? replay.replay(call, name, argsJson) : undefined;
      if (res !== undefined) {
        logger.info(
          {
            tool: name,
            backend: inner.backend,
            requestId: ctx.requestId,
            principal: ctx.principal.id,
            outcome: 'replayed',
          },
          'code api call replayed',
        );
      } else {
        let pending = false;
        const elicit: Elicitor | undefined =
          ctx.elicit === undefined
            ? undefined
            : {
                form: ctx.elicit.form,
                url: ctx.elicit.url,
                ...(ctx.elicit.pageBase === undefined ? {} : { pageBase: ctx.elicit.pageBase }),
                openPage: (kind, data) => (ctx.elicit as Elicitor).openPage(kind, data),
                request: (key, method, params) =>
                  (ctx.elicit as Elicitor).request(`call${call}.${key}`, method, params),
                // One program may ask several times: each call's questions are its own.
                ask: async (key, request): Promise<ElicitAnswer> => {
                  const answer = await (ctx.elicit as Elicitor).ask(`call${call}.${key}`, request);
                  if (answer.action === 'pending') pending = true;
                  return answer;
                },
              };
        const callCtx: CallContext = {
          ...ctx,
          tool: name,
          requestId: `${ctx.requestId}.${call}`,
          signal: ctx.signal === undefined ? signal : AbortSignal.any([ctx.signal, signal]),
        };
        if (elicit === undefined) delete callCtx.elicit;
        else callCtx.elicit = elicit;
        // The run's nonce (claimed by the dispatch core for the whole program, protocol/once.ts) is one per run:
        // each call gets its own idempotency key from it, so the backend never takes two writes for one.
        if (ctx.idempotencyKey !== undefined) callCtx.idempotencyKey = `${ctx.idempotencyKey}.${call}`;
        res = await inner.callTool(name, callArgs, callCtx);
        if (pending) {
          waiting = errorText(res);
          throw new StopProgram(
            `Waiting for the user to answer api.${name}'s question; the client asks and runs the program again.`,
          );
        }
        if (writes) replay.record(call, name, argsJson, res);
      }
      if (res.isError === true) throw new Error(`api.${name}: ${errorText(res)}`);
      return JSON.stringify(res.structuredContent ?? { text: errorText(res) });
    };

    const outcome = await runInSandbox(compiled.js, names, hostCall, limits, ctx.signal);
    await replay.close(waiting !== undefined);
    if (waiting !== undefined) return failure(waiting);
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
    const shaped = shape(structured, {});
    if (Buffer.byteLength(shaped.json) > options.maxResponseBytes) {
      return failure(
        `The program's result is ${Buffer.byteLength(shaped.json)} bytes, more than the ${options.maxResponseBytes} a result may be: return a summary (totals, counts, the first items).`,
      );
    }
    const notes =
      shaped.truncated === undefined
        ? []
        : [
            `The result was cut to ${options.maxResponseBytes} bytes: ${shaped.truncated.shown} of ${shaped.truncated.total} items of its largest list are shown. Return fewer or smaller items.`,
          ];
    return result(shaped.structured, notes, shaped.json);
  }

  return {
    backend: inner.backend,
    stateful: inner.stateful,
    listTools: () => TOOLS as ListedTool[],
    hasTool: (name) => TOOLS.some((tool) => tool.name === name),
    callTool: async (name, args, ctx) => {
      const given = args ?? {};
      if (name === SEARCH.name) return search(given);
      if (name === RUN.name) return run(given, ctx);
      return failure(`Unknown tool ${JSON.stringify(name)}`);
    },
    ...(inner.endSession === undefined ? {} : { endSession: inner.endSession }),
  };
}
