/**
 * The ToolService of one backend: serves its generated and hand-written tools (MCP 2025-11-25 "Tools":
 * `tools/list`, `tools/call`) over the pooled backend client, independent of any transport and of the SDK.
 *
 * A call runs the steps of its kind of tool (tool-calls.ts: arguments prepared and validated, the override's
 * check, the request sent through backend-calls.ts); here it is looked up, its failures become `isError` results
 * ("Tools → Error Handling") with no stack trace and no credential of the call, and it gets one log line.
 * Everything that can be is precomputed at start-up (see served-tools.ts): a call does no schema work, but for the
 * first call of a hand-written tool, which compiles its inputSchema (see validation.ts).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isObject } from '../../contract/json.js';
import type { BackendHttp } from '../backend/backend-http.js';
import { SETTINGS } from '../config.js';
import type { AuditLog } from '../audit/audit-record.js';
import { secretProperties } from '../audit/audit-record.js';
import type { Logger } from '../log.js';
import type { BackendCallMetrics, CallMetrics, CallTracer } from '../observability/call-observer.js';
import type { SessionEndReason, SessionHandle, SessionRecord } from '../state/session.js';
import { BackendCalls, callSecrets, newCallStats, type CallStats } from './backend-calls.js';
import type { BackendOverrides, OverriddenBackend } from './backend-overrides.js';
import { toolCallEntry, watchConfirmations } from './call-audit.js';
import type { CallContext } from './call-context.js';
import { buildCatalogue } from './catalogue.js';
import { errorForLog } from './log-error.js';
import { checkOutput } from './output-check.js';
import { redactSecrets } from './redact.js';
import { buildServedTools, type ServedTools } from './served-tools.js';
import { callGenerated, callHand } from './tool-calls.js';
import { errorResult, invalidArguments, isProtocolError, ToolCallError } from './tool-error.js';
import type { ToolSelection } from './tool-selection.js';
import type { ToolResult, ToolService } from './tool-service-api.js';

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
  /** The folder the backend's spec file and docs/tools.md are relative to (its catalogue's documents). */
  root?: string;
  /** Where each call is counted and timed (FINMCP_METRICS); none when off. */
  metrics?: CallMetrics;
  /** Starts each call's span (OTEL_EXPORTER_OTLP_ENDPOINT); none when off. */
  tracer?: CallTracer;
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

/** What a call needs of its backend: its tools, the way to its backend, its name and the logger. */
interface Served {
  backend: string;
  tools: ServedTools;
  calls: BackendCalls;
  logger: Logger;
  audit: AuditLog | undefined;
  /** Top-level argument names each tool's schema marks secret, for audit records; filled on first use. */
  secretNames: Map<string, ReadonlySet<string>>;
  metrics: BackendCallMetrics | undefined;
  tracer: CallTracer | undefined;
  /** Whether the logger writes `info` lines (each call's line). */
  logsCalls: boolean;
}

/** Runs the call's steps; a failure becomes an error result (a message the model can act on, or "internal error"). */
async function runCall(
  served: Served,
  name: string,
  args: Record<string, unknown> | undefined,
  ctx: CallContext,
  stats: CallStats,
): Promise<ToolResult> {
  const tool = served.tools.served.get(name);
  try {
    if (tool === undefined) {
      stats.outcome = 'unknown_tool';
      return errorResult(`Unknown tool: ${name.slice(0, 64)}`);
    }
    const a = args ?? {};
    if (!isObject(a)) throw invalidArguments(['(root): must be object']);
    const result =
      tool.kind === 'generated'
        ? await callGenerated(tool, a, served.calls, ctx, stats)
        : await callHand(tool, a, served.calls, ctx, stats);
    // Never rejects: a schema that does not compile lets the result pass.
    return checkOutput(result, tool.listed.outputSchema, name, served.logger);
  } catch (err) {
    if (err instanceof ToolCallError) {
      stats.outcome = err.outcome;
      return errorResult(err.message);
    }
    // A hand-written tool refusing the request itself (e.g. MissingRequiredClientCapabilityError): see callTool.
    if (isProtocolError(err)) throw err;
    stats.outcome = 'internal_error';
    const secrets = callSecrets(stats);
    if (ctx.sessionId !== undefined) secrets.push(ctx.sessionId);
    served.logger.error(
      { error: errorForLog(err, secrets), tool: name, backend: served.backend, requestId: ctx.requestId },
      'tool call failed',
    );
    return errorResult(`internal error, request id ${ctx.requestId}`);
  }
}

/**
 * `tools/call`: the call's steps, its error result scrubbed of the call's credentials, its log line and, with an
 * audit trail, its audit record.
 */
