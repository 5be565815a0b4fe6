/**
 * What `serve` builds for one backend once its HTTP client is ready: its overrides completed with static outbound
 * credentials when it has no override module of its own, the ToolService narrowed by the tool selection
 * (`--tools`, `--tags`, `--read-only`) and, with `--dynamic`, wrapped in the search / describe / call meta-tools, or
 * with `--code` in search_api / run_code (src/code/).
 * Logs how many tools it serves.
 */
import { BACKEND_SETTINGS, ConfigError, SETTINGS, type Settings } from '../config.js';
import type { BackendOverrides } from '../core/backend-overrides.js';
import type { ToolService } from '../core/tool-service-api.js';
import { createToolService } from '../core/tool-service.js';
import type { ToolSelection } from '../core/tool-selection.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import type { BackendHttp } from '../backend/backend-types.js';
import type { AuditLog } from '../audit/audit-record.js';
import type { Logger } from '../log.js';
import type { CallMetrics, CallTracer } from '../observability/call-observer.js';

/** How `serve` was asked to present the tools. */
export interface ServingChoices {
  settings: Settings;
  logger: Logger;
  sandbox: boolean;
  select?: ToolSelection;
  dynamic: boolean;
  /** The folder the backend's spec file and docs/tools.md are relative to; the project root by default. */
  root?: string;
  code?: boolean;
  /** Where calls are recorded (FINMCP_AUDIT). */
  audit?: AuditLog;
  /** Where calls are counted and timed (FINMCP_METRICS). */
  metrics?: CallMetrics;
  /** Traces each call (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: CallTracer;
}

/** The overrides and ToolService of one backend. */
export async function serveBackendTools(
  generated: GeneratedBackend,
  given: BackendOverrides,
  http: BackendHttp,
  usesServiceToken: boolean,
  choices: ServingChoices,
): Promise<{ overrides: BackendOverrides; service: ToolService }> {
  const { settings, logger, select, dynamic, audit } = choices;
  const code = choices.code === true;
  let overrides = given;
  if (overrides.outboundAuth === undefined && !usesServiceToken) {
    // A backend without an override module (a spec just dropped into specs/) calls with static secrets.
    const { staticCredentials, staticSecrets } = await import('../core/static-credentials.js');
    const given = {
      apiKey: settings.readBackend(generated.name, BACKEND_SETTINGS.apiKey),
      bearerToken: settings.readBackend(generated.name, BACKEND_SETTINGS.bearerToken),
      basicAuth: settings.readBackend(generated.name, BACKEND_SETTINGS.basicAuth),
    };
    const outboundAuth = staticCredentials(generated, staticSecrets(given, choices.sandbox));
    if (outboundAuth !== undefined) overrides = { ...overrides, outboundAuth };
  }
  let service = createToolService(
    { generated, overrides },
    {
      http,
      logger,
      maxResponseBytes: settings.read(SETTINGS.maxResponseBytes),
      ...(select !== undefined ? { select } : {}),
      ...(choices.root !== undefined ? { root: choices.root } : {}),
      ...(audit !== undefined ? { audit } : {}),
      ...(choices.metrics !== undefined ? { metrics: choices.metrics } : {}),
      ...(choices.tracer !== undefined ? { tracer: choices.tracer } : {}),
    },
  );
  const served = service.listTools().length;
  if (select !== undefined && served === 0) {
    throw new ConfigError(
      `${generated.name}: --tools/--tags/--read-only select none of its ${generated.tools.length} tools`,
    );
  }
  if (dynamic) {
    if (overrides.inboundAuth === 'oauth') {
      // Per-tool scopes are checked by tool name: one `call_tool` for every operation would bypass them.
      throw new ConfigError(`${generated.name} checks OAuth scopes per tool: --dynamic is not available for it`);
    }
    const { dynamicToolService } = await import('../core/dynamic-tools.js');
    service = dynamicToolService(service, generated.tools);
  }
  if (code) {
    const { codeModeService } = await import('../code/serve-code.js');
    service = await codeModeService(service, generated, overrides, settings, logger);
  }
  logger.info(
    { backend: generated.name, tools: served, generated: generated.tools.length, dynamic, code },
    `${generated.name}: serving ${served} tools${dynamic ? ' through search_tools / describe_tool / call_tool' : code ? ' through search_api / run_code' : ''}`,
  );
  warnOnLargeListing(generated.name, service, settings.read(SETTINGS.listTokenBudget), logger);
  return { overrides, service };
}

/** Rough model tokens of a JSON text: about four characters per token (tokenizers vary; this is an estimate). */
const CHARS_PER_TOKEN = 4;

/**
 * Warns when listing every served tool would cost a model more than `budget` tokens of context: the listing is
 * paged, but clients load every page before the first turn.
 */
function warnOnLargeListing(name: string, service: ToolService, budget: number, logger: Logger): void {
  const tools = service.listTools();
  const tokens = Math.round(JSON.stringify(tools).length / CHARS_PER_TOKEN);
  if (tokens <= budget) return;
  logger.warn(
    { backend: name, tools: tools.length, estimatedTokens: tokens, budget },
    `${name}: listing its ${tools.length} tools costs about ${tokens.toLocaleString('en')} tokens of the model's context (budget ${budget.toLocaleString('en')}, FINMCP_LIST_TOKEN_BUDGET): serve fewer with --tools or --tags, or let the model find them with --dynamic or --code`,
  );
}
