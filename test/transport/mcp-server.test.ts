/**
 * The shared SDK Server of one backend: tools/list and tools/call over the SDK's in-memory transport pair, with
 * the official SDK Client; unknown tools are protocol errors (-32602); the call context comes from the default.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/transport/mcp-server.js';
import { createTestService } from './fixtures/test-service.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Connects an SDK client to a fresh server of the test service. */
async function connect(defaultPrincipal?: string): Promise<{ client: Client; service: ReturnType<typeof createTestService> }> {
  const service = createTestService('demo', false);
  const server = createMcpServer(
    service,
    { name: 'demo', version: '1.2.3', instructions: 'Use echo.' },
    defaultPrincipal === undefined ? {} : { defaultCallInfo: { principal: { id: defaultPrincipal, scopes: [], claims: {} } } },
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(clientSide);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return { client, service };
}

describe('createMcpServer', () => {
  it('initializes with the server info, instructions and the tools capability', async () => {
    const { client } = await connect();
    expect(client.getServerVersion()).toEqual({ name: 'demo', version: '1.2.3' });
    expect(client.getInstructions()).toBe('Use echo.');
    expect(client.getServerCapabilities()?.tools).toBeDefined();
  });

  it('lists the service tools with their schemas as given', async () => {
    const { client, service } = await connect();
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(service.listTools().map((t) => t.name));
    expect(listed.tools[0]?.inputSchema).toEqual(service.listTools()[0]?.inputSchema);
    expect(listed.tools[0]?.annotations).toEqual({ readOnlyHint: true });
  });

  const calls: Array<{ given: { name: string; args?: Record<string, unknown> }; want: Record<string, unknown> }> = [
    { given: { name: 'echo', args: { text: 'hi' } }, want: { structuredContent: { text: 'hi' } } },
    { given: { name: 'fail' }, want: { isError: true } },
  ];
  it.each(calls)('calls $given.name and returns the service result', async ({ given, want }) => {
    const { client } = await connect();
    const result = await client.callTool({ name: given.name, arguments: given.args ?? {} });
    expect(result).toMatchObject(want);
  });

  it('answers an unknown tool with InvalidParams (-32602)', async () => {
    const { client } = await connect();
    const error = await client.callTool({ name: 'nope', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain('Unknown tool: nope');
  });

  it('builds the call context from the default call info, with a fresh request id per call', async () => {
    const { client, service } = await connect('local-user');
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    expect(service.contexts.map((c) => c.principal.id)).toEqual(['local-user', 'local-user']);
    expect(service.contexts.map((c) => c.backend)).toEqual(['demo', 'demo']);
    expect(service.contexts[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(service.contexts[0]?.requestId).not.toBe(service.contexts[1]?.requestId);
  });

  it('uses the anonymous principal when no call info is given', async () => {
    const { client, service } = await connect();
    await client.callTool({ name: 'whoami', arguments: {} });
    expect(service.contexts[0]?.principal.id).toBe('anonymous');
    expect(service.contexts[0]?.session).toBeUndefined();
  });
});
