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
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { backendLoaders } from '../../generated/index.gen.js';
import { callEveryTool, type ToolClient, walkB4bSession } from '../helpers/walk-through.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot(), 'bin', 'finmcp.js');
const scratch = mkdtempSync(join(tmpdir(), 'finmcp-stdio-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stdioClient(
  backend: string,
  env: Record<string, string> = {},
): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'serve', backend, '--transport', 'stdio', '--sandbox'],
    env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'warn', ...env },
    stderr: 'ignore',
    cwd: projectRoot(),
  });
  return { client: new Client({ name: 'finmcp-stdio-e2e', version: '1.0.0' }), transport };
}

let b4b: GeneratedBackend;
let finopps: GeneratedBackend;
beforeAll(async () => {
  b4b = await backendLoaders['b4b']!();
  finopps = await backendLoaders['finopps']!();
});

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

  it('asks for login first, then serves every B4B tool with the spec examples; every result conforms to its outputSchema', async () => {
    await walkB4bSession(client, b4b, { logout: false });
  });

  /** Bad inputs: each gets an isError result naming the field and the rule, and the server keeps serving. */
  const badInputs: Array<{ name: string; tool: string; given: Record<string, unknown>; want: RegExp }> = [
    { name: 'wrong type', tool: 'list_entities', given: { per_page: 'many' }, want: /per_page.*integer/ },
    { name: 'out of range', tool: 'list_entities', given: { per_page: 0 }, want: /per_page.*>= 1/ },
    { name: 'missing required', tool: 'get_entity', given: {}, want: /entity_id.*required/ },
    { name: 'unknown property', tool: 'list_entities', given: { colour: 'red' }, want: /colour/ },
    { name: 'null', tool: 'get_entity', given: { entity_id: null }, want: /entity_id.*string/ },
    {
      name: 'bad enum',
      tool: 'create_entity',
      given: { name: 'X', entity_type: 'ALIEN', tax_code: '0101234567', address: 'a', city: 'b', country: 'VN' },
      want: /entity_type.*one of/,
    },
    { name: '1 MB string', tool: 'list_entities', given: { search: 'x'.repeat(1024 * 1024) }, want: /search/ },
    { name: 'unicode in a uuid', tool: 'get_entity', given: { entity_id: 'ẞ😀-not-a-uuid' }, want: /entity_id.*uuid/ },
  ];

  it.each(badInputs)('refuses $name naming the field, then still serves', async ({ tool, given, want }) => {
    const bad = (await client.callTool({ name: tool, arguments: given })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(want);
    expect(bad.content[0]!.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    const next = (await client.callTool({ name: 'list_entities', arguments: { page: 1, per_page: 10 } })) as ToolResult;
    expect(next.isError, next.content[0]!.text).not.toBe(true);
  });
});

/** Lists FinOpps' seven tools and calls each with its example arguments; every result conforms to its outputSchema. */
async function callEveryFinoppsTool(client: ToolClient): Promise<void> {
  expect(await callEveryTool(client, finopps)).toHaveLength(7);
}

describe('FinOpps over stdio (sandbox: the token comes from the sandbox authorization server)', () => {
  it('derives the organisation from the token and serves every tool; every result conforms to its outputSchema', async () => {
    const { client, transport } = stdioClient('finopps', { FINMCP_SANDBOX_USER: 'alice' });
    await client.connect(transport);
    try {
      await callEveryFinoppsTool(client);
    } finally {
      await client.close();
    }
  }, 90_000);
});

describe('FinOpps over stdio with a user token that cannot be verified (real backend settings, no sandbox)', () => {
  // The token is verified in the background (initialize and tools/list need no user): a rejected token fails the
  // tool calls with its cause, never the server, and the token is shown nowhere.
  it('lists the tools, answers each tool call with an error naming the cause, never shows the token, and stays up', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJlLW9mLW5vYm9keQ';
    const closedPort = 'http://127.0.0.1:9';
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'serve', 'finopps', '--transport', 'stdio', '--backend-url', `${closedPort}/api`],
      env: {
        ...(process.env as Record<string, string>),
        FINMCP_LOG_LEVEL: 'warn',
        FINOPPS_ACCESS_TOKEN: token,
        FINOPPS_OAUTH_ISSUER: `${closedPort}/`,
        FINOPPS_TOKEN_URL: `${closedPort}/oauth2/token`,
        FINOPPS_CLIENT_ID: 'finmcp',
        FINOPPS_CLIENT_SECRET: 'not-used',
      },
      stderr: 'ignore',
      cwd: projectRoot(),
    });
    const client = new Client({ name: 'finmcp-stdio-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools).toHaveLength(7);
      for (let i = 0; i < 2; i += 1) {
        const result = (await client.callTool({ name: 'get_business', arguments: {} })) as ToolResult;
        expect(result.isError).toBe(true);
        const text = JSON.stringify(result.content);
        expect(text).toMatch(/finopps is unavailable.*access token rejected/);
        expect(text).not.toContain(token.split('.')[2]);
      }
      expect((await client.listTools()).tools).toHaveLength(7);
    } finally {
      await client.close();
    }
  }, 90_000);
});

