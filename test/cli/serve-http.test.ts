/**
 * `finmcp serve finopps b4b --transport http --sandbox`, end to end: both backends in one process against their
 * Prism mocks and the sandbox OAuth server, driven by the official SDK client and by MCP Inspector's CLI.
 * Every tool of both backends is called; every result must conform to the tool's outputSchema.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { specScopes } from '../../src/auth/scopes.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { backendLoaders } from '../../generated/index.gen.js';
import type { GeneratedBackend, ListedTool } from '../../contract/descriptor.js';
import { callEveryTool, walkB4bSession } from '../helpers/walk-through.js';

const execFileAsync = promisify(execFile);

let running: RunningServers;
let finopps: GeneratedBackend;
let b4b: GeneratedBackend;
let aliceToken: string;

/** What the tests need of a client, whichever SDK line it comes from. */
interface AnyClient {
  listTools(): Promise<{ tools: ListedTool[] }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

/** The two eras: a 2025-11-25 client (SDK 1.x) and the SDK 2.x client pinned to 2026-07-28. */
const ERAS = [
  { era: '2025-11-25', modern: false },
  { era: '2026-07-28', modern: true },
] as const;

async function connect(url: string, token?: string, modern = false): Promise<AnyClient> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (modern) {
    const client = new ModernClient(
      { name: 'finmcp-e2e', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
    expect(client.getProtocolEra()).toBe('modern');
    return client as never;
  }
  const client = new Client({ name: 'finmcp-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client as never;
}

beforeAll(async () => {
  finopps = await backendLoaders['finopps']!();
  b4b = await backendLoaders['b4b']!();
  running = await startServers(
    ['finopps', 'b4b'],
    { transport: 'http', port: '0', sandbox: true },
    new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0' }),
    createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  );
  aliceToken = await obtainSandboxToken({
    issuer: running.sandboxIssuer!,
    user: 'alice',
    resource: running.endpoints['finopps']!,
    scopes: specScopes(finopps),
  });
}, 120_000);

afterAll(async () => {
  await running?.close();
});

describe('FinOpps over Streamable HTTP (sandbox)', () => {
  it('refuses an unauthenticated call with 401 and a resource_metadata URL naming the sandbox authorization server', async () => {
    const response = await fetch(running.endpoints['finopps']!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBeDefined();
    const metadata = (await (await fetch(metadataUrl!)).json()) as {
      authorization_servers: string[];
      resource: string;
    };
    expect(metadata.authorization_servers).toEqual([running.sandboxIssuer]);
    expect(metadata.resource).toBe(running.endpoints['finopps']);
  });

  it('serves only read-only tools, with no organizationId in any input schema', async () => {
    const client = await connect(running.endpoints['finopps']!, aliceToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_business',
      'get_financial_summary',
      'get_invoice',
      'list_expenses',
      'list_invoices',
      'payments_report',
      'search_customers',
    ]);
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(JSON.stringify(tool.inputSchema)).not.toContain('organizationId');
    }
    await client.close();
  });

  it.each(ERAS)(
    '$era: calls every tool with the spec examples and every result conforms to its outputSchema',
    async ({ modern }) => {
      const client = await connect(running.endpoints['finopps']!, aliceToken, modern);
      await callEveryTool(client, finopps);
      await client.close();
    },
  );
});

describe('B4B over Streamable HTTP (sandbox)', () => {
  it.each(ERAS)(
    '$era: asks for login first, then serves every tool, and asks again after logout',
    async ({ modern }) => {
      const client = await connect(running.endpoints['b4b']!, undefined, modern);
      await walkB4bSession(client, b4b, { logout: true });
      await client.close();
    },
  );

  it('answers GET /healthz', async () => {
    const response = await fetch(new URL('/healthz', running.url));
    expect(response.status).toBe(200);
  });
});

describe('MCP Inspector CLI over Streamable HTTP', () => {
  const inspector = (args: string[]): Promise<{ stdout: string }> =>
    execFileAsync('npx', ['--no-install', '@modelcontextprotocol/inspector', '--cli', ...args], {
      timeout: 90_000,
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('lists the FinOpps tools with a sandbox token', async () => {
    const { stdout } = await inspector([
      running.endpoints['finopps']!,
      '--transport',
      'http',
      '--header',
      `Authorization: Bearer ${aliceToken}`,
      '--method',
      'tools/list',
    ]);
    expect(stdout).toContain('list_invoices');
  }, 120_000);

  it('calls a B4B tool (login) and gets the logged-in email back', async () => {
    const { stdout } = await inspector([
      running.endpoints['b4b']!,
      '--transport',
      'http',
      '--method',
      'tools/call',
      '--tool-name',
      'login',
      '--tool-arg',
      'phone=+84909495665',
      'password=SecurePassword123@',
    ]);
    expect(stdout).toMatch(/Successfully logged in as/);
  }, 120_000);
});
