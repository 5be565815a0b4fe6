/**
 * The official MCP conformance suite, pinned (test/conformance/suite/package.json), against finmcp's own dispatch
 * core over Streamable HTTP:
 *
 * - the 2026-07-28 requirement set (0.2.0-alpha.12, `--requirements 2026-07-28`) and the 2025-11-25 active suite
 *   (0.1.16) against the conformance fixture (test/conformance/fixture/: the suite's reference tools, resources and
 *   prompts, served like any backend);
 * - the 2026-07-28 requirement set against B4B and FinOpps, served together on their sandbox. The suite sends no
 *   credentials, so FinOpps is reached through a proxy that adds alice's access token (token-proxy.ts), obtained
 *   from the sandbox authorization server with the real authorization-code flow.
 *
 * A scenario may fail only where the README's conformance section lists it, per backend, with the reason; the
 * unscored scenarios of the requirement set (its `not_scored` list: extensions, pending) are reported, not
 * asserted. The four runs take about a minute together.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backendLoaders } from '../../generated/index.gen.js';
import { specScopes } from '../../src/auth/scopes.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { fixtureBackend, FIXTURE } from './fixture/backend.js';
import { describeFailures, runSuite, suiteInstalled, type SuiteRun } from './suite.js';
import { startTokenProxy, type TokenProxy } from './token-proxy.js';

/** `| backend | `scenario` | why |` rows of the README's conformance tables: scenario → reason, per backend and suite. */
function readmeExceptions(): Map<string, string> {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Protocol revisions and conformance'));
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| (\S+) \| (\S+) \| `([a-z0-9-]+)` \| (.+) \|$/gm)) {
    rows.set(`${match[1]} ${match[2]} ${match[3]}`, match[4] as string);
  }
  return rows;
}

/** The requirement set's unscored scenarios (run and reported, never counted). */
function unscored(): Set<string> {
  const file = join(
    import.meta.dirname,
    'suite',
    'node_modules',
    'conformance-2026-07-28',
    'requirements',
    '2026-07-28.yaml',
  );
  const requirements = parse(readFileSync(file, 'utf8')) as { not_scored: Array<{ scenario: string; leg: string }> };
  return new Set(requirements.not_scored.filter((entry) => entry.leg === 'server').map((entry) => entry.scenario));
}

let fixtureServer: RunningServers | undefined;
let backendsServer: RunningServers | undefined;
let proxy: TokenProxy | undefined;
let fixture: Awaited<ReturnType<typeof fixtureBackend>> | undefined;
/** The runs, by `<backend> <suite>` as the README's rows name them. */
const runs = new Map<string, SuiteRun>();

beforeAll(async () => {
  const missing = suiteInstalled();
  if (missing !== undefined) throw new Error(missing);
  // A suite run is a burst of requests from one address: the production rate limit would answer some with 429.
  const settings = { FINMCP_RATE_LIMIT_PER_MINUTE: '0' };
  const logger = createLogger({ level: 'silent' });
  fixture = await fixtureBackend();
  // The fixture's tools are hand-written: its one generated operation's API is never called.
  fixtureServer = await startServers(
    [FIXTURE],
    { transport: 'http', port: '0' },
    new Settings({ ...settings, CONFORMANCE_BACKEND_URL: 'http://127.0.0.1:9/' }),
    logger,
    {
      [FIXTURE]: fixture.source,
    },
  );
  backendsServer = await startServers(
    ['b4b', 'finopps'],
    { transport: 'http', port: '0', sandbox: true },
    new Settings({ ...settings, FINMCP_SANDBOX_AUTH_PORT: '0' }),
    logger,
  );
  const finopps = backendsServer.endpoints['finopps']!;
  const token = await obtainSandboxToken({
    issuer: backendsServer.sandboxIssuer!,
    user: 'alice',
    resource: finopps,
    scopes: specScopes(await backendLoaders['finopps']!()),
  });
  proxy = await startTokenProxy(finopps, token);
  const fixtureUrl = fixtureServer.endpoints[FIXTURE]!;
  // The 2026-07-28 set against the fixture runs alone: a few of its checks read a response within 500 ms.
  runs.set('fixture 2026-07-28', await runSuite('2026-07-28', fixtureUrl));
  const [fixture2025, b4b2026, finopps2026] = await Promise.all([
    runSuite('2025-11-25', fixtureUrl),
    runSuite('2026-07-28', backendsServer.endpoints['b4b']!),
    runSuite('2026-07-28', proxy.url),
  ]);
  runs.set('fixture 2025-11-25', fixture2025).set('b4b 2026-07-28', b4b2026).set('finopps 2026-07-28', finopps2026);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await fixtureServer?.close();
  await backendsServer?.close();
  fixture?.remove();
});

/** One run, by backend and suite. */
function run(backend: string, suite: string): SuiteRun {
  const found = runs.get(`${backend} ${suite}`);
  if (found === undefined) throw new Error(`no run of the ${suite} suite against ${backend}`);
  return found;
}

/** Scored scenarios that failed and that the README does not list for this backend and suite. */
function unexplained(run: SuiteRun, backend: string, suite: string): string[] {
  const exceptions = readmeExceptions();
  const skip = suite === '2026-07-28' ? unscored() : new Set<string>();
  const failed = [...run.scenarios]
    .filter(([scenario, result]) => result.failures.length > 0 && !skip.has(scenario))
    .map(([scenario]) => scenario);
  return describeFailures(
    run,
    failed.filter((scenario) => !exceptions.has(`${backend} ${suite} ${scenario}`)),
  );
}

describe('MCP conformance suite', () => {
  it('ran every scenario of each suite', () => {
    expect(runs.size).toBe(4);
    for (const { scenarios, output } of runs.values()) expect(scenarios.size, output.slice(-2000)).toBeGreaterThan(20);
  });

  it('2026-07-28 requirement set against the fixture: no failure the README does not list', () => {
    expect(unexplained(run('fixture', '2026-07-28'), 'fixture', '2026-07-28')).toEqual([]);
  });

  it('2025-11-25 active suite (0.1.16) against the fixture: no failure the README does not list', () => {
    expect(unexplained(run('fixture', '2025-11-25'), 'fixture', '2025-11-25')).toEqual([]);
  });

  it('2026-07-28 requirement set against B4B: every failure is listed in the README as not applicable, with its reason', () => {
    expect(unexplained(run('b4b', '2026-07-28'), 'b4b', '2026-07-28')).toEqual([]);
  });

  it("2026-07-28 requirement set against FinOpps (with alice's token): every failure is listed in the README, with its reason", () => {
    expect(unexplained(run('finopps', '2026-07-28'), 'finopps', '2026-07-28')).toEqual([]);
  });

  it('the README lists no scenario that passes', () => {
    const stale: string[] = [];
    for (const [key] of readmeExceptions()) {
      const [backend, suite, scenario] = key.split(' ') as [string, string, string];
      const result = run(backend, suite).scenarios.get(scenario);
      if (result === undefined || result.failures.length === 0) stale.push(key);
    }
    expect(stale).toEqual([]);
  });
});