describe('MCP 2026-07-28 over stdio: the SDK 2.x client pinned to the revision', () => {
  async function modernClient(backend: string, env: Record<string, string> = {}): Promise<ModernClient> {
    const client = new ModernClient(
      { name: 'finmcp-stdio-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new ModernStdioTransport({
        command: process.execPath,
        args: [cli, 'serve', backend, '--transport', 'stdio', '--sandbox'],
        env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'warn', ...env },
        stderr: 'ignore',
        cwd: projectRoot(),
      }),
    );
    expect(client.getProtocolEra()).toBe('modern');
    return client;
  }

  it('B4B: login, every tool with the spec examples, logout', async () => {
    const client = await modernClient('b4b');
    try {
      await walkB4bSession(client, b4b, { logout: true });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('FinOpps: every tool with the sandbox token', async () => {
    const client = await modernClient('finopps', { FINMCP_SANDBOX_USER: 'alice' });
    try {
      await callEveryFinoppsTool(client);
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe('MCP Inspector CLI over stdio', () => {
  const inspector = (args: string[]): Promise<{ stdout: string }> =>
    execFileAsync('npx', ['--no-install', '@modelcontextprotocol/inspector', '--cli', ...args], {
      timeout: 90_000,
      cwd: projectRoot(),
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('lists the FinOpps tools of `finmcp serve finopps --transport stdio --sandbox`', async () => {
    const { stdout } = await inspector([
      '--method',
      'tools/list',
      '--',
      process.execPath,
      cli,
      'serve',
      'finopps',
      '--transport',
      'stdio',
      '--sandbox',
    ]);
    expect(stdout).toContain('get_financial_summary');
  }, 120_000);

  it.each(['finopps', 'b4b'])(
    'finds no error-severity portability problem in the %s tool schemas (--strict)',
    async (backend) => {
      // --strict exits 6 when a tool schema would be rejected by some model provider's function-calling dialect.
      const { stdout } = await inspector([
        '-q',
        '--strict',
        '--method',
        'tools/list',
        '--',
        process.execPath,
        cli,
        'serve',
        backend,
        '--transport',
        'stdio',
        '--sandbox',
      ]);
      expect(stdout).toContain('"tools"');
    },
    120_000,
  );

  it('calls a B4B tool before login and shows the error that says to log in', async () => {
    const output = join(scratch, 'list-entities.json');
    // The Inspector CLI exits non-zero (5) when a tool result is an error; the result itself goes to --output.
    const exit = await inspector([
      '-q',
      '--output',
      output,
      '--method',
      'tools/call',
      '--tool-name',
      'list_entities',
      '--',
      process.execPath,
      cli,
      'serve',
      'b4b',
      '--transport',
      'stdio',
      '--sandbox',
    ]).then(
      () => 0,
      (error: { code?: number }) => error.code ?? 1,
    );
    expect(exit).toBe(5);
    const result = JSON.parse(readFileSync(output, 'utf8')) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/call the `login` tool/);
  }, 120_000);

  it('lists entities in one call when the credentials come from the environment (B4B_PHONE, B4B_PASSWORD)', async () => {
    const { stdout } = await inspector([
      '-e',
      'B4B_PHONE=+84909495665',
      '-e',
      'B4B_PASSWORD=SecurePassword123@',
      '--method',
      'tools/call',
      '--tool-name',
      'list_entities',
      '--tool-arg',
      'per_page=5',
      '--',
      process.execPath,
      cli,
      'serve',
      'b4b',
      '--transport',
      'stdio',
      '--sandbox',
    ]);
    expect(stdout).toContain('550e8400-e29b-41d4-a716-446655440000');
    expect(stdout).not.toContain('SecurePassword123@');
  }, 120_000);

  it('logs in with the login tool', async () => {
    const { stdout } = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'login',
      '--tool-arg',
      'phone=+84909495665',
      'password=SecurePassword123@',
      '--',
      process.execPath,
      cli,
      'serve',
      'b4b',
      '--transport',
      'stdio',
      '--sandbox',
    ]);
    expect(stdout).toMatch(/Successfully logged in as/);
    expect(stdout).not.toContain('SecurePassword123@');
  }, 120_000);
});
