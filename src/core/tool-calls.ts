/**
 * The steps of one tool call, for each kind of tool:
 * - a generated tool: bound properties refused → commonInput checked and taken out → bindings filled →
 *   precompiled validator → override `check` → request built → outbound auth → sent → 401 hook → result shaped;
 * - a hand-written tool: the same first steps with commonInput kept, its own schema (compiled on its first call),
 *   its `check`, then its handler.
 * Failures the model can act on are thrown as {@link ToolCallError}s; the tool service turns them into results.
 */
import { isObject } from '../../contract/json.js';
import type { BackendResponse } from '../backend/backend-types.js';
import type { BackendCalls, CallStats } from './backend-calls.js';
import type { CallContext } from './call-context.js';
import { describeHttpError } from './http-problem.js';
import type { ExtraTool, GeneratedTool, ServedBase } from './served-tools.js';
import { markStructuredJson } from './result-json.js';
import { errorResult, invalidArguments, ToolCallError } from './tool-error.js';
import type { ToolResult } from './tool-service-api.js';
import { compileSchema, compiledSchema, validateArgs } from './validation.js';

/**
 * Shared first steps of every call: refuses bound properties the model set, checks commonInput, fills bindings.
 * Returns the arguments to validate; `stripCommon` takes commonInput out (generated tools' schemas lack them).
 */
async function prepareArgs(
  tool: ServedBase,
  args: Record<string, unknown>,
  ctx: CallContext,
  stripCommon: boolean,
  stats: CallStats,
): Promise<Record<string, unknown>> {
  for (const [prop] of tool.bind) {
    if (args[prop] !== undefined) {
      throw new ToolCallError(`\`${prop}\` cannot be set: it comes from your credentials`, 'refused');
    }
  }
  if (tool.bind.length === 0 && tool.common.length === 0) return args;
  let problems: string[] | undefined;
  for (const [name, check] of tool.common) {
    const v = args[name];
    if (v === undefined) continue;
    const broken = check(v);
    if (broken !== undefined) (problems ??= []).push(`${name}: ${broken}`);
  }
  if (problems !== undefined) throw invalidArguments(problems);
  const out: Record<string, unknown> = { ...args };
  if (stripCommon) for (const [name] of tool.common) delete out[name];
  for (const [prop, fn] of tool.bind) {
    // Bind functions see the model's arguments, commonInput included (e.g. which organisation to use).
    const v = await fn(ctx, args);
    if (v === undefined) {
      if (tool.requiredBound.has(prop)) {
        throw new ToolCallError(`\`${prop}\` could not be determined from your credentials`, 'refused');
      }
      continue;
    }
    out[prop] = v;
    (stats.bound ??= {})[prop] = v;
  }
  return out;
}

/** The override's `check`: a returned string refuses the call. */
async function runCheck(
  check: NonNullable<ServedBase['check']>,
  args: Record<string, unknown>,
  ctx: CallContext,
): Promise<void> {
  const refusal = await check(args, ctx);
  if (refusal !== undefined) throw new ToolCallError(refusal, 'refused');
}

/** One call in progress: its context, what it has done so far, and the way to its backend. */
export interface CallRun {
  calls: BackendCalls;
  ctx: CallContext;
  stats: CallStats;
}

/** Calls a generated tool: validated arguments become the backend request; its answer becomes the result. */
export async function callGenerated(
  tool: GeneratedTool,
  args: Record<string, unknown>,
  run: CallRun,
): Promise<ToolResult> {
  const { calls, ctx, stats } = run;
  const ready = await prepareArgs(tool, args, ctx, true, stats);
  const problems = validateArgs(tool.validator, ready);
  if (problems !== undefined) throw invalidArguments(problems);
  if (tool.check !== undefined) await runCheck(tool.check, ready, ctx);
  const res = await calls.send(tool, ready, ctx, stats);
  if (res.status < 200 || res.status > 299) {
    stats.outcome = 'backend_error';
    return errorResult(describeHttpError(res));
  }
  return shapeResult(tool, res, ready);
}

/** A 2xx answer as the tool's result: `structuredContent` always an object, cut to the response budget. */
function shapeResult(tool: GeneratedTool, res: BackendResponse, args: Record<string, unknown>): ToolResult {
  if (tool.expectsJson && res.text !== undefined) {
    // A 2xx HTML page (a proxy, a login wall) is not the data the output schema promises.
    throw new ToolCallError(
      `Backend answered with ${res.headers['content-type'] ?? 'no content type'} where ${tool.descriptor.output.contentType} was expected (HTTP ${res.status})`,
      'backend_error',
    );
  }
  const body = res.body;
  const structured: Record<string, unknown> =
    tool.wrapIn !== undefined
      ? body === undefined
        ? {}
        : { [tool.wrapIn]: body }
      : isObject(body)
        ? body
        : body === undefined
          ? {}
          : { result: body };
  // The received JSON text is the text block's JSON only when the body itself is the structured content.
  const shaped = tool.shaper(structured, args, structured === body ? res.json : undefined);
  const content: ToolResult['content'] = [{ type: 'text', text: shaped.json }];
  for (const note of shaped.notes) content.push({ type: 'text', text: note });
  const result: ToolResult = { content, structuredContent: shaped.structured };
  if (shaped.truncated !== undefined) result['_meta'] = { 'finmcp/truncated': shaped.truncated };
  // shaped.json is the structured content's own JSON text: the answer splices it in rather than serialising again.
  markStructuredJson(result, shaped.json);
  return result;
}

/** Calls a hand-written tool: its own schema and check, then its handler with the call's {@link BackendApi}. */
export async function callHand(tool: ExtraTool, args: Record<string, unknown>, run: CallRun): Promise<ToolResult> {
  const { calls, ctx, stats } = run;
  // commonInput stays in the arguments: the hand-written tool is written next to the overrides that add it.
  const ready = await prepareArgs(tool, args, ctx, false, stats);
  // Its own inputSchema, compiled on its first call, judges the arguments without the commonInput it lacks.
  const schema = tool.tool.inputSchema;
  const validator = compiledSchema(schema) ?? (await compileSchema(schema));
  let own = ready;
  if (tool.common.length > 0) {
    own = { ...ready };
    for (const [name] of tool.common) delete own[name];
  }
  const problems = validateArgs(validator, own);
  if (problems !== undefined) throw invalidArguments(problems);
  if (tool.check !== undefined) await runCheck(tool.check, ready, ctx);
  const result = await tool.tool.call(ready, ctx, calls.api(stats));
  if (result.isError === true) stats.outcome = 'tool_error';
  return result;
}
