/**
 * Sign-in for finmcp's FinOpps users during the benchmark: starts the project's own sandbox OAuth
 * authorization server (in-process, on a free loopback port, keys in memory) for the resources finmcp will
 * serve, and obtains one real user access token per backend — what `finmcp token --sandbox` does, without
 * depending on fixed ports. Token verification by finmcp then costs what it costs in production.
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
    for (const requirement of op.security) for (const list of Object.values(requirement)) for (const s of list) scopes.add(s);
  }
  return [...scopes].sort();
}

/** Starts the sandbox authorization server if any backend needs user tokens; `ports` are finmcp's HTTP ports. */
export async function prepareFinmcpAuth(scenarios: readonly Scenario[], ports: ReadonlyMap<string, number>): Promise<FinmcpAuth> {
  const publicUrl = (backend: string): string => `http://127.0.0.1:${ports.get(backend) ?? 0}`;
  const needing = scenarios.filter((s) => USER_OAUTH_BACKENDS.has(s.backend));
  const tokens = new Map<string, string>();
  const base = {
    publicUrl,
    userToken: (backend: string) => tokens.get(backend),
    httpPort: (backend: string) => ports.get(backend) ?? 0,
  };
  if (needing.length === 0) return { ...base, stop: async () => undefined };
  // Imported only when needed: oidc-provider is heavy, and the smoke test of other backends does not need it.
  const sandbox = await import('../../src/sandbox/authorization-server.js');
  const resources = needing.map((s) => ({ url: `${publicUrl(s.backend)}/${s.backend}/mcp`, scopes: specScopes(s) }));
  const server = await sandbox.startSandboxAuthorizationServer({ port: 0, resources });
  try {
    for (const s of needing) {
      const token = await sandbox.obtainSandboxToken({
        issuer: server.issuer,
        user: 'alice',
        resource: `${publicUrl(s.backend)}/${s.backend}/mcp`,
        scopes: specScopes(s),
      });
      tokens.set(s.backend, token);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...base, issuer: server.issuer, stop: () => server.stop() };
}
