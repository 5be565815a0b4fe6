/**
 * Step 1 of `finmcp serve`: everything the command line and the environment say, resolved and checked before
 * anything starts (a mistake is a {@link ConfigError} naming the flag or variable, never a half-started server).
 */
import { ConfigError, SETTINGS, type FlagValue, type Settings } from '../../config.js';
import type { ToolSelection } from '../../core/tool-selection.js';
import { defaultAllowedHosts, hostWithPort, isLoopbackHost } from '../../transport/http-guards.js';

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
  /**
   * Other `Host` values (`name:port`) that name the endpoints and so the OAuth resources, e.g. `127.0.0.1:3000`
   * beside `localhost:3000`: the allowed hosts when no public URL was configured; none when one was (it alone names
   * them, whatever Host a proxy forwards).
   */
  resourceHosts: string[];
  /** Port of the sandbox authorization server (HTTP; stdio lets the OS choose). */
  sandboxAuthPort: number;
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
export async function resolveServeConfig(
  backendNames: string[],
  options: ServeOptions,
  settings: Settings,
): Promise<ServeConfig> {
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
  if (dynamic && code)
    throw new ConfigError(
      '--dynamic and --code (FINMCP_DYNAMIC, FINMCP_CODE) are two ways to present the tools: choose one',
    );
  const configuredUrl = settings.read(SETTINGS.publicUrl, options['publicUrl']);
  const publicUrl = publicUrlOf(host, port, configuredUrl);
  return {
    backendNames,
    transport,
    sandbox: settings.read(SETTINGS.sandbox, options['sandbox']),
    host,
    port,
    publicUrl,
    resourceHosts:
      configuredUrl === undefined && transport === 'http'
        ? namingHosts(host, port, settings.read(SETTINGS.allowedHosts))
        : [],
    sandboxAuthPort: settings.read(SETTINGS.sandboxAuthPort, options['sandboxAuthPort']),
    ...(backendUrlFlag === undefined ? {} : { backendUrlFlag }),
    ...(await toolSelectionOf(options, settings)),
    dynamic,
    code,
    allowedOrigins: settings.read(SETTINGS.allowedOrigins, options['allowedOrigins']),
    fetchHandler: options['fetchHandler'] === true,
  };
}

/**
 * The base URL clients use: the configured public URL, else `http://localhost:<port>` on a loopback address (the
 * name browsers and the printed hints use), else the bound address. `finmcp token` derives it the same way.
 */
export function publicUrlOf(host: string, port: number, configured: string | undefined): string {
  return (configured ?? `http://${isLoopbackHost(host) ? 'localhost' : host}:${port}`).replace(/\/+$/, '');
}

/** The `name:port` Host values accepted without a public URL: the defaults, and the configured ones on `port` when they name none. */
function namingHosts(host: string, port: number, configured: readonly string[] | undefined): string[] {
  const hosts =
    configured === undefined ? defaultAllowedHosts(port, host) : configured.map((entry) => hostWithPort(entry, port));
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
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
