/**
 * The ToolService of one backend: serves its generated and hand-written tools (MCP 2025-11-25 "Tools":
 * `tools/list`, `tools/call`) over the pooled backend client, independent of any transport and of the SDK.
 *
 * A call: bound properties refused → commonInput checked and taken out → bindings filled → precompiled
 * validator → override `check` → outbound auth → request built and sent → 401 hook → result. Failures are
 * `isError` results ("Tools → Error Handling") with no stack trace and no secret; one log line per call.
 * Everything that can be is precomputed at start-up (see served-tools.ts): a call does no schema work, but for the
 * first call of a hand-written tool, which compiles its inputSchema (see validation.ts).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BackendApi, OverriddenBackend } from './backend-overrides.js';
import type { BackendResponse } from '../backend/backend-types.js';
import type { CallContext } from './call-context.js';
import type { ListedTool } from '../../contract/descriptor.js';
import type { SessionEndReason, SessionHandle, SessionRecord } from '../state/session.js';
import type { ToolResult, ToolService } from './tool-service-api.js';
import type { BackendHttp, BackendHttpResponse, BackendRequest } from '../backend/backend-http.js';
import { BackendHttpError } from '../backend/backend-http.js';
import { SETTINGS } from '../config.js';
import type { Logger } from '../log.js';
import { buildCatalogue } from './catalogue.js';
import { describeHttpError } from './http-problem.js';
import { errorForLog } from './log-error.js';
import { operationFetch, operationRoute, type OperationRoute } from './operation-fetch.js';
import { headerSecrets, redactSecrets } from './redact.js';
import { RequestBuildError } from './request-builder.js';
import { buildServedTools, type ExtraTool, type GeneratedTool, type ServedBase } from './served-tools.js';
import type { ToolSelection } from './tool-selection.js';
import { errorResult, ToolCallError, type CallOutcome } from './tool-error.js';
import { compileSchema, compiledSchema, validateArgs } from './validation.js';
import { isObject } from '../../contract/json.js';
import type { AuditLog } from '../audit/audit-record.js';
import { secretProperties } from '../audit/audit-record.js';
import { toolCallEntry, watchConfirmations } from './call-audit.js';

/** Dependencies of {@link createToolService}. */
export interface ToolServiceDeps {
  http: BackendHttp;
  logger: Logger;
  /** Budget for one result's JSON; larger results are cut (see large-response.ts). Default: FINMCP_MAX_RESPONSE_BYTES's. */
  maxResponseBytes?: number;
  /** Serve only the tools it accepts (`--tools`, `--tags`, `--read-only`). */
  select?: ToolSelection;
  /** Where calls that reach the backend or are refused are recorded (FINMCP_AUDIT); none when off. */
  audit?: AuditLog;
}

/** What one call did, for its log line. */
interface CallStats {
  status: number | undefined;
  attempts: number;
  outcome: CallOutcome;
  /** Outbound auth headers sent during the call (several with retries or hand-written tools), kept only so that
   *  error results and logs can be scrubbed of their values. */
  authHeaders: Array<Record<string, string>> | undefined;
  /** Properties bound from the caller's credentials (the tenant), for the audit record. */
  bound?: Record<string, unknown>;
}

function invalid(lines: readonly string[]): ToolCallError {
  return new ToolCallError(`Invalid arguments:\n${lines.map((l) => `- ${l}`).join('\n')}`, 'invalid_arguments');
}

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
  if (problems !== undefined) throw invalid(problems);
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

/** The credentials sent during a call. */
function callSecrets(stats: CallStats): string[] {
  const secrets: string[] = [];
  for (const headers of stats.authHeaders ?? []) headerSecrets(headers, secrets);
  return secrets;
}

/** An error result with every credential of the call taken out of its text and structured content. */
function redactResult(result: ToolResult, secrets: readonly string[]): ToolResult {
  const content = result.content.map((block) => ({ ...block, text: redactSecrets(block.text, secrets) }));
  const out: ToolResult = { ...result, content };
  if (result.structuredContent !== undefined) {
    const json = JSON.stringify(result.structuredContent);
    const clean = redactSecrets(json, secrets);
    if (clean !== json) {
      try {
        out.structuredContent = JSON.parse(clean) as Record<string, unknown>;
      } catch {
        // A secret spanning JSON syntax cannot be cut out cleanly: the text blocks say the same.
        delete out.structuredContent;
      }
    }
  }
  return out;
}

