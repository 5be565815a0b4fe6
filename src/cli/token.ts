/**
 * `finmcp token --sandbox --user <name> [--backend <name>]`: a real access token from the sandbox authorization server, obtained
 * with the authorization-code + PKCE flow, for scripts and curl. Uses the running sandbox server when there is
 * one (started by `finmcp serve --sandbox`), else starts one just for this, sharing the persisted signing keys.
 */
import { join } from 'node:path';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import { specScopes } from '../auth/scopes.js';
import { ConfigError, SETTINGS, Settings } from '../config.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { createLogger, type Logger } from '../log.js';
import { projectRoot } from '../paths.js';
import { publicUrlOf } from './serve/serve-config.js';
import { sandboxIdentities } from './serve/serve-sandbox.js';

/** Options of `finmcp token`. */
export interface TokenOptions {
  sandbox?: boolean;
  user: string;
  /** The backend whose MCP endpoint the token is for; optional when only one backend signs users in with OAuth. */
  backend?: string;
  /** `serve`'s address settings (flags over `FINMCP_*` variables over defaults), read the same way. */
  host?: string;
  port?: string;
  publicUrl?: string;
  sandboxAuthPort?: string;
}

/** Prints the token on stdout (and nothing else, so `$(finmcp token …)` works). */
export async function runToken(options: TokenOptions): Promise<void> {
  if (options.sandbox !== true) {
    throw new ConfigError(
      'token only issues sandbox tokens: pass --sandbox (real tokens come from your authorization server)',
    );
  }
  const settings = new Settings(process.env);
  const logger = createLogger({ level: settings.readGiven(SETTINGS.logLevel) ?? 'warn' });
  // The server's address exactly as `serve` resolves it from the same flags and variables.
  const port = settings.read(SETTINGS.sandboxAuthPort, options.sandboxAuthPort);
  const publicUrl = publicUrlOf(
    settings.read(SETTINGS.host, options.host),
    settings.read(SETTINGS.port, options.port),
    settings.read(SETTINGS.publicUrl, options.publicUrl),
  );
  const { backend, generated } = await tokenBackend(options.backend, settings, logger);
  const resource = `${publicUrl}/${backend}/mcp`;
  const scopes = specScopes(generated);
  const { startSandboxAuthorizationServer, obtainSandboxToken } = await import('../sandbox/authorization-server.js');
  let issuer = await runningIssuer(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
  let stop: (() => Promise<void>) | undefined;
  if (issuer === undefined) {
    const { backendModules } = await import('../overrides/index.js');
    const started = await startSandboxAuthorizationServer({
      port,
      resources: [{ url: resource, scopes }],
      identities: sandboxIdentities([backendModules[backend]], settings),
      keysFile: join(projectRoot(), '.finmcp', 'sandbox-keys.json'),
      logger,
    });
    issuer = started.issuer;
    stop = () => started.stop();
  }
  try {
    const token = await obtainSandboxToken({ issuer, user: options.user, resource, scopes }).catch((error: unknown) => {
      throw explainFailure(error, resource, stop === undefined);
    });
    process.stdout.write(`${token}\n`);
  } finally {
    await stop?.();
  }
}

/**
 * The backend the token is for: the one named, or else the only backend whose users sign in with OAuth (the only
 * kind whose MCP endpoint takes a user's token). Several such backends: the caller must name one.
 */
async function tokenBackend(
  named: string | undefined,
  settings: Settings,
  logger: Logger,
): Promise<{ backend: string; generated: GeneratedBackend }> {
  const { backendLoaders } = await (await import('./generated.js')).loadBackendRegistry();
  if (named !== undefined) {
    const load = backendLoaders[named];
    if (load === undefined)
      throw new ConfigError(`unknown backend "${named}": available are ${Object.keys(backendLoaders).join(', ')}`);
    return { backend: named, generated: await load() };
  }
  const { backendModules } = await import('../overrides/index.js');
  const unused: ServiceTokenSource = {
    getToken: () => Promise.reject(new Error('no service token here')),
    invalidate: () => undefined,
  };
  const oauth: string[] = [];
  for (const name of Object.keys(backendLoaders)) {
    const overrides = await backendModules[name]?.create({ settings, logger, serviceToken: unused, transport: 'http' });
    if (overrides?.inboundAuth === 'oauth') oauth.push(name);
  }
  if (oauth.length !== 1) {
    throw new ConfigError(
      oauth.length === 0
        ? 'no backend signs its users in with OAuth: there is no token to issue'
        : `several backends sign users in with OAuth (${oauth.join(', ')}): pass --backend <name>`,
    );
  }
  const backend = oauth[0]!;
  return { backend, generated: await backendLoaders[backend]!() };
}

/** The issuer of a sandbox authorization server already running on this machine, if any. */
async function runningIssuer(discoveryUrl: string): Promise<string | undefined> {
  try {
    // Generous: a busy machine's sandbox may take seconds to answer, and missing it means starting a second one on its port.
    const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return undefined;
    const metadata = (await response.json()) as { issuer?: unknown };
    return typeof metadata.issuer === 'string' ? metadata.issuer : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token request refused with `invalid_target` (RFC 8707 §2: the resource is unknown to the authorization server)
 * means the running sandbox serves another URL: say which resource was asked for and how to ask for the right one.
 */
function explainFailure(error: unknown, resource: string, sharedSandbox: boolean): unknown {
  if (!(error instanceof Error) || !error.message.includes('invalid_target')) return error;
  return new ConfigError(
    `the sandbox authorization server does not issue tokens for ${resource}` +
      (sharedSandbox ? ' (it was started by a `finmcp serve --sandbox` with other endpoints)' : '') +
      ': pass the --port (or --public-url) the server was started with, or set FINMCP_PORT / FINMCP_PUBLIC_URL as for it',
  );
}
