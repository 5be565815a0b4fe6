/**
 * `finmcp serve --sandbox` answers before its sandbox is up (issue: Inspector's connect timeout was hit while Prism
 * started). Ordering, not timing, is asserted: the answers to `initialize` and `tools/list` leave the server before
 * its own log says the sandbox is ready (pino `time`, same clock as ours), and a tool call sent with them waits for
 * the sandbox and succeeds. Measured latencies are printed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';

/** What one spawned stdio server did: answers by id (with when they arrived) and its log lines. */
interface Run {
  answers: Map<number, { at: number; message: Record<string, unknown> }>;
  order: number[];
  logs: Array<{ time: number; msg: string }>;
  spawnedAt: number;
}

/** Spawns `serve <backend> --transport stdio --sandbox`, sends `messages` at once, ends input after answer `last`. */
function runStdio(backend: string, messages: object[], last: number): Promise<Run> {
  const run: Run = { answers: new Map(), order: [], logs: [], spawnedAt: Date.now() };
  const child = spawn(process.execPath, ['bin/finmcp.js', 'serve', backend, '--transport', 'stdio', '--sandbox'], {
    cwd: projectRoot(),
    env: { ...process.env, FINMCP_LOG_LEVEL: 'debug' },
    stdio: 'pipe',
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as { time: number; msg: string };
      run.logs.push({ time: entry.time, msg: entry.msg });
    } catch {
      // Not a log line (e.g. a runtime warning).
    }
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    if (typeof message['id'] !== 'number') return;
    run.answers.set(message['id'], { at: Date.now(), message });
    run.order.push(message['id']);
    if (message['id'] === last) child.stdin.end();
  });
  for (const message of messages) child.stdin.write(`${JSON.stringify(message)}\n`);
  return new Promise((resolve) => child.once('close', () => resolve(run)));
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'startup-test', version: '1' } },
};
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

function logTime(run: Run, pattern: RegExp): number {
  const entry = run.logs.find((l) => pattern.test(l.msg));
  expect(entry, `log line ${pattern}`).toBeDefined();
  return entry!.time;
}

describe('stdio --sandbox start-up', () => {
  it('answers initialize and tools/list before the sandbox is ready; a tool call sent with them waits and succeeds (FinOpps)', async () => {
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_business', arguments: {} } };
    const run = await runStdio('finopps', [initialize, initialized, listTools, call], 3);
    // initialize and tools/list (in either order: tools/list takes the transport's fast path), then the call.
    expect(run.order).toHaveLength(3);
    expect(run.order[2]).toBe(3);
    const listed = run.answers.get(2)!;
    // The sandbox's parts: the authorization server (the user's token) and the Prism mock.
    expect(listed.at).toBeLessThan(logTime(run, /^sandbox authorization server listening$/));
    expect(listed.at).toBeLessThan(logTime(run, /^prism ready$/));
    const result = run.answers.get(3)!.message['result'] as ToolResult;
    expect(result.isError, result.content[0]!.text).not.toBe(true);
    expect(result.structuredContent?.['organizationId']).toEqual(expect.any(String));
    console.info(
      `stdio finopps --sandbox: initialize answered ${run.answers.get(1)!.at - run.spawnedAt} ms after spawn, tools/list ${listed.at - run.spawnedAt} ms, first tool call ${run.answers.get(3)!.at - run.spawnedAt} ms`,
    );
  }, 120_000);

  it('logs in with the login tool sent with initialize (B4B)', async () => {
    const login = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'login', arguments: { phone: '+84909495665', password: 'SecurePassword123@' } },
    };
    const run = await runStdio('b4b', [initialize, initialized, listTools, login], 3);
    expect(run.answers.get(2)!.at).toBeLessThan(logTime(run, /^prism ready$/));
    const result = run.answers.get(3)!.message['result'] as ToolResult;
    expect(result.content[0]!.text).toMatch(/Successfully logged in as/);
  }, 120_000);
});

describe('http --sandbox start-up', () => {
  let running: RunningServers;
  let listeningAfterMs: number;
  beforeAll(async () => {
    const started = performance.now();
    running = await startServers(
      ['b4b'],
      { transport: 'http', port: '0', sandbox: true },
      new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0' }),
      createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
    );
    listeningAfterMs = Math.round(performance.now() - started);
  }, 120_000);
  afterAll(async () => {
    await running?.close();
  });

  it('listens at once; a tool call made right away waits for the Prism mock and succeeds', async () => {
    const client = new Client({ name: 'startup-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.endpoints['b4b']!)));
    try {
      const started = performance.now();
      const result = (await client.callTool({
        name: 'login',
        arguments: { phone: '+84909495665', password: 'SecurePassword123@' },
      })) as ToolResult;
      expect(result.content[0]!.text).toMatch(/Successfully logged in as/);
      console.info(
        `http b4b --sandbox: listening ${listeningAfterMs} ms after start; first tool call answered ${Math.round(performance.now() - started)} ms later`,
      );
    } finally {
      await client.close();
    }
  }, 120_000);
});
