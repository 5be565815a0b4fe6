/**
 * stdio transport (MCP 2025-11-25, Basic / Transports, "stdio"): a real child process speaking newline-delimited
 * JSON-RPC, driven by the official SDK Client over StdioClientTransport.
 *
 * Why a child process: serveStdio owns the process's stdin/stdout, and only a separate process shows that stdout
 * carries nothing but protocol messages. tsx is not installed, so the test compiles the transport (and what it
 * imports) with tsc into node_modules/.cache first, and a plain .mjs fixture imports the compiled module.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { stdioFixture } from './fixtures/stdio-fixture.js';

const fixture = stdioFixture(
  new URL('./fixtures/stdio-server.mjs', import.meta.url),
  'tsconfig.transport.json',
  'finmcp-transport-test',
);

beforeAll(() => fixture.compile());

/** Starts the fixture as a child process and connects the SDK client to it. */
async function connect(
  stateful: boolean,
): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string; errors: Error[] }> {
  const transport = new StdioClientTransport(fixture.launch({ FINMCP_TEST_STATEFUL: stateful ? '1' : '0' }));
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-test', version: '0' });
  client.onerror = (error: Error): void => {
    errors.push(error);
  };
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, errors };
}

describe('serveStdio', () => {
  it('serves tools over stdio with one session per process, logs on stderr only', async () => {
    const { client, stderr, errors } = await connect(true);
    try {
      expect(client.getServerVersion()).toEqual({ name: 'local', version: '0.0.1' });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['count', 'whoami']);
      const counts = [];
      for (let i = 0; i < 3; i++)
        counts.push((await client.callTool({ name: 'count', arguments: {} })).structuredContent);
      expect(counts).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      const who = await client.callTool({ name: 'whoami', arguments: {} });
      // A 256-bit base64url session id, never shown: only its length is reported by the fixture.
      expect(who.structuredContent).toEqual({ principal: 'local-user', session: true, sessionIdLength: 43 });
    } finally {
      await client.close();
    }
    // Any non-protocol byte on stdout would have surfaced as a client parse error.
    expect(errors).toEqual([]);
    expect(stderr()).toContain('serving over stdio');
  });

  it('a stateless backend gets no session, and the process exits when stdin closes', async () => {
    const { client, transport, stderr } = await connect(false);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toEqual({ principal: 'local-user', session: false, sessionIdLength: 0 });
    const pid = transport.pid;
    expect(pid).toBeTypeOf('number');
    await client.close();
    const deadline = Date.now() + 20_000;
    while (!stderr().includes('stdio fixture exiting') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr()).toContain('stdio fixture exiting');
  });
});
