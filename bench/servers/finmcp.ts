/**
 * The server under test: finmcp, started from its CLI exactly as a user would (`node bin/finmcp.js serve
 * <backend> --transport stdio|http --backend-url <stub>`), one process per backend and transport. Its backend
 * service credential (OAuth client credentials, when the spec has such a scheme) comes from the stub's token
 * endpoint; users of a backend that signs them in with OAuth (FinOpps) present a token from the sandbox
 * authorization server the harness started (see finmcp-auth.ts); B4B sessions call the `login` tool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { securitySchemes } from '../spec.js';
import type { Scenario } from '../scenario.js';
import type { LaunchSpec } from '../clients/mcp-stdio.js';
import type { BenchEnv, HttpLaunch, ServerUnderTest, Unavailable } from './types.js';

/**
 * Backends whose MCP users authenticate with OAuth (finmcp's overrides say `inboundAuth: 'oauth'` for FinOpps,
 * src/overrides/finopps/overrides.ts). Kept here rather than read from src/ so the harness drives finmcp only via its CLI.
 */
export const USER_OAUTH_BACKENDS: ReadonlySet<string> = new Set(['finopps']);

/**
 * The connection cap finmcp's HTTP server runs with here: room for the 1,000-client load (and the session
 * memory run) with margin. A cap below the load's client count would refuse clients, not measure the server.
 */
const BENCH_CONNECTION_CAP = 4096;

/** Settings that keep the measurement about the server: quiet logs, no rate limit or caps in the way of the load. */
const COMMON_ENV: Record<string, string> = {
  FINMCP_LOG_LEVEL: 'warn',
  FINMCP_RATE_LIMIT_PER_MINUTE: '1000000000',
  FINMCP_MAX_SESSIONS: '100000',
  FINMCP_MAX_CONNECTIONS: String(BENCH_CONNECTION_CAP),
};

function hasClientCredentials(scenario: Scenario): boolean {
  return Object.values(securitySchemes(scenario.doc)).some((scheme) => {
    const flows = scheme.flows as Record<string, unknown> | undefined;
    return scheme.type === 'oauth2' && flows?.clientCredentials !== undefined;
  });
}

function backendEnv(
  server: string,
  scenario: Scenario,
  env: BenchEnv,
  redis: boolean,
): Record<string, string> | Unavailable {
  const prefix = scenario.backend.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const out: Record<string, string> = { ...COMMON_ENV };
  if (redis) {
    if (env.redis === undefined) return { unavailable: 'no redis-server started for the run' };
    out.FINMCP_STATE_STORE = env.redis.url;
    out.FINMCP_STATE_KEY = env.redis.stateKey;
  }
  if (hasClientCredentials(scenario)) {
    out[`${prefix}_TOKEN_URL`] = `${env.stubOrigin(scenario.backend)}/oauth2/token`;
    out[`${prefix}_CLIENT_ID`] = 'bench-service';
    out[`${prefix}_CLIENT_SECRET`] = 'bench-service-secret';
  }
  if (USER_OAUTH_BACKENDS.has(scenario.backend)) {
    const issuer = env.finmcp?.issuer;
    const token = env.finmcp?.userToken(server, scenario.backend);
    if (issuer === undefined || token === undefined)
      return { unavailable: 'no sandbox authorization server for its users' };
    out[`${prefix}_OAUTH_ISSUER`] = issuer;
    out[`${prefix}_ACCESS_TOKEN`] = token;
  }
  if (env.finmcp !== undefined) out.FINMCP_PUBLIC_URL = env.finmcp.publicUrl(server, scenario.backend);
  return out;
}

/**
 * The checkout `finmcp-base` runs from (BENCH_BASE_ROOT: another worktree or copy with its dist/ built): the same
 * run then measures a change against the code before it (A/B), on the same minutes of a shared machine.
 */
function baseRoot(): string {
  const root = process.env.BENCH_BASE_ROOT;
  if (root === undefined || root === '') throw new Error('finmcp-base needs BENCH_BASE_ROOT (a checkout with dist/)');
  return root;
}