/** Failures after which a request may have reached the backend and been carried out. */
const MAYBE_SENT: ReadonlySet<BackendHttpError['kind']> = new Set(['timeout', 'reset', 'network', 'aborted']);

/**
 * The tool error of a backend request that got no usable answer. A write (not idempotent) that may have been sent
 * says plainly that its outcome is unknown and that it was not retried (the backend client never retries one).
 */
function backendFailure(err: BackendHttpError, req: BackendRequest, requestId: string): string {
  if (!req.idempotent && MAYBE_SENT.has(err.kind)) {
    return (
      `Outcome unknown: ${req.method.toUpperCase()} was sent to the backend, but ${err.message}; it may or may not have been carried out, ` +
      `and it was not retried. Check the current state with a read tool before doing it again (request id ${requestId}).`
    );
  }
  return `Backend request failed: ${err.message} (request id ${requestId})`;
}

/**
 * The request headers with the operation's idempotency-key header (descriptor `operation.idempotencyHeader`) set to
 * the call's nonce (its confirmation's: one key per confirmed write, whatever the retries), unless already given.
 */
function withIdempotencyKey(tool: GeneratedTool, headers: Record<string, string>, ctx: CallContext): Record<string, string> {
  const name = tool.descriptor.operation.idempotencyHeader;
  if (name === undefined) return headers;
  const lower = name.toLowerCase();
  if (Object.keys(headers).some((key) => key.toLowerCase() === lower)) return headers;
  return { ...headers, [lower]: ctx.idempotencyKey ?? randomUUID() };
}