async function callTool(
  served: Served,
  name: string,
  args: Record<string, unknown> | undefined,
  given: CallContext,
): Promise<ToolResult> {
  // Timed only when something reports the duration (the log line, metrics, the client, the audit record).
  const timed =
    served.logsCalls || served.metrics !== undefined || served.audit !== undefined || given.report !== undefined;
  const started = timed ? performance.now() : 0;
  const stats = newCallStats();
  // With an audit trail, the user's answers to confirmations are watched for the record.
  const watch = served.audit === undefined ? undefined : watchConfirmations(given);
  const ctx = watch?.ctx ?? given;
  if (served.tracer !== undefined)
    stats.span = served.tracer.startCall(served.backend, name, ctx.traceparent, ctx.tracestate);
  let protocolError: Error | undefined;
  let result: ToolResult;
  try {
    result = await runCall(served, name, args, ctx, stats);
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    // Logged and audited as a refusal, then answered by the dispatch core as that JSON-RPC error.
    stats.outcome = 'refused';
    protocolError = err;
    result = errorResult(err.message);
  }
  // Error text may quote the backend's answer, and a backend may echo the credentials it was sent.
  if (result.isError === true) result = redactResult(result, callSecrets(stats));
  const elapsedMs = timed ? performance.now() - started : 0;
  served.metrics?.record(name, stats.outcome, elapsedMs / 1000, stats.status);
  stats.span?.end(stats.outcome, stats.status);
  const durationMs = Math.round(elapsedMs * 100) / 100;
  // The line's fields are gathered only when it is written (at `warn`, the usual stdio level, it is not).
  if (served.logsCalls)
    served.logger.info(
      {
        tool: name,
        backend: served.backend,
        durationMs,
        status: stats.status,
        attempts: stats.attempts,
        requestId: ctx.requestId,
        principal: ctx.principal.id,
        outcome: stats.outcome,
      },
      'tool call',
    );
  // The same summary for a client that asked for log messages (no principal or ids: what it already knows).
  ctx.report?.log('info', {
    tool: name,
    status: stats.status,
    attempts: stats.attempts,
    durationMs,
    outcome: stats.outcome,
  });
  if (served.audit !== undefined) audit(served, served.audit, name, args, ctx, stats, durationMs, watch?.last);
  if (protocolError !== undefined) throw protocolError;
  return result;
}

/** Appends the call's audit record, built in the background: the digest of the arguments costs the call nothing. */
function audit(
  served: Served,
  log: AuditLog,
  name: string,
  args: Record<string, unknown> | undefined,
  ctx: CallContext,
  stats: CallStats,
  durationMs: number,
  answer: ReturnType<typeof watchConfirmations>['last'],
): void {
  const tool = served.tools.served.get(name);
  if (tool === undefined) return;
  log.append(() => {
    let names = served.secretNames.get(name);
    if (names === undefined) served.secretNames.set(name, (names = secretProperties(tool.listed.inputSchema)));
    return toolCallEntry({
      backend: served.backend,
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

/** A session handle over a detached copy of an ended session's state (writes go nowhere). */
function detachedSession(state: SessionRecord['state']): SessionHandle {
  return {
    get: <T>(key: string): T | undefined => state[key] as T | undefined,
    set: async (key, value) => {
      state[key] = value;
    },
    clear: async () => {
      for (const key of Object.keys(state)) delete state[key];
    },
  };
}

/** The overrides' `onSessionEnd` for an ended session; failures are logged only. */
async function endSession(
  served: Served,
  hook: NonNullable<BackendOverrides['onSessionEnd']>,
  sessionId: string,
  record: SessionRecord,
  reason: SessionEndReason,
): Promise<void> {
  const { backend, logger } = served;
  const ctx: CallContext = {
    backend,
    tool: 'session_end',
    requestId: randomUUID(),
    principal: { id: record.principalId, scopes: [], claims: {} },
    sessionId,
    session: detachedSession(record.state),
  };
  const stats = newCallStats();
  try {
    await hook(ctx, served.calls.api(stats));
    logger.info(
      { backend, reason, principal: record.principalId, status: stats.status, requestId: ctx.requestId },
      'session end hook',
    );
  } catch (err) {
    const secrets = callSecrets(stats);
    secrets.push(sessionId);
    logger.warn(
      { backend, reason, error: errorForLog(err, secrets), requestId: ctx.requestId },
      'session end hook failed',
    );
  }
}

/** Creates the ToolService of one backend. Throws at start-up on inconsistent overrides, never per call. */
export function createToolService(module: OverriddenBackend, deps: ToolServiceDeps): ToolService {
  const { overrides } = module;
  const tools = buildServedTools(module, deps.maxResponseBytes ?? SETTINGS.maxResponseBytes.default, deps.select);
  const served: Served = {
    backend: module.generated.name,
    tools,
    calls: new BackendCalls(deps.http, tools.operations, overrides),
    logger: deps.logger,
    audit: deps.audit,
    secretNames: new Map(),
    metrics: deps.metrics?.forBackend(module.generated.name, tools.served.keys()),
    tracer: deps.tracer,
    logsCalls: deps.logger.isLevelEnabled('info'),
  };
  const servedNames = new Set(
    [...tools.served.values()].map((tool) => (tool.kind === 'generated' ? tool.generatedName : tool.tool.name)),
  );
  return {
    backend: served.backend,
    stateful: overrides.stateful === true,
    ...(overrides.pages === undefined ? {} : { pages: overrides.pages }),
    catalogue: buildCatalogue({
      generated: module.generated,
      overrides,
      served: servedNames,
      ...(deps.root === undefined ? {} : { root: deps.root }),
    }),
    listTools: () => tools.listed,
    hasTool: (name) => tools.served.has(name),
    callTool: (name, args, ctx) => callTool(served, name, args, ctx),
    endSession: async (sessionId, record, reason) => {
      const hook = overrides.onSessionEnd;
      if (hook !== undefined) await endSession(served, hook, sessionId, record, reason);
    },
  };
}
