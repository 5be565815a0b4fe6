/**
 * `finmcp serve <backend> --transport stdio --sandbox` as a spawned process (the compiled CLI, as users run it),
 * driven by the official SDK client and by MCP Inspector's CLI. stdout must carry only the protocol.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ToolResult } from '../../src/contracts.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot(), 'bin', 'finmcp.js');
const scratch = mkdtempSync(join(tmpdir(), 'finmcp-stdio-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stdioClient(backend: string, env: Record<string, string> = {}): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'serve', backend, '--transport', 'stdio', '--sandbox'],
    env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'warn', ...env },
    stderr: 'ignore',
    cwd: projectRoot(),
  });
  return { client: new Client({ name: 'finmcp-stdio-e2e', version: '1.0.0' }), transport };
}

describe('B4B over stdio (sandbox)', () => {
  let client: Client;

  beforeAll(async () => {
    const pair = stdioClient('b4b');
    client = pair.client;
    await client.connect(pair.transport);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
  });

  it('answers a tool called before login with an error that says to log in', async () => {
    const result = (await client.callTool({ name: 'list_entities', arguments: {} })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/login/);
  });

  it('logs in, lists entities, and refuses bad input naming the field without dying', async () => {
    const login = (await client.callTool({ name: 'login', arguments: { phone: '+84909495665', password: 'SecurePassword123@' } })) as ToolResult;
    expect(login.isError, login.content[0]!.text).not.toBe(true);
    expect(login.structuredContent?.['email']).toEqual(expect.any(String));

    const bad = (await client.callTool({ name: 'list_entities', arguments: { per_page: 'many' } })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toContain('per_page');

    const entities = (await client.callTool({ name: 'list_entities', arguments: { page: 1, per_page: 10 } })) as ToolResult;
    expect(entities.isError, entities.content[0]!.text).not.toBe(true);
    expect(Array.isArray(entities.structuredContent?.['items'])).toBe(true);
  });
});

describe('FinOpps over stdio (sandbox: the token comes from the sandbox authorization server)', () => {
  it('derives the organisation from the token and lists invoices', async () => {
    const { client, transport } = stdioClient('finopps', { FINMCP_SANDBOX_USER: 'alice' });
    await client.connect(transport);
    try {
      const result = (await client.callTool({ name: 'list_invoices', arguments: { status: 'overdue' } })) as ToolResult;
      expect(result.isError, result.content[0]!.text).not.toBe(true);
      expect(Array.isArray(result.structuredContent?.['data'])).toBe(true);
    } finally {
      await client.close();
    }
  }, 90_000);
});

describe('MCP Inspector CLI over stdio', () => {
  const inspector = (args: string[]): Promise<{ stdout: string }> =>
    execFileAsync('npx', ['--no-install', '@modelcontextprotocol/inspector', '--cli', ...args], {
      timeout: 90_000,
      cwd: projectRoot(),
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('lists the FinOpps tools of `finmcp serve finopps --transport stdio --sandbox`', async () => {
    const { stdout } = await inspector(['--method', 'tools/list', '--', process.execPath, cli, 'serve', 'finopps', '--transport', 'stdio', '--sandbox']);
    expect(stdout).toContain('get_financial_summary');
  }, 120_000);

  it('calls a B4B tool before login and shows the error that says to log in', async () => {
    const output = join(scratch, 'list-entities.json');
    // The Inspector CLI exits non-zero (5) when a tool result is an error; the result itself goes to --output.
    const exit = await inspector(['-q', '--output', output, '--method', 'tools/call', '--tool-name', 'list_entities', '--', process.execPath, cli, 'serve', 'b4b', '--transport', 'stdio', '--sandbox']).then(
      () => 0,
      (error: { code?: number }) => error.code ?? 1,
    );
    expect(exit).toBe(5);
    const result = JSON.parse(readFileSync(output, 'utf8')) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/call the `login` tool/);
  }, 120_000);

  it('logs in with the login tool', async () => {
    const { stdout } = await inspector([
      '--method', 'tools/call', '--tool-name', 'login', '--tool-arg', 'phone=+84909495665', 'password=SecurePassword123@',
      '--', process.execPath, cli, 'serve', 'b4b', '--transport', 'stdio', '--sandbox',
    ]);
    expect(stdout).toMatch(/Successfully logged in as/);
    expect(stdout).not.toContain('SecurePassword123@');
  }, 120_000);
});
