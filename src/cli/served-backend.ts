/**
 * What `serve` builds for one backend once its HTTP client is ready: its overrides completed with static outbound
 * credentials when it has no override module of its own, the ToolService narrowed by the tool selection
 * (`--tools`, `--tags`, `--read-only`) and, with `--dynamic`, wrapped in the search / describe / call meta-tools, or
 * with `--code` in search_api / run_code (src/code/).
 * Logs how many tools it serves.
 */
import { ConfigError, SETTINGS, type Settings } from '../config.js';
import type { BackendOverrides, ToolService } from '../contracts.js';
import { createToolService } from '../core/tool-service.js';
import type { ToolSelection } from '../core/tool-selection.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import type { BackendHttp } from '../backend/backend-types.js';
import type { Logger } from '../log.js';

/** How `serve` was asked to present the tools. */
export interface ServingChoices {
  settings: Settings;
  logger: Logger;
  sandbox: boolean;
  select?: ToolSelection;
  dynamic: boolean;
  code?: boolean;
}

/** The overrides and ToolService of one backend. */
export async function serveBackendTools(
  generated: GeneratedBackend,
  given: BackendOverrides,
  http: BackendHttp,
  usesServiceToken: boolean,
  choices: ServingChoices,
): Promise<{ overrides: BackendOverrides; service: ToolService }> {
  const { settings, logger, select, dynamic } = choices;
  const code = choices.code === true;
  if (dynamic && code) throw new ConfigError('--dynamic and --code are two ways to present the tools: choose one');
  let overrides = given;
  if (overrides.outboundAuth === undefined && !usesServiceToken) {
    // A backend without an override module (a spec just dropped into specs/) calls with static secrets.
    const { staticCredentials, staticSecrets } = await import('../core/static-credentials.js');
    const outboundAuth = staticCredentials(generated, staticSecrets((key) => settings.backend(generated.name, key), choices.sandbox));
    if (outboundAuth !== undefined) overrides = { ...overrides, outboundAuth };
  }
  let service = createToolService(
    { generated, overrides },
    { http, logger, maxResponseBytes: settings.read(SETTINGS.maxResponseBytes), ...(select !== undefined ? { select } : {}) },
  );
  const served = service.listTools().length;
  if (select !== undefined && served === 0) {
    throw new ConfigError(`${generated.name}: --tools/--tags/--read-only select none of its ${generated.tools.length} tools`);
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
  return { overrides, service };
}
