/**
 * Sign-in for finmcp's FinOpps users during the benchmark: starts the project's own sandbox OAuth
 * authorization server (in-process, on a free loopback port, keys in memory) for the resources finmcp will
 * serve, and obtains one real user access token per finmcp server and backend — what `finmcp token --sandbox`
 * does, without depending on fixed ports. A token's audience names the server's public URL, hence its port,
 * so every finmcp variant in the run gets its own reserved port and token. Token verification by finmcp then
 * costs what it costs in production.
 */
import type { Scenario } from '../scenario.js';
import type { FinmcpEnv } from './types.js';
import { USER_OAUTH_BACKENDS } from './finmcp.js';

/** A prepared sign-in, to stop at the end. */
export interface FinmcpAuth extends FinmcpEnv {
  stop(): Promise<void>;
}

/** Every scope the spec's operations require (what a user token must carry to call every tool). */
function specScopes(scenario: Scenario): string[] {
  const scopes = new Set<string>();
  for (const op of scenario.operations) {
    for (const requirement of op.security)
      for (const list of Object.values(requirement)) for (const s of list) scopes.add(s);
  }
  return [...scopes].sort();
}

/** Key of a finmcp server on a backend in the port and token maps. */
export function finmcpKey(server: string, backend: string): string {
  return `${server}|${backend}`;
}

/**
 * Starts the sandbox authorization server if any backend needs user tokens. `ports` holds the HTTP port
 * reserved for each finmcp server on each backend (keys from {@link finmcpKey}).
 */
export async function prepareFinmcpAuth(
  scenarios: readonly Scenario[],
  ports: ReadonlyMap<string, number>,
): Promise<FinmcpAuth> {
  const portFor = (server: string, backend: string): number => ports.get(finmcpKey(server, backend)) ?? 0;
  const publicUrl = (server: string, backend: string): string => `http://127.0.0.1:${portFor(server, backend)}`;
  const resourceOf = (key: string, backend: string): string => `http://127.0.0.1:${ports.get(key) ?? 0}/${backend}/mcp`;
  const tokens = new Map<string, string>();
  const base = {
    portFor,
    publicUrl,
    userToken: (server: string, backend: string) => tokens.get(finmcpKey(server, backend)),
  };
  const needing: Array<{ key: string; scenario: Scenario }> = [];
  for (const key of ports.keys()) {
    const backend = key.slice(key.indexOf('|') + 1);
    const scenario = scenarios.find((s) => s.backend === backend);
    if (scenario !== undefined && USER_OAUTH_BACKENDS.has(backend)) needing.push({ key, scenario });
  }
  if (needing.length === 0) return { ...base, stop: async () => undefined };
  // Imported only when needed: oidc-provider is heavy.
  const sandbox = await import('../../src/sandbox/authorization-server.js');
  const resources = needing.map(({ key, scenario }) => ({
    url: resourceOf(key, scenario.backend),
    scopes: specScopes(scenario),
  }));
  // The users carry what each backend's module asks for (FinOpps: their organisations), as under `serve --sandbox`.
  const [{ sandboxIdentities }, { backendModules }, { Settings }] = await Promise.all([
    import('../../src/cli/serve/serve-sandbox.js'),
    import('../../src/overrides/index.js'),
    import('../../src/config.js'),
  ]);
  const identities = sandboxIdentities(
    needing.map(({ scenario }) => backendModules[scenario.backend]),
    new Settings(process.env),
  );
  const server = await sandbox.startSandboxAuthorizationServer({ port: 0, resources, identities });
  try {
    for (const { key, scenario } of needing) {
      const token = await sandbox.obtainSandboxToken({
        issuer: server.issuer,
        user: 'alice',
        resource: resourceOf(key, scenario.backend),
        scopes: specScopes(scenario),
      });
      tokens.set(key, token);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...base, issuer: server.issuer, stop: () => server.stop() };
}
