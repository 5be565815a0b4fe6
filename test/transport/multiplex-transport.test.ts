/**
 * MultiplexTransport: many requests with the same JSON-RPC id on one SDK Server, each answered to its own
 * caller with its own id; cancellation; close answers what is still waiting.
 */
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { toAuthInfo } from '../../src/transport/call-info.js';
import { createMcpServer } from '../../src/transport/mcp-server.js';
import { MultiplexTransport, type ReplyMessage } from '../../src/transport/multiplex-transport.js';
import { createTestService } from './fixtures/test-service.js';
import { eventually } from '../helpers/ports.js';

/** A tools/call request. */
function call(id: number | string, name: string, args: Record<string, unknown>): JSONRPCRequest {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** A connected server + transport. */
async function setup(): Promise<{ transport: MultiplexTransport; service: ReturnType<typeof createTestService>; close: () => Promise<void> }> {
  const service = createTestService('demo', false);
  const server = createMcpServer(service, { name: 'demo', version: '1' });
  const transport = new MultiplexTransport();
  await server.connect(transport);
  return { transport, service, close: () => server.close() };
}

/** Dispatches and resolves with the reply. */
function ask(transport: MultiplexTransport, request: JSONRPCRequest, principal = 'p'): Promise<ReplyMessage> {
  return new Promise((resolve) => {
    transport.dispatch(request, { authInfo: toAuthInfo({ principal: { id: principal, scopes: [], claims: {} } }) }, resolve);
  });
}

describe('MultiplexTransport', () => {
  it('answers requests sharing a JSON-RPC id each with its own result and original id', async () => {
    const { transport, close } = await setup();
    const given = Array.from({ length: 50 }, (_, i) => ({ id: i % 2 === 0 ? 1 : 'x', tag: `t${i}`, ms: (i * 7) % 11 }));
    const answers = await Promise.all(given.map((g) => ask(transport, call(g.id, 'slow', { ms: g.ms, tag: g.tag }))));
    answers.forEach((answer, i) => {
      expect(answer.id).toBe(given[i]?.id);
      expect((answer as unknown as { result: { structuredContent: { tag: string } } }).result.structuredContent.tag).toBe(given[i]?.tag);
    });
    expect(transport.inFlight).toBe(0);
    await close();
  });

  it('passes each request its own call info', async () => {
    const { transport, service, close } = await setup();
    await Promise.all([ask(transport, call(1, 'whoami', {}), 'alice'), ask(transport, call(1, 'whoami', {}), 'bob')]);
    expect(service.contexts.map((c) => c.principal.id).sort()).toEqual(['alice', 'bob']);
    await close();
  });

  it('cancel aborts the handler and drops its answer', async () => {
    const { transport, service, close } = await setup();
    const replies: ReplyMessage[] = [];
    const id = transport.dispatch(call(1, 'slow', { ms: 60_000, tag: 'c' }), {}, (m) => replies.push(m));
    // The SDK runs the handler asynchronously: wait until it has started, however slow the machine is.
    expect(await eventually(() => service.sessionOfTag.has('c'), 20_000)).toBe(true);
    expect(transport.cancel(id, 'test')).toBe(true);
    expect(transport.cancel(id, 'again')).toBe(false);
    expect(await eventually(() => service.aborted.includes('c'), 20_000)).toBe(true);
    expect(service.aborted).toEqual(['c']);
    expect(replies).toEqual([]);
    await close();
  });

  it('close answers waiting requests with a shutdown error', async () => {
    const { transport, close } = await setup();
    const pending = ask(transport, call(3, 'slow', { ms: 5_000 }));
    await new Promise((r) => setTimeout(r, 20));
    await close();
    expect(await pending).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'Server is shutting down' } });
    expect(() => transport.dispatch(call(4, 'echo', {}), {}, () => {})).toThrow(/not connected/);
  });
});