function rootOf(env: BenchEnv, base: boolean): string {
  return base ? baseRoot() : env.root;
}

function cli(env: BenchEnv, base = false): string {
  return join(rootOf(env, base), 'bin', 'finmcp.js');
}

let launcherFlags: string[] | undefined;

/**
 * The Node flags the `finmcp` command runs with: those on its launcher's shebang line (e.g. heap caps), so
 * that the benchmark starts finmcp exactly as `npx finmcp` / the installed bin does, not as a bare
 * `node bin/finmcp.js` that would skip them.
 */
function launcherNodeFlags(launcher: string): string[] {
  const first = readFileSync(launcher, 'utf8').split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return [];
  const words = first.slice(2).trim().split(/\s+/);
  const node = words.findIndex((word) => /(^|\/)node$/.test(word));
  return node === -1 ? [] : words.slice(node + 1).filter((word) => word.startsWith('--'));
}

/** Node flags to try instead of the launcher's, for `finmcp-node` (BENCH_FINMCP_NODE_FLAGS, space-separated). */
function trialFlags(): string[] {
  return (process.env.BENCH_FINMCP_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag.startsWith('--'));
}

function nodeArgs(env: BenchEnv, withLauncherFlags: boolean, base: boolean): string[] {
  launcherFlags ??= launcherNodeFlags(cli(env));
  if (base) return [...launcherNodeFlags(cli(env, true)), cli(env, true)];
  return withLauncherFlags ? [...launcherFlags, cli(env)] : [...trialFlags(), cli(env)];
}

/** `finmcp serve <backend> <transportArgs> --backend-url <stub>` in a fresh Node process. */
function serveLaunch(
  env: BenchEnv,
  scenario: Scenario,
  withLauncherFlags: boolean,
  extra: Record<string, string>,
  transportArgs: string[],
  base = false,
): LaunchSpec {
  return {
    command: process.execPath,
    args: [
      ...nodeArgs(env, withLauncherFlags, base),
      'serve',
      scenario.backend,
      ...transportArgs,
      '--backend-url',
      `${env.stubOrigin(scenario.backend)}${scenario.basePath}`,
    ],
    cwd: rootOf(env, base),
    env: extra,
  };
}

/**
 * Builds the finmcp server description; `withLauncherFlags: false` is a bare `node bin/finmcp.js`; `redis` keeps
 * sessions, sign-ins and rate-limit buckets in the run's redis-server (HTTP, backends with a per-session login);
 * `metrics` turns on FINMCP_METRICS (HTTP only: stdio serves no /metrics); `base` runs BENCH_BASE_ROOT's finmcp.
 */
