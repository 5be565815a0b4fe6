/**
 * One backend served three ways — per tool, `--dynamic` and `--code` — over one pooled client to its Prism mock,
 * in process, with the callers a transport would make (a principal; for a stateful backend, its session), so the
 * task set (code-tasks.ts) can be answered and measured in each mode. Shared by the code-mode tests and the bench.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { specScopes } from '../src/auth/scopes.js';
import { createBackendHttp, type BackendHttp } from '../src/backend/backend-http.js';
import { Settings } from '../src/config.js';
import type { Principal } from '../src/auth/inbound-auth.js';
import type { CallContext } from '../src/core/call-context.js';
import type { ToolResult, ToolService } from '../src/core/tool-service-api.js';
import type { SessionHandle, SessionRecord } from '../src/state/session.js';
import { loadBackendRegistry } from '../src/cli/generated.js';
import { codeModeService } from '../src/code/serve-code.js';
import { dynamicToolService } from '../src/core/dynamic-tools.js';
import { createToolService } from '../src/core/tool-service.js';
import type { ToolSelection } from '../src/core/tool-selection.js';
import type { Logger } from '../src/log.js';
import { projectRoot } from '../src/paths.js';
import { backendModules } from '../src/overrides/index.js';
import { startPrism, type PrismServer } from '../src/sandbox/prism.js';
import { MemorySessionStore, createSessionHandle } from '../src/state/session-store.js';
import type { CodeTask, ToolCaller } from './code-tasks.js';

/** A caller of the harness: who it is and (stateful backends) its own session. */
export interface HarnessCaller {
  principal: Principal;
  session?: SessionHandle;
}

/** The backend in three modes. */
export interface CodeHarness {
  backend: string;
  perTool: ToolService;
  dynamic: ToolService;
  code: ToolService;
  /** A new caller; `claims` and `scopes` as an access token would give them (a sandbox user's by default: every scope). */
  caller(id?: string, principal?: Partial<Principal>): HarnessCaller;
  /** Calls `name` on `service` as `caller`. */
  call(
    service: ToolService,
    caller: HarnessCaller,
    name: string,
    args?: Record<string, unknown>,
    extra?: Partial<CallContext>,
  ): Promise<ToolResult>;
  /** A {@link ToolCaller} over the per-tool service (throws on a tool error). */
  toolCaller(caller: HarnessCaller): ToolCaller;
  /** A code-mode service narrowed by a tool selection (as `--tools/--tags/--read-only` would). */
  codeWith(select: ToolSelection): Promise<ToolService>;
  close(): Promise<void>;
}

/** The text of a tool result. */
export function resultText(result: ToolResult): string {
  return result.content.map((block) => block.text).join('\n');
}

/** Starts the backend's Prism mock and builds its services; `env` are settings (e.g. code-mode limits). */
export async function startCodeHarness(
  backend: string,
  logger: Logger,
  env: Record<string, string> = {},
): Promise<CodeHarness> {
  // Through the registry loader, so the compiled bench finds generated/ too.
  const generated = await (await loadBackendRegistry()).backendLoaders[backend]!();
  const module = backendModules[backend];
  if (module === undefined) throw new Error(`no override module for ${backend}`);
  const settings = new Settings(env);
  // The sandbox mock checks that a bearer token is sent, not which one.
  const serviceToken = {
    getToken: async (): Promise<string> => 'sandbox-service-token',
    invalidate: (): void => undefined,
  };
  const overrides = await module.create({ settings, logger, serviceToken, transport: 'http' });
  const prism: PrismServer = await startPrism({
    specFile: join(projectRoot(), generated.specFile),
    port: 0,
    logger,
    startTimeoutMs: 120_000,
  });
  // Retries as served (FINMCP_MAX_ATTEMPTS' default): Prism sometimes closes a kept-alive socket under load.
  const http: BackendHttp = createBackendHttp({ baseUrl: prism.url, maxAttempts: 3, logger });
  const store = new MemorySessionStore();
  const build = (select?: ToolSelection): ToolService =>
    createToolService({ generated, overrides }, { http, logger, ...(select === undefined ? {} : { select }) });
  const perTool = build();
  const code = await codeModeService(perTool, generated, overrides, settings, logger);
  const dynamic = dynamicToolService(perTool, generated.tools);
  const stateful = overrides.stateful === true;
  const sandboxClaims = module.sandboxClaims?.(settings) ?? {};

  const harness: CodeHarness = {
    backend,
    perTool,
    dynamic,
    code,
    caller(id = 'alice', principal = {}) {
      const record: SessionRecord = { principalId: id, backend, createdAt: Date.now(), state: {} };
      return {
        principal: {
          id,
          scopes: principal.scopes ?? specScopes(generated),
          claims: principal.claims ?? sandboxClaims[id] ?? {},
        },
        ...(stateful ? { session: createSessionHandle(store, `session-${randomUUID()}`, record) } : {}),
      };
    },
    call(service, caller, name, args = {}, extra = {}) {
      const ctx: CallContext = {
        backend,
        tool: name,
        requestId: randomUUID(),
        principal: caller.principal,
        ...(caller.session === undefined ? {} : { session: caller.session }),
        ...extra,
      };
      return service.callTool(name, args, ctx);
    },
    toolCaller(caller) {
      return async (name, args = {}) => {
        const result = await harness.call(perTool, caller, name, args);
        if (result.isError === true) throw new Error(`${name}: ${resultText(result)}`);
        return result.structuredContent;
      };
    },
    codeWith: (select) => codeModeService(build(select), generated, overrides, settings, logger),
    async close() {
      await http.close();
      await prism.stop();
      await store.close();
    },
  };
  return harness;
}

/** Runs a task's program through `run_code`; resolves to the program's result, throws on a failed run. */
export async function runTask(
  harness: CodeHarness,
  caller: HarnessCaller,
  task: CodeTask,
): Promise<{ result: ToolResult; answer: unknown }> {
  const result = await harness.call(harness.code, caller, 'run_code', { code: task.program });
  if (result.isError === true) throw new Error(`${task.id}: ${resultText(result)}`);
  return { result, answer: (result.structuredContent as { result: unknown }).result };
}
