/**
 * Step 1 of `finmcp serve`: everything the command line and the environment say, resolved and checked before
 * anything starts (a mistake is a {@link ConfigError} naming the flag or variable, never a half-started server).
 */
import { ConfigError, SETTINGS, type FlagValue, type Settings } from '../../config.js';
import type { ToolSelection } from '../../core/tool-selection.js';
import { isLoopbackHost } from '../../transport/http-guards.js';

/** Options of `finmcp serve`, as commander parsed them. */
export type ServeOptions = Record<string, FlagValue>;

/** The resolved configuration of one `serve`. */
export interface ServeConfig {
  backendNames: string[];
  transport: 'stdio' | 'http';
  /** Serve every backend against its Prism mock (and the sandbox OAuth server). */
  sandbox: boolean;
  host: string;
  /** The HTTP port; a free one already chosen when 0 was asked for. */
  port: number;
  /** Base of every MCP endpoint URL (and so of the OAuth resources), without a trailing slash. */
  publicUrl: string;
  /** `--backend-url` (one backend only). */
  backendUrlFlag?: string;
  select?: ToolSelection;
  dynamic: boolean;
  /** `--code`: search_api and run_code instead of every operation. */
  code: boolean;
  allowedOrigins: string[];
  /** Serverless: a fetch handler instead of a socket of our own. */
  fetchHandler: boolean;
}

/** Reads and checks the configuration; picks a free port when port 0 is asked for over HTTP. */
export async function resolveServeConfig(backendNames: string[], options: ServeOptions, settings: Settings): Promise<ServeConfig> {
  const transport = settings.read(SETTINGS.transport, options['transport']) as ServeConfig['transport'];
  if (transport === 'stdio' && backendNames.length !== 1) {
    throw new ConfigError('stdio serves exactly one backend: run one process per backend');
  }
  const backendUrlFlag = flagText(options['backendUrl']);
  if (backendUrlFlag !== undefined && backendNames.length !== 1) {
    throw new ConfigError('--backend-url needs exactly one backend; use <BACKEND>_BACKEND_URL for several');
  }
  const host = settings.read(SETTINGS.host, options['host']);
  let port = settings.read(SETTINGS.port, options['port']);
  if (port === 0 && transport === 'http') {
    // OAuth resource URLs are derived from the port, so a free one is chosen before anything is started.
    const { findFreePort } = await import('../../free-port.js');
    port = await findFreePort(host);
  }
  if (transport === 'http') {
    // A Redis store without its key must fail before anything is started.
    const { checkStateSettings } = await import('../../state/create-store.js');
    checkStateSettings(settings);
  }
  const dynamic = settings.read(SETTINGS.dynamic, options['dynamic']);
  const code = settings.read(SETTINGS.code, options['code']);
  if (dynamic && code) throw new ConfigError('--dynamic and --code (FINMCP_DYNAMIC, FINMCP_CODE) are two ways to present the tools: choose one');
  const publicUrl = (settings.read(SETTINGS.publicUrl, options['publicUrl']) ?? `http://${isLoopbackHost(host) ? 'localhost' : host}:${port}`).replace(/\/+$/, '');
  return {
    backendNames,
    transport,
    sandbox: settings.read(SETTINGS.sandbox, options['sandbox']),
    host,
    port,
    publicUrl,
    ...(backendUrlFlag === undefined ? {} : { backendUrlFlag }),
    ...(await toolSelectionOf(options, settings)),
    dynamic,
    code,
    allowedOrigins: settings.read(SETTINGS.allowedOrigins, options['allowedOrigins']),
    fetchHandler: options['fetchHandler'] === true,
  };
}

/** `--tools`, `--tags`, `--read-only` as one selection; none when all are unset. */
async function toolSelectionOf(options: ServeOptions, settings: Settings): Promise<{ select?: ToolSelection }> {
  const { toolSelection } = await import('../../core/tool-selection.js');
  const select = toolSelection({
    tools: settings.read(SETTINGS.tools, options['tools']),
    tags: settings.read(SETTINGS.tags, options['tags']),
    readOnly: settings.read(SETTINGS.readOnly, options['readOnly']),
  });
  return select === undefined ? {} : { select };
}

/** A flag's text, when it was given one. */
function flagText(value: FlagValue): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
