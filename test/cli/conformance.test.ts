/**
 * The official MCP conformance suite at its newest version (0.1.16, which needs Node 22: run from the registry's
 * `node@22` package, so the machine's Node is untouched) against the Streamable HTTP endpoint of a served
 * backend: every server scenario that applies to a tools-only server. The README lists the others and why they
 * do not apply (the suite's own test tools, capabilities finmcp does not declare, resources, prompts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
const SUITE = '@modelcontextprotocol/conformance@0.1.16';
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection', 'server-sse-multiple-streams', 'server-sse-polling'];
let running: RunningServers;

beforeAll(async () => {
  running = await startServers(
    ['b4b'],
    { transport: 'http', port: '0', sandbox: true },
    // A suite run is a burst of requests from one address: the production limit would answer some with 429.
    new Settings({ FINMCP_RATE_LIMIT_PER_MINUTE: '0' }),
    createLogger({ level: 'silent' }),
  );
}, 120_000);

afterAll(async () => {
  await running?.close();
});

describe(`MCP conformance suite ${SUITE}`, () => {
  it.each(SCENARIOS)('passes %s', async (scenario) => {
    const result = await execFileAsync(
      'npx',
      ['-y', '-p', 'node@22', '-p', SUITE, 'conformance', 'server', '--url', running.endpoints['b4b']!, '--scenario', scenario],
      { cwd: projectRoot(), timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
    ).then(
      (ok) => ({ code: 0, output: ok.stdout + ok.stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Passed: \d+\/\d+, 0 failed/);
    expect(result.output).not.toMatch(/\bFAILURE\b/);
  }, 300_000);
});
