/**
 * `finmcp token --sandbox --user <name>`: a real access token from the sandbox authorization server, obtained
 * with the authorization-code + PKCE flow, for scripts and curl. Uses the running sandbox server when there is
 * one (started by `finmcp serve --sandbox`), else starts one just for this, sharing the persisted signing keys.
 */
import { join } from 'node:path';
import { ConfigError, Settings } from '../config.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';
import { specScopes } from '../auth/scopes.js';

/** Prints the token on stdout (and nothing else, so `$(finmcp token …)` works). */
export async function runToken(options: { sandbox?: boolean; user: string; backend: string; publicUrl?: string }): Promise<void> {
  if (options.sandbox !== true) {
    throw new ConfigError('token only issues sandbox tokens: pass --sandbox (real tokens come from your authorization server)');
  }
  const settings = new Settings(process.env);
  const logger = createLogger({ level: settings.get('FINMCP_LOG_LEVEL', 'warn') });
  const port = settings.int('FINMCP_SANDBOX_AUTH_PORT', 4455);
  const publicUrl = (options.publicUrl ?? `http://localhost:${settings.get('FINMCP_PORT', '3000')}`).replace(/\/+$/, '');
  const resource = `${publicUrl}/${options.backend}/mcp`;
  const { backendLoaders } = await (await import('./generated.js')).loadBackendRegistry();
  const load = backendLoaders[options.backend];
  if (load === undefined) throw new ConfigError(`unknown backend "${options.backend}"`);
  const generated = await load();
  const scopes = specScopes(generated);
  const { startSandboxAuthorizationServer, obtainSandboxToken } = await import('../sandbox/authorization-server.js');
  let issuer = await runningIssuer(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
  let stop: (() => Promise<void>) | undefined;
  if (issuer === undefined) {
    const started = await startSandboxAuthorizationServer({
      port,
      resources: [{ url: resource, scopes }],
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

/** The issuer of a sandbox authorization server already running on this machine, if any. */
async function runningIssuer(discoveryUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(1000) });
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
      ': pass --public-url with the base URL the server prints (e.g. --public-url http://localhost:<its port>), ' +
      'or set FINMCP_PORT to its port',
  );
}
