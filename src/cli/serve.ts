/**
 * `finmcp serve <backend…>`: resolves the configuration (serve/serve-config.ts), plans each backend
 * (serve/backend-plans.ts), starts what the sandbox must provide (serve/serve-sandbox.ts), assembles each backend's
 * client and ToolService (serve/assemble-backends.ts), then starts the transport (serve/start-transport.ts). With no
 * backend URL (or `--sandbox`) each backend is served against the Prism mock of its own spec, and backends whose
 * users sign in with OAuth get a local sandbox authorization server.
 */
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import { SETTINGS, Settings } from '../config.js';
import type { Logger } from '../log.js';
import { createLogger } from '../log.js';
import { openAuditTrail } from '../audit/open-audit.js';
import { exitWhenStopped } from './lifecycle.js';
import { assembleBackends, registerServiceTokens } from './serve/assemble-backends.js';
import { planBackends, type BackendSource } from './serve/backend-plans.js';
import { openObservers } from './serve/observers.js';
import { resolveServeConfig, type ServeOptions } from './serve/serve-config.js';
import { startServeSandbox } from './serve/serve-sandbox.js';
import { startHttp, startStdio } from './serve/start-transport.js';

export type { ServeOptions } from './serve/serve-config.js';

/** A running set of servers and everything started for them. */
export interface RunningServers {
  /** Base URL of the HTTP server, when serving HTTP. */
  url?: string;
  /** Settles when the servers stopped by themselves (stdio: the client closed the input). */
  ended?: Promise<void>;
  /** MCP endpoint URL per backend (HTTP). */
  endpoints: Record<string, string>;
  /** Backends whose endpoint takes a user's OAuth bearer token (HTTP). */
  oauthBackends?: string[];
  /** Issuer of the sandbox authorization server, when one was started. */
  sandboxIssuer?: string;
  /** The web-standard handler serving every backend, when started with `fetchHandler` (serverless). */
  fetch?: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/** Longest an HTTP server may take to stop: more than the 10 s it gives requests in flight (`server.close`). */
const HTTP_EXIT_DEADLINE_MS = 15_000;

/** Entry point of the `serve` command: starts, prints how to connect, and exits when told to (see lifecycle.ts). */
export async function runServe(backends: string[], options: ServeOptions): Promise<void> {
  const settings = new Settings(process.env);
  const logger = createLogger({ level: settings.read(SETTINGS.logLevel, options['logLevel']) });
  const running = await startServers(backends, options, settings, logger);
  const stdio = running.ended !== undefined;
  // stdio has nobody left to answer: closing is quick.
  exitWhenStopped(() => running.close(), {
    logger,
    ended: running.ended,
    watchParent: stdio,
    deadlineMs: stdio ? 3_000 : HTTP_EXIT_DEADLINE_MS,
  });
  if (running.url !== undefined) process.stderr.write(connectionHelp(running));
}

/**
 * Starts the servers for `backends`; used by the CLI, the serverless entry and tests. `extraBackends` adds backends
 * defined outside the project's generated/ and src/overrides/ (an embedding program's own), served the same way.
 */
export async function startServers(
  backendNames: string[],
  options: ServeOptions,
  settings: Settings,
  logger: Logger,
  extraBackends?: Readonly<Record<string, BackendSource>>,
): Promise<RunningServers> {
  const config = await resolveServeConfig(backendNames, options, settings);
  const cleanups: Array<() => Promise<void>> = [];
  const onClose = (cleanup: () => Promise<void>): void => void cleanups.push(cleanup);
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    // Opened first and so closed last (cleanups run in reverse): every record of the run is flushed.
    const audit = await openAuditTrail(settings, config.transport, logger);
    if (audit !== undefined) onClose(() => audit.close());
    const serviceTokens = new Map<string, ServiceTokenSource>();
    const plans = await planBackends(config, settings, logger, serviceTokens, extraBackends);
    const sandbox = await startServeSandbox(config, plans, settings, logger);
    if (sandbox.parts !== undefined) onClose(sandbox.parts.stop);
    // HTTP publishes the issuer in its OAuth metadata from the first request, so it waits for the authorization
    // server (in-process, quick); stdio needs it only for its own token, and gets it in the background.
    const sandboxIssuer = config.transport === 'http' ? await sandbox.issuer : undefined;
    const tokensReady = registerServiceTokens(config, plans, sandbox, settings, serviceTokens);
    tokensReady.catch(() => undefined);
    const observers = await openObservers(config, settings, logger, onClose);
    const backends = await assembleBackends(config, plans, sandbox, tokensReady, settings, logger, onClose, {
      audit,
      observers,
    });
    const deps = { config, sandbox, sandboxIssuer, settings, logger, onClose, audit, observers };
    const started =
      config.transport === 'stdio' ? await startStdio(backends[0]!, deps) : await startHttp(backends, deps);
    return { ...started, ...(sandboxIssuer === undefined ? {} : { sandboxIssuer }), close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** How to connect, printed to stderr once the HTTP server listens; every command in it runs as printed. */
export function connectionHelp(running: RunningServers): string {
  const lines = ['', 'finmcp is serving:'];
  for (const [name, url] of Object.entries(running.endpoints)) lines.push(`  ${name.padEnd(10)} ${url}`);
  const first = Object.entries(running.endpoints)[0];
  const tokenCommand = (name: string, url: string): string | undefined => {
    if (running.sandboxIssuer === undefined) return undefined;
    // Everything `finmcp token` needs to name this server's resource, whatever the shell's variables say.
    const publicUrl = url.slice(0, -`/${name}/mcp`.length);
    return `npx finmcp token --sandbox --user alice --backend ${name} --public-url ${publicUrl} --sandbox-auth-port ${new URL(running.sandboxIssuer).port}`;
  };
  if (first !== undefined) {
    const [name, url] = first;
    const bearer = running.oauthBackends?.includes(name) === true;
    const token = bearer ? tokenCommand(name, url) : undefined;
    const cli = `npx @modelcontextprotocol/inspector --cli ${url} --transport http`;
    lines.push(
      '',
      'Connect with:',
      `  MCP Inspector   npx @modelcontextprotocol/inspector   (Transport: Streamable HTTP, URL: ${url})`,
      ...(!bearer
        ? [`  Inspector CLI   ${cli} --method tools/list`]
        : token !== undefined
          ? [
              `  Inspector CLI   TOKEN=$(${token})`,
              `                  ${cli} --header "Authorization: Bearer $TOKEN" --method tools/list`,
            ]
          : [
              `  Inspector CLI   ${cli} --header "Authorization: Bearer <an access token for ${url}>" --method tools/list`,
            ]),
      `  stdio bridge    npx mcp-remote ${url}`,
      '  Claude Desktop  claude_desktop_config.json:',
      `    { "mcpServers": { "${name}": { "command": "npx", "args": ["mcp-remote", "${url}"] } } }`,
    );
  }
  if (running.sandboxIssuer !== undefined) {
    lines.push('', `Sandbox OAuth server: ${running.sandboxIssuer} (users alice, bob, carol)`);
    for (const name of running.oauthBackends ?? []) {
      const url = running.endpoints[name];
      if (url !== undefined) lines.push(`  a token for curl (${name}):  ${tokenCommand(name, url)}`);
    }
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