function finmcpServer(
  id: string,
  label: string,
  withLauncherFlags: boolean,
  redis = false,
  metrics = false,
  base = false,
): ServerUnderTest {
  return {
    id,
    get label(): string {
      return withLauncherFlags || trialFlags().length === 0 ? label : `finmcp (node ${trialFlags().join(' ')})`;
    },
    role: 'subject',
    get notes(): string[] {
      const flags =
        launcherFlags === undefined ? 'not read yet' : launcherFlags.length === 0 ? 'none' : launcherFlags.join(' ');
      return [
        withLauncherFlags
          ? `\`finmcp serve <backend> --transport stdio|http --backend-url <stub>\`, one process per backend and transport, started as the ` +
            `\`finmcp\` command runs (bin/finmcp.js with its shebang's Node flags: ${flags})`
          : `\`node ${trialFlags().length === 0 ? '' : `${trialFlags().join(' ')} `}bin/finmcp.js serve …\` instead of the launcher's Node flags (${flags}), for comparison`,
        `FINMCP_LOG_LEVEL=warn, FINMCP_RATE_LIMIT_PER_MINUTE=1e9 (the default 600/min would throttle the load), FINMCP_MAX_SESSIONS=100000, FINMCP_MAX_CONNECTIONS=${BENCH_CONNECTION_CAP}`,
        'FinOpps users: a real sandbox OAuth access token (alice); B4B: every session calls `login` with the spec example',
        ...(redis
          ? [
              'FINMCP_STATE_STORE=redis://127.0.0.1:<port> (a redis-server the run starts: no persistence, loopback) and a FINMCP_STATE_KEY: sessions, sign-ins and the rate limit in Redis; HTTP only, backends with a login only',
            ]
          : []),
        ...(metrics
          ? ['FINMCP_METRICS=1: every call counted and timed for /metrics (not scraped during the run); HTTP only']
          : []),
      ];
    },
    stdio(scenario: Scenario, env: BenchEnv): LaunchSpec | Unavailable {
      if (redis) return { unavailable: 'a stdio server has one client: nothing to share' };
      if (metrics) return { unavailable: 'stdio serves no /metrics' };
      const extra = backendEnv(id, scenario, env, redis);
      if ('unavailable' in extra) return { unavailable: String(extra.unavailable) };
      return serveLaunch(env, scenario, withLauncherFlags, extra, ['--transport', 'stdio'], base);
    },
    http(scenario: Scenario, env: BenchEnv, port: number): HttpLaunch | Unavailable {
      if (redis && scenario.login === undefined) return { unavailable: 'no per-session state on this backend' };
      const extra = backendEnv(id, scenario, env, redis);
      if ('unavailable' in extra) return { unavailable: String(extra.unavailable) };
      if (metrics) extra.FINMCP_METRICS = '1';
      const token = USER_OAUTH_BACKENDS.has(scenario.backend) ? env.finmcp?.userToken(id, scenario.backend) : undefined;
      return {
        launch: serveLaunch(
          env,
          scenario,
          withLauncherFlags,
          extra,
          ['--transport', 'http', '--host', '127.0.0.1', '--port', String(port)],
          base,
        ),
        port,
        path: `/${scenario.backend}/mcp`,
        ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
      };
    },
    connectionCap: BENCH_CONNECTION_CAP,
    logsInPerSession: (scenario: Scenario) => scenario.login !== undefined,
    ...(redis ? { stateStoreBytes: (env: BenchEnv) => env.redis?.usedMemoryBytes() ?? Promise.resolve(null) } : {}),
  };
}

/** finmcp, through its CLI, as the `finmcp` command runs it. The targets are judged on this one. */
export const finmcp: ServerUnderTest = finmcpServer('finmcp', 'finmcp', true);

/**
 * finmcp started as a bare `node bin/finmcp.js` (without the launcher's Node flags, or with the trial flags of
 * BENCH_FINMCP_NODE_FLAGS): not in the default run; `BENCH_SERVERS=finmcp,finmcp-node,…` shows what the
 * flags cost and save.
 */
export const finmcpNode: ServerUnderTest = finmcpServer('finmcp-node', 'finmcp (bare node, no launcher flags)', false);

/** finmcp with its state in Redis (`FINMCP_STATE_STORE`), measured next to `finmcp` (memory) in the same run. */
export const finmcpRedis: ServerUnderTest = finmcpServer('finmcp-redis', 'finmcp (state on Redis)', true, true);

/** finmcp with FINMCP_METRICS on, measured next to `finmcp` (off) in the same run: what counting every call costs. */
export const finmcpMetrics: ServerUnderTest = finmcpServer('finmcp-metrics', 'finmcp (metrics on)', true, false, true);

/**
 * finmcp as BENCH_BASE_ROOT's checkout builds it, with its launcher's flags: not in the default run;
 * `npm run bench -- --only ratio` with `BENCH_SERVERS=finmcp,finmcp-base,reference` is an A/B of a change.
 */
export const finmcpBase: ServerUnderTest = finmcpServer(
  'finmcp-base',
  'finmcp (BENCH_BASE_ROOT)',
  true,
  false,
  false,
  true,
);