/** Creates the ToolService of one backend. Throws at start-up on inconsistent overrides, never per call. */
export function createToolService(module: OverriddenBackend, deps: ToolServiceDeps): ToolService {
  const { http, logger } = deps;
  const { overrides } = module;
  const backend = module.generated.name;
  const tools = buildServedTools(module, deps.maxResponseBytes ?? SETTINGS.maxResponseBytes.default, deps.select);
  const listed: ListedTool[] = tools.listed;
  const outboundAuth = overrides.outboundAuth;
  const onUnauthorized = overrides.onUnauthorized;
  const audit = deps.audit;
  /** Top-level argument names each tool's schema marks secret, for audit records; filled on first use. */
  const secretNames = new Map<string, ReadonlySet<string>>();
  /** Routes typed-client requests to operations; built on the first `fetchFor`. */
  let route: OperationRoute | undefined;

  /** What hand-written tools and hooks reach the backend through during one call (one object per call). */
  class CallApi implements BackendApi {
    constructor(private readonly stats: CallStats) {}

    get baseUrl(): string {
      return http.baseUrl;
    }

    callOperation(toolName: string, args: Record<string, unknown>, ctx: CallContext): Promise<BackendResponse> {
      return callOperation(toolName, args, ctx, this.stats);
    }

    fetchFor(ctx: CallContext): (request: Request) => Promise<Response> {
      const stats = this.stats;
      return operationFetch(http.baseUrl, (route ??= operationRoute(tools.operations.values())), (tool, req) =>
        // The call's request id and cancellation; the operation's idempotency, not the method's.
        sendAs(tool, { ...req, requestId: ctx.requestId, idempotent: tool.idempotent, ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) }, ctx, stats),
      );
    }
  }

  /** Builds the request of a generated operation and sends it. */
  async function send(
    tool: GeneratedTool,
    args: Record<string, unknown>,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<BackendResponse> {
    let built: ReturnType<typeof tool.plan.build>;
    try {
      built = tool.plan.build(args);
    } catch (err) {
      if (err instanceof RequestBuildError) throw invalid([err.message]);
      throw err;
    }
    const req: BackendRequest = {
      method: built.method,
      path: built.path,
      query: built.query,
      headers: built.headers,
      ...(built.body !== undefined ? { body: built.body } : {}),
      idempotent: tool.idempotent,
      requestId: ctx.requestId,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    };
    return sendAs(tool, req, ctx, stats);
  }

  /**
   * Sends `req` (a fresh object: its headers are replaced each round) as operation `tool`: outbound auth, send, and
   * one retry after the 401 hook asks for it.
   */
  async function sendAs(tool: GeneratedTool, req: BackendRequest, ctx: CallContext, stats: CallStats): Promise<BackendHttpResponse> {
    const headers = withIdempotencyKey(tool, req.headers, ctx);
    req.headers = headers;
    for (let round = 0; ; round++) {
      if (outboundAuth !== undefined) {
        const auth = await outboundAuth(ctx, tool.descriptor, new CallApi(stats));
        if ('error' in auth) throw new ToolCallError(auth.error, 'auth');
        (stats.authHeaders ??= []).push(auth.headers);
        req.headers = { ...headers, ...auth.headers };
      }
      let res: BackendHttpResponse;
      try {
        res = await http.send(req);
      } catch (err) {
        if (err instanceof BackendHttpError) {
          stats.attempts += err.attempts;
          if (err.status !== undefined) stats.status = err.status;
          throw new ToolCallError(backendFailure(err, req, ctx.requestId), 'backend_unreachable');
        }
        throw err;
      }
      stats.attempts += res.attempts;
      stats.status = res.status;
      if (res.status !== 401 || onUnauthorized === undefined || round > 0) return res;
      const decision = await onUnauthorized(ctx);
      if (decision !== 'retry') throw new ToolCallError(decision.error, 'auth');
    }
  }

  async function callGenerated(
    tool: GeneratedTool,
    args: Record<string, unknown>,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<ToolResult> {
    const ready = await prepareArgs(tool, args, ctx, true, stats);
    const problems = validateArgs(tool.validator, ready);
    if (problems !== undefined) throw invalid(problems);
    if (tool.check !== undefined) {
      const refusal = await tool.check(ready, ctx);
      if (refusal !== undefined) throw new ToolCallError(refusal, 'refused');
    }
    const res = await send(tool, ready, ctx, stats);
    if (res.status < 200 || res.status > 299) {
      stats.outcome = 'backend_error';
      return errorResult(describeHttpError(res));
    }
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
        ? body === undefined ? {} : { [tool.wrapIn]: body }
        : isObject(body) ? body : body === undefined ? {} : { result: body };
    // The received JSON text is the text block's JSON only when the body itself is the structured content.
    const shaped = tool.shaper(structured, ready, structured === body ? res.json : undefined);
    const content: ToolResult['content'] = [{ type: 'text', text: shaped.json }];
    for (const note of shaped.notes) content.push({ type: 'text', text: note });
    const result: ToolResult = { content, structuredContent: shaped.structured };
    if (shaped.truncated !== undefined) result['_meta'] = { 'finmcp/truncated': shaped.truncated };
    return result;
  }

  /** `BackendApi.callOperation`: a generated operation (hidden ones too) through the same path. */
  async function callOperation(
    toolName: string,
    args: Record<string, unknown>,
    ctx: CallContext,
    stats: CallStats,
  ): Promise<BackendResponse> {
    const tool = tools.operations.get(toolName);
    if (tool === undefined) throw new Error(`callOperation: no generated operation "${toolName}"`);
    const problems = validateArgs(tool.validator, args);
    if (problems !== undefined) throw invalid(problems);
    return send(tool, args, ctx, stats);
  }

  async function callHand(
    tool: ExtraTool,
    args: Record<string, unknown>,
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
    if (problems !== undefined) throw invalid(problems);
    if (tool.check !== undefined) {
      const refusal = await tool.check(ready, ctx);
      if (refusal !== undefined) throw new ToolCallError(refusal, 'refused');
    }
    const result = await tool.tool.call(ready, ctx, new CallApi(stats));
    if (result.isError === true) stats.outcome = 'tool_error';
    return result;
  }

  async function callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    given: CallContext,
  ): Promise<ToolResult> {
    const started = performance.now();
    const stats: CallStats = { status: undefined, attempts: 0, outcome: 'ok', authHeaders: undefined };
    // With an audit trail, the user's answers to confirmations are watched for the record.
    const watch = audit === undefined ? undefined : watchConfirmations(given);
    const ctx = watch?.ctx ?? given;
    let result: ToolResult;
    const tool = tools.served.get(name);
    try {
      if (tool === undefined) {
        stats.outcome = 'unknown_tool';
        result = errorResult(`Unknown tool: ${name.slice(0, 64)}`);
      } else {
        const a = args ?? {};
        if (!isObject(a)) throw invalid(['(root): must be object']);
        result = tool.kind === 'generated' ? await callGenerated(tool, a, ctx, stats) : await callHand(tool, a, ctx, stats);
      }
    } catch (err) {
      if (err instanceof ToolCallError) {
        stats.outcome = err.outcome;
        result = errorResult(err.message);
      } else {
        stats.outcome = 'internal_error';
        const secrets = callSecrets(stats);
        if (ctx.sessionId !== undefined) secrets.push(ctx.sessionId);
        logger.error({ error: errorForLog(err, secrets), tool: name, backend, requestId: ctx.requestId }, 'tool call failed');
        result = errorResult(`internal error, request id ${ctx.requestId}`);
      }
    }
    // Error text may quote the backend's answer, and a backend may echo the credentials it was sent.
    if (result.isError === true) result = redactResult(result, callSecrets(stats));
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    logger.info(
      {
        tool: name,
        backend,
        durationMs,
        status: stats.status,
        attempts: stats.attempts,
        requestId: ctx.requestId,
        principal: ctx.principal.id,
        outcome: stats.outcome,
      },
      'tool call',
    );
    if (audit !== undefined && tool !== undefined) {
      const answer = watch?.last;
      // Built in the background: the digest of the arguments costs this call nothing.
      audit.append(() => {
        let names = secretNames.get(name);
        if (names === undefined) secretNames.set(name, (names = secretProperties(tool.listed.inputSchema)));
        return toolCallEntry({
          backend,
          tool: name,
          args: isObject(args) ? args : undefined,
          ctx,
          outcome: stats.outcome,
          status: stats.status,
          attempts: stats.attempts,
          durationMs,
          bound: stats.bound,
          secretNames: names,
          secrets: callSecrets(stats),
          answer,
        });
      });
    }
    return result;
  }

  /** The overrides' `onSessionEnd` over a detached copy of the ended session (writes go nowhere). */
  async function endSession(sessionId: string, record: SessionRecord, reason: SessionEndReason): Promise<void> {
    const hook = overrides.onSessionEnd;
    if (hook === undefined) return;
    const state = record.state;
    const session: SessionHandle = {
      get: <T>(key: string): T | undefined => state[key] as T | undefined,
      set: async (key, value) => {
        state[key] = value;
      },
      clear: async () => {
        for (const key of Object.keys(state)) delete state[key];
      },
    };
    const ctx: CallContext = {
      backend,
      tool: 'session_end',
      requestId: randomUUID(),
      principal: { id: record.principalId, scopes: [], claims: {} },
      sessionId,
      session,
    };
    const stats: CallStats = { status: undefined, attempts: 0, outcome: 'ok', authHeaders: undefined };
    try {
      await hook(ctx, new CallApi(stats));
      logger.info({ backend, reason, principal: record.principalId, status: stats.status, requestId: ctx.requestId }, 'session end hook');
    } catch (err) {
      const secrets = callSecrets(stats);
      secrets.push(sessionId);
      logger.warn({ backend, reason, error: errorForLog(err, secrets), requestId: ctx.requestId }, 'session end hook failed');
    }
  }

  const servedNames = new Set([...tools.served.values()].map((tool) => (tool.kind === 'generated' ? tool.generatedName : tool.tool.name)));
  return {
    backend,
    stateful: overrides.stateful === true,
    ...(overrides.pages === undefined ? {} : { pages: overrides.pages }),
    catalogue: buildCatalogue({ generated: module.generated, overrides, served: servedNames }),
    listTools: () => listed,
    hasTool: (name) => tools.served.has(name),
    callTool,
    endSession,
  };
}
