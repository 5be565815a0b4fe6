/**
 * `tools/list` is paged (MCP 2025-11-25, Utilities / Pagination): `listPageSize` tools per page in the service's
 * order, an opaque `nextCursor` to the next page and none on the last, in both eras; a cursor the server never
 * issued is -32602. A 452-tool API listed in one message was 35 MB, more than SDK clients read.
 */
import { describe, expect, it } from 'vitest';
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { Dispatcher } from '../../src/protocol/dispatcher.js';
import { ANONYMOUS_PRINCIPAL } from '../../src/protocol/caller.js';

const tools: ListedTool[] = Array.from({ length: 25 }, (_, i) => ({
  name: `tool_${String(i).padStart(2, '0')}`,
  inputSchema: { type: 'object' },
}));
const service: ToolService = {
  backend: 'paged',
  stateful: false,
  listTools: () => tools,
  hasTool: (name) => tools.some((tool) => tool.name === name),
  callTool: () => Promise.resolve({ content: [] }),
};
const dispatcher = new Dispatcher({
  service,
  info: { name: 'paged', version: '1' },
  logger: createLogger({ level: 'silent' }),
  listPageSize: 10,
});
const caller = { principal: ANONYMOUS_PRINCIPAL };

async function list(cursor?: string, meta?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const request = {
    kind: 'request' as const,
    id: 1,
    method: 'tools/list',
    params: { ...(cursor === undefined ? {} : { cursor }), ...(meta === undefined ? {} : { _meta: meta }) },
  };
  const reply = await dispatcher.request(request, dispatcher.classify(request), caller);
  return JSON.parse(reply?.body ?? '{}') as Record<string, unknown>;
}

describe('paged tools/list', () => {
  it('walks every tool once, in order, through nextCursor', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { result } = (await list(cursor)) as { result: { tools: ListedTool[]; nextCursor?: string } };
      names.push(...result.tools.map((tool) => tool.name));
      cursor = result.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(names).toEqual(tools.map((tool) => tool.name));
  });

  it('refuses a cursor it never issued with -32602 naming the cursor', async () => {
    for (const bad of [
      'nonsense',
      Buffer.from('tools:999').toString('base64url'),
      Buffer.from('tools:0').toString('base64url'),
    ]) {
      const answer = (await list(bad)) as { error: { code: number; message: string } };
      expect(answer.error.code).toBe(-32602);
      expect(answer.error.message).toContain('cursor');
    }
  });

  it('pages 2026-07-28 lists the same way', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const first = (await list(undefined, meta)) as {
      result?: { tools: ListedTool[]; nextCursor?: string };
      error?: unknown;
    };
    expect(first.error).toBeUndefined();
    expect(first.result?.tools).toHaveLength(10);
    expect(typeof first.result?.nextCursor).toBe('string');
  });
});
