/**
 * The Vercel AI SDK's MCP client (`@ai-sdk/mcp` 1.0.102, the newest whose engines allow Node 20) against both
 * backends, over Streamable HTTP and over stdio, as a host application uses it: connect, turn the tools into AI SDK
 * tools, execute some. Nothing may be reported to the host's `onUncaughtError`.
 */
import { join } from 'node:path';
import { createMCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { specScopes } from '../../src/auth/scopes.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { backendLoaders } from '../../generated/index.gen.js';

let running: RunningServers;
let token: string;

beforeAll(async () => {
  running = await startServers(
    ['finopps', 'b4b'],
    { transport: 'http', port: '0', sandbox: true },
    new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0' }),
    createLogger({ level: 'silent' }),
  );
  token = await obtainSandboxToken({
    issuer: running.sandboxIssuer!,
    user: 'alice',
    resource: running.endpoints['finopps']!,
    scopes: specScopes(await backendLoaders['finopps']!()),
  });
}, 120_000);

afterAll(async () => {
  await running?.close();
});

type Tools = Record<string, { execute?: (args: unknown, options: unknown) => Promise<unknown> }>;

/** Runs `use` with a client on `transport`; returns what the host was told about errors. */
async function withClient(
  transport: Parameters<typeof createMCPClient>[0]['transport'],
  use: (tools: Tools) => Promise<void>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  const client = await createMCPClient({ transport, onUncaughtError: (error: unknown) => errors.push(error) });
  try {
    await use((await client.tools()) as unknown as Tools);
  } finally {
    await client.close();
  }
  return errors;
}

const call = (tools: Tools, name: string, args: Record<string, unknown>): Promise<unknown> =>
  tools[name]!.execute!(args, { toolCallId: name, messages: [] });

async function useFinopps(tools: Tools): Promise<void> {
  expect(Object.keys(tools)).toHaveLength(7);
  const result = (await call(tools, 'get_business', {})) as { isError?: boolean };
  expect(result.isError).not.toBe(true);
}

async function useB4b(tools: Tools): Promise<void> {
  expect(Object.keys(tools)).toHaveLength(15);
  const login = (await call(tools, 'login', { phone: '+84909495665', password: 'SecurePassword123@' })) as {
    isError?: boolean;
  };
  expect(login.isError).not.toBe(true);
  expect(((await call(tools, 'list_entities', {})) as { isError?: boolean }).isError).not.toBe(true);
  expect(((await call(tools, 'logout', {})) as { isError?: boolean }).isError).not.toBe(true);
}

describe('@ai-sdk/mcp over Streamable HTTP', () => {
  it('FinOpps with a sandbox bearer token', async () => {
    const errors = await withClient(
      { type: 'http', url: running.endpoints['finopps']!, headers: { authorization: `Bearer ${token}` } },
      useFinopps,
    );
    expect(errors).toEqual([]);
  });

  it('B4B: login, a tool, logout', async () => {
    const errors = await withClient({ type: 'http', url: running.endpoints['b4b']! }, useB4b);
    expect(errors).toEqual([]);
  });
});

describe('@ai-sdk/mcp over stdio', () => {
  const stdio = (backend: string): Experimental_StdioMCPTransport =>
    new Experimental_StdioMCPTransport({
      command: process.execPath,
      args: [join(projectRoot(), 'bin', 'finmcp.js'), 'serve', backend, '--transport', 'stdio', '--sandbox'],
      env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'warn', FINMCP_SANDBOX_USER: 'alice' },
      cwd: projectRoot(),
    });

  it('FinOpps', async () => {
    expect(await withClient(stdio('finopps'), useFinopps)).toEqual([]);
  }, 120_000);

  it('B4B: login, a tool, logout', async () => {
    expect(await withClient(stdio('b4b'), useB4b)).toEqual([]);
  }, 120_000);
});
