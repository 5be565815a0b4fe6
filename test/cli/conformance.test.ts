/**
 * The official MCP conformance suite (pinned 0.1.13; later versions need Node 22) against the Streamable HTTP
 * endpoint of a served backend: `server-initialize`, `tools-list` and `dns-rebinding-protection`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
let running: RunningServers;

beforeAll(async () => {
  running = await startServers(['b4b'], { transport: 'http', port: '0', sandbox: true }, new Settings({}), createLogger({ level: 'silent' }));
}, 120_000);

afterAll(async () => {
  await running?.close();
});

describe('MCP conformance suite 0.1.13', () => {
  it.each(['server-initialize', 'tools-list', 'dns-rebinding-protection'])('passes %s', async (scenario) => {
    const result = await execFileAsync(
      'npx',
      ['--no-install', 'conformance', 'server', '--url', running.endpoints['b4b']!, '--scenario', scenario],
      { cwd: projectRoot(), timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
    ).then(
      (ok) => ({ code: 0, output: ok.stdout + ok.stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/\bFAIL(ED)?\b/);
  }, 120_000);
});
