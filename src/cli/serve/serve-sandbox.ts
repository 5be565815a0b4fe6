/**
 * Step 3 of `finmcp serve` (only with `--sandbox` or a backend without a URL): the Prism mock of each such backend
 * and, when a backend signs users in with OAuth or calls its API with client credentials, the sandbox authorization
 * server, whose users carry the claims each backend's module asks for. Started in the background: `initialize` and
 * `tools/list` are answered meanwhile, tool calls wait (startup-gate.ts).
 */
import { join } from 'node:path';
import { BACKEND_SETTINGS, ConfigError, envPrefix, SETTINGS, type Settings } from '../../config.js';
import type { Logger } from '../../log.js';
import { projectRoot } from '../../paths.js';
import { onWorkers } from '../../runtime.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import { SANDBOX_IDENTITIES, withBackendClaims } from '../../sandbox/sandbox-identities.js';
import { specScopes } from '../../auth/scopes.js';
import { serviceAudience } from '../service-tokens.js';
import type { BackendPlan } from './backend-plans.js';
import type { ServeConfig } from './serve-config.js';

/** The sandbox of one `serve`, if any. */
export interface ServeSandbox {
  parts?: Sandbox;
  /** Whether an authorization server was asked for. */
  authorizationServer: boolean;
  /** Its issuer once it listens; undefined without one. */
  issuer: Promise<string | undefined>;
  /** Lets a stdio sandbox start (it waits until the server has read its first input). */
  begin(): void;
}

/** The MCP endpoint URL of a backend: also its OAuth resource identifier (RFC 8707). */
export function resourceUrl(config: ServeConfig, backend: string): string {
  return `${config.publicUrl}/${backend}/mcp`;
}

/** The same endpoint named by each of the other hosts that may name it (`config.resourceHosts`). */
function resourceAliases(config: ServeConfig, backend: string): string[] {
  const canonical = resourceUrl(config, backend);
  return config.resourceHosts.flatMap((host) => {
    const alias = new URL(canonical);
    alias.host = host;
    return alias.href === canonical ? [] : [alias.href];
  });
}

/** Why a Worker cannot serve these plans: the sandbox needs child processes (Prism) and listening sockets. */
function noSandboxOnWorkers(mocked: BackendPlan[]): string {
  if (mocked.length === 0) {
    return 'FINMCP_SANDBOX asks for the sandbox (Prism mocks, a local authorization server), which Cloudflare Workers cannot run: unset it';
  }
  const settings = mocked.map((plan) => `${envPrefix(plan.name)}_${BACKEND_SETTINGS.backendUrl.env}`);
  return `no backend URL for ${mocked.map((plan) => plan.name).join(', ')}, and Cloudflare Workers cannot run the sandbox's Prism mocks (child processes): set ${settings.join(', ')} (FINMCP_SANDBOX unset)`;
}

/** Starts what the plans need from the sandbox (nothing when every backend has a URL and no sandbox was asked). */
export async function startServeSandbox(
  config: ServeConfig,
  plans: BackendPlan[],
  settings: Settings,
  logger: Logger,
): Promise<ServeSandbox> {
  const mocked = plans.filter((plan) => plan.backendUrl === undefined);
  const authorizationServer = config.sandbox && plans.some((plan) => plan.oauth || plan.serviceCredential);
  let begin = (): void => undefined;
  if (mocked.length === 0 && !authorizationServer)
    return { authorizationServer, issuer: Promise.resolve(undefined), begin };
  if (onWorkers()) throw new ConfigError(noSandboxOnWorkers(mocked));
  const serving = new Promise<void>((resolve) => (begin = resolve));
  const { startSandbox } = await import('../../sandbox/sandbox.js');
  const parts = startSandbox({
    mocks: mocked.map((plan) => ({ name: plan.name, specFile: join(projectRoot(), plan.generated.specFile) })),
    authorization: authorizationServer
      ? {
          port: config.transport === 'http' ? config.sandboxAuthPort : 0,
          resources: [
            ...plans
              .filter((plan) => plan.oauth)
              .map((plan) => ({
                url: resourceUrl(config, plan.name),
                aliases: resourceAliases(config, plan.name),
                scopes: specScopes(plan.generated),
              })),
            ...plans
              .filter((plan) => plan.serviceCredential)
              .map((plan) => ({ url: serviceAudience(plan.generated), scopes: specScopes(plan.generated) })),
          ],
          identities: sandboxIdentities(
            plans.map((plan) => plan.module),
            settings,
          ),
          keysFile: join(projectRoot(), '.finmcp', 'sandbox-keys.json'),
        }
      : undefined,
    begin: config.transport === 'stdio' ? serving : undefined,
    mockStartTimeoutMs: settings.read(SETTINGS.sandboxStartTimeoutMs),
    logger,
  });
  return {
    parts,
    authorizationServer,
    issuer: parts.authorization?.then((as) => as.issuer) ?? Promise.resolve(undefined),
    begin,
  };
}

/** The demo users with the claims the given backends' modules add (e.g. their organisations). */
export function sandboxIdentities(
  modules: Iterable<BackendPlan['module']>,
  settings: Settings,
): ReturnType<typeof withBackendClaims> {
  const claims = [...modules].flatMap((module) =>
    module?.sandboxClaims === undefined ? [] : [module.sandboxClaims(settings)],
  );
  return withBackendClaims(SANDBOX_IDENTITIES, claims);
}
