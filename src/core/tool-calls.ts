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

/** Whether `value` is a promise (or any thenable) a step must wait for; most steps return their value at once. */
function isPending<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * Shared first steps of every call: refuses bound properties the model set, checks commonInput, fills bindings.
 * Returns the arguments to validate (a promise only when a binding is asynchronous); `stripCommon` takes
 * commonInput out (generated tools' schemas lack them).
 */
function prepareArgs(
  tool: ServedBase,
  args: Record<string, unknown>,
  ctx: CallContext,
  stripCommon: boolean,
  stats: CallStats,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const { bind, common } = tool;
  // Indexed loops: iterating the [name, fn] pairs with for-of would make an iterator and a result per step.
  for (let i = 0; i < bind.length; i++) {
    const prop = (bind[i] as (typeof bind)[number])[0];
    if (args[prop] !== undefined) {
      throw new ToolCallError(`\`${prop}\` cannot be set: it comes from your credentials`, 'refused');
    }
  }
  if (bind.length === 0 && common.length === 0) return args;
  let problems: string[] | undefined;
  for (let i = 0; i < common.length; i++) {
    const [name, check] = common[i] as (typeof common)[number];
    const v = args[name];
    if (v === undefined) continue;
    const broken = check(v);
    if (broken !== undefined) (problems ??= []).push(`${name}: ${broken}`);
  }
  if (problems !== undefined) throw invalidArguments(problems);
  const out: Record<string, unknown> = { ...args };
  if (stripCommon)
    for (let i = 0; i < common.length; i++) {
      const name = (common[i] as (typeof common)[number])[0];
      if (name in out) delete out[name];
    }
  return fillBindings(tool, args, out, ctx, stats, 0);
}

/**
 * Fills `out`'s bound properties from binding `from` on, in order; waits only for a binding that returns a promise.
 * Bind functions see the model's arguments, commonInput included (e.g. which organisation to use).
 */
function fillBindings(
  tool: ServedBase,
  args: Record<string, unknown>,
  out: Record<string, unknown>,
  ctx: CallContext,
  stats: CallStats,
  from: number,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const bind = tool.bind;
  for (let i = from; i < bind.length; i++) {
    const [prop, fn] = bind[i] as (typeof bind)[number];
    const v = fn(ctx, args);
    if (isPending(v))
      return Promise.resolve(v).then((value) => {
        setBound(tool, out, stats, prop, value);
        return fillBindings(tool, args, out, ctx, stats, i + 1);
      });
    setBound(tool, out, stats, prop, v);
  }
  return out;
}

/** Sets one bound property (recorded for the audit); a required one that came out undefined refuses the call. */
function setBound(
  tool: ServedBase,
  out: Record<string, unknown>,
  stats: CallStats,
  prop: string,
  value: unknown,
): void {
  if (value === undefined) {
    if (tool.requiredBound.has(prop))
      throw new ToolCallError(`\`${prop}\` could not be determined from your credentials`, 'refused');
    return;
  }
  out[prop] = value;
  (stats.bound ??= {})[prop] = value;
}

/** The override's `check`: a returned string refuses the call. A promise only when the check returns one. */
function runCheck(
  check: NonNullable<ServedBase['check']>,
  args: Record<string, unknown>,
  ctx: CallContext,
): void | Promise<void> {
  const refusal = check(args, ctx);
  if (isPending(refusal)) return Promise.resolve(refusal).then(refuseIf);
  refuseIf(refusal);
}

function refuseIf(refusal: string | undefined): void {
  if (refusal !== undefined) throw new ToolCallError(refusal, 'refused');
}

/**
 * Calls a generated tool: validated arguments become the backend request; its answer becomes the result. Steps that
 * finish at once are not awaited (each await costs the call a promise and a turn of the microtask queue).
 */
export async function callGenerated(
  tool: GeneratedTool,
  args: Record<string, unknown>,
  calls: BackendCalls,
  ctx: CallContext,
  stats: CallStats,
): Promise<ToolResult> {
  const prepared = prepareArgs(tool, args, ctx, true, stats);
  const ready = prepared instanceof Promise ? await prepared : prepared;
  const problems = validateArgs(tool.validator, ready);
  if (problems !== undefined) throw invalidArguments(problems);
  if (tool.check !== undefined) {
    const checked = runCheck(tool.check, ready, ctx);
    if (checked !== undefined) await checked;
  }
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
export async function callHand(
  tool: ExtraTool,
  args: Record<string, unknown>,
  calls: BackendCalls,
  ctx: CallContext,
  stats: CallStats,
): Promise<ToolResult> {
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
