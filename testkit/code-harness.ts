/**
 * One backend served three ways — per tool, `--dynamic` and `--code` — over one pooled client to its Prism mock,
 * in process, with the callers a transport would make (a principal; for a stateful backend, its session), so the
 * task set (code-tasks.ts) can be answered and measured in each mode. Shared by the code-mode tests and the bench.
 * Besides the project's backends, one generated elsewhere (GitHub's published spec, github-backend.ts) is served too.
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
import type { BackendOverrides } from '../src/core/backend-overrides.js';
import { staticCredentials, staticSecrets } from '../src/core/static-credentials.js';
import type { BackendPlugin } from '../src/overrides/backend-plugin.js';
import type { GeneratedBackend } from '../contract/descriptor.js';
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

/**
 * A backend generated outside the project (e.g. a published spec in a scratch folder) and served as `serve` serves a
 * spec without an override module: static sandbox credentials for its security schemes.
 */
export interface ExternalBackend {
  name: string;
  /** The folder its spec file is relative to. */
  root: string;
  /** Its spec file, relative to `root`: Prism starts on it while the backend is still being loaded (generated). */
  specFile: string;
  load(): Promise<GeneratedBackend>;
}

/**
 * Starts the backend's Prism mock and builds its services; `env` are settings (e.g. code-mode limits). A backend
 * of the project is named; another is an {@link ExternalBackend}.
 */
export async function startCodeHarness(
  source: string | ExternalBackend,
  logger: Logger,
  env: Record<string, string> = {},
): Promise<CodeHarness> {
  const backend = typeof source === 'string' ? source : source.name;
  const module = backendModules[backend];
  if (typeof source === 'string' && module === undefined) throw new Error(`no override module for ${backend}`);
  const settings = new Settings(env);
  const prismStarting = (specFile: string): Promise<PrismServer> =>
    startPrism({ specFile, port: 0, logger, startTimeoutMs: 300_000 });
  let generated: GeneratedBackend;
  let prism: PrismServer;
  if (typeof source === 'string') {
    // Through the registry loader, so the compiled bench finds generated/ too.
    generated = await (await loadBackendRegistry()).backendLoaders[backend]!();
    prism = await prismStarting(join(projectRoot(), generated.specFile));
  } else {
    const starting = prismStarting(join(source.root, source.specFile));
    const loading = source.load();
    // Neither is left running or unhandled when the other fails.
    const [started, loaded] = await Promise.allSettled([starting, loading]);
    if (started.status === 'rejected' || loaded.status === 'rejected') {
      if (started.status === 'fulfilled') await started.value.stop();
      throw started.status === 'rejected' ? started.reason : (loaded as PromiseRejectedResult).reason;
    }
    prism = started.value;
    generated = loaded.value;
  }
  // The sandbox mock checks that a bearer token is sent, not which one.
  const serviceToken = {
    getToken: async (): Promise<string> => 'sandbox-service-token',
    invalidate: (): void => undefined,
  };
  const overrides = await overridesOf(generated, module, { settings, logger, serviceToken, transport: 'http' });
  // Retries as served (FINMCP_MAX_ATTEMPTS' default): Prism sometimes closes a kept-alive socket under load.
  const http: BackendHttp = createBackendHttp({ baseUrl: prism.url, maxAttempts: 3, logger });
  const store = new MemorySessionStore();
  const build = (select?: ToolSelection): ToolService =>
    createToolService({ generated, overrides }, { http, logger, ...(select === undefined ? {} : { select }) });
  const perTool = build();
  const code = await codeModeService(perTool, generated, overrides, settings, logger);
  const dynamic = dynamicToolService(perTool, generated.tools);
  const stateful = overrides.stateful === true;
  const sandboxClaims = module?.sandboxClaims?.(settings) ?? {};

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

/** A backend's overrides: its module's, or (no module) the static sandbox credentials `serve --sandbox` gives it. */
async function overridesOf(
  generated: GeneratedBackend,
  module: BackendPlugin | undefined,
  deps: Parameters<BackendPlugin['create']>[0],
): Promise<BackendOverrides> {
  if (module !== undefined) return module.create(deps);
  const outboundAuth = staticCredentials(generated, staticSecrets({}, true));
  return outboundAuth === undefined ? {} : { outboundAuth };
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
