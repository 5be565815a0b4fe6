/**
 * Resources, prompts and completion through the dispatch core in both eras: the capabilities `initialize` and
 * `server/discover` declare follow the catalogue, its methods answer (2026-07-28 lists and reads with caching
 * hints), errors keep the request id, and a service without a catalogue still answers -32601.
 */
import { describe, expect, it } from 'vitest';
import type { ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { ANONYMOUS_PRINCIPAL } from '../../src/protocol/caller.js';
import type { Catalogue } from '../../src/core/catalogue-types.js';
import { Dispatcher, type Reply } from '../../src/protocol/dispatcher.js';
import type { InboundRequest } from '../../src/protocol/messages.js';

const logger = createLogger({ level: 'silent' });
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const CATALOGUE: Catalogue = {
  resources: [
    {
      uri: 'x://doc',
      name: 'doc',
      mimeType: 'text/plain',
      read: () => [{ uri: 'x://doc', mimeType: 'text/plain', text: 'hello' }],
    },
  ],
  templates: [],
  prompts: [
    {
      name: 'greet',
      arguments: [{ name: 'who', required: true, examples: ['world'] }],
      get: ({ who }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello ${who}` } }] }),
    },
  ],
};

function service(catalogue?: Catalogue): ToolService {
  return {
    backend: 'demo',
    stateful: false,
    listTools: () => [],
    hasTool: () => false,
    callTool: () => Promise.reject(new Error('no tools')),
    ...(catalogue ? { catalogue } : {}),
  };
}

async function ask(
  core: Dispatcher,
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  modern = true,
): Promise<{ status: number; body: any }> {
  const request: InboundRequest = { kind: 'request', id, method, params: modern ? { ...params, _meta: META } : params };
  const reply = (await core.request(request, core.classify(request), { principal: ANONYMOUS_PRINCIPAL })) as Reply;
  return { status: reply.status, body: JSON.parse(reply.body) };
}

describe('the dispatch core with a catalogue', () => {
  const core = new Dispatcher({ service: service(CATALOGUE), info: { name: 'demo', version: '1' }, logger });

  it('declares resources, prompts and completions in both eras', async () => {
    expect((await ask(core, 1, 'server/discover')).body.result.capabilities).toEqual({
      tools: {},
      logging: {},
      resources: {},
      prompts: {},
      completions: {},
    });
    const init = await ask(
      core,
      2,
      'initialize',
      { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      false,
    );
    expect(init.body.result.capabilities).toEqual({
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
      completions: {},
    });
  });

  it('2026-07-28 lists and reads carry resultType and caching hints; prompts/get and completion answer', async () => {
    const list = (await ask(core, 3, 'resources/list')).body.result;
    expect(list).toMatchObject({
      resultType: 'complete',
      ttlMs: 60_000,
      cacheScope: 'public',
      resources: [{ uri: 'x://doc', name: 'doc', mimeType: 'text/plain' }],
    });
    expect((await ask(core, 4, 'resources/read', { uri: 'x://doc' })).body.result).toMatchObject({
      ttlMs: 60_000,
      cacheScope: 'public',
      contents: [{ text: 'hello' }],
    });
    expect((await ask(core, 5, 'resources/templates/list')).body.result).toMatchObject({
      ttlMs: 60_000,
      resourceTemplates: [],
    });
    expect((await ask(core, 6, 'prompts/list')).body.result).toMatchObject({
      ttlMs: 60_000,
      prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }] }],
    });
    expect(
      (await ask(core, 7, 'prompts/get', { name: 'greet', arguments: { who: 'Ann' } })).body.result.messages,
    ).toEqual([{ role: 'user', content: { type: 'text', text: 'Hello Ann' } }]);
    const completion = await ask(core, 8, 'completion/complete', {
      ref: { type: 'ref/prompt', name: 'greet' },
      argument: { name: 'who', value: 'w' },
    });
    expect(completion.body.result.completion).toEqual({ values: ['world'], total: 1, hasMore: false });
  });

  it('legacy results are plain; errors keep the request id', async () => {
    expect((await ask(core, 9, 'prompts/list', {}, false)).body).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }] }] },
    });
    expect((await ask(core, 10, 'resources/read', { uri: 'x://none' })).body).toEqual({
      jsonrpc: '2.0',
      id: 10,
      error: { code: -32602, message: 'Resource not found: x://none', data: { uri: 'x://none' } },
    });
  });
});

describe('the dispatch core without a catalogue', () => {
  const core = new Dispatcher({ service: service(), info: { name: 'demo', version: '1' }, logger });
  it('declares tools (and per-request logging) only and answers the other methods -32601', async () => {
    expect((await ask(core, 1, 'server/discover')).body.result.capabilities).toEqual({ tools: {}, logging: {} });
    for (const method of ['resources/list', 'prompts/list', 'completion/complete']) {
      expect((await ask(core, 2, method)).body.error.code).toBe(-32601);
    }
  });
});
