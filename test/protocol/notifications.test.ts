/**
 * What a request tells the client while it runs, over the real transports: `notifications/progress` for a request
 * with a progress token, `notifications/message` at or above the level asked for (2025-11-25 `logging/setLevel` kept
 * with the session, 2026-07-28 `_meta` logLevel per request), `notifications/resources/updated` for a subscribed
 * resource that changes (stdio), and `input_required` from `prompts/get` (2026-07-28) with its sealed retry.
 * Over stdio the notifications are lines before the answer; over HTTP the answer becomes an SSE stream.
 */
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/core/catalogue-types.js';
import type { ToolService } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { ANONYMOUS_PRINCIPAL } from '../../src/protocol/caller.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { createHttpServer, type HttpServerHandle } from '../../src/transport/http.js';
import { serveStdio, type StdioHandle } from '../../src/transport/stdio.js';

const logger = createLogger({ level: 'silent' });
const info = { name: 'demo', version: '1.0.0' };
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
};

/** A resource whose changes the test makes. */
const changes = new Set<() => void>();
const change = (): void => {
  for (const listener of changes) listener();
};

const CATALOGUE: Catalogue = {
  resources: [
    {
      uri: 'x://live',
      name: 'live',
      read: () => [{ uri: 'x://live', text: 'now' }],
      watch(onUpdate) {
        changes.add(onUpdate);
        return () => changes.delete(onUpdate);
      },
    },
  ],
  templates: [],
  prompts: [
    {
      name: 'ask',
      arguments: [],
      get: async (_, elicit) => {
        const answer = await elicit?.ask('topic', {
          mode: 'form',
          message: 'Which topic?',
          requestedSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
        });
        const topic = answer?.action === 'accept' ? String(answer.content?.['topic']) : 'none';
        return { messages: [{ role: 'user', content: { type: 'text', text: `About ${topic}` } }] };
      },
    },
  ],
};

/** One tool that reports progress 1..3 of 3 and logs one message at each of debug, info and error. */
const SERVICE: ToolService = {
  backend: 'demo',
  stateful: true,
  listTools: () => [{ name: 'work', inputSchema: { type: 'object' } }],
  hasTool: (name) => name === 'work',
  callTool: async (_name, _args, ctx) => {
    for (const step of [1, 2, 3]) ctx.report?.progress(step, 3);
    ctx.report?.progress(2, 3); // not increasing: not sent
    ctx.report?.log('debug', 'detail');
    ctx.report?.log('info', 'working');
    ctx.report?.log('error', { problem: 'none really' });
    return { content: [{ type: 'text', text: 'done' }] };
  },
  catalogue: CATALOGUE,
};

type Message = { id?: unknown; method?: string; params?: any; result?: any; error?: any };

/** serveStdio on in-memory streams, with every line it writes. */
class StdioClient {
  readonly stdin = new PassThrough();
  readonly lines: Message[] = [];
  handle!: StdioHandle;
  #buffer = '';

  async start(): Promise<void> {
    const stdout = new Writable({
      write: (chunk, _encoding, done) => {
        this.#buffer += String(chunk);
        let end = this.#buffer.indexOf('\n');
        while (end >= 0) {
          this.lines.push(JSON.parse(this.#buffer.slice(0, end)) as Message);
          this.#buffer = this.#buffer.slice(end + 1);
          end = this.#buffer.indexOf('\n');
        }
        done();
      },
    });
    this.handle = await serveStdio(SERVICE, {
      principal: ANONYMOUS_PRINCIPAL,
      logger,
      info,
      stdin: this.stdin,
      stdout,
    });
  }

  /**
   * Resolves once what the server wrote so far has been read: its lines go out together in a `setImmediate` at the
   * end of the turn (stdio-lines.ts), which runs before this one's, and the pipe hands them over synchronously.
   */
  async settled(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Sends a request and resolves with every line written from then until its answer, the answer last. */
  async ask(id: number, method: string, params: Record<string, unknown> = {}): Promise<Message[]> {
    const from = this.lines.length;
    this.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    for (let waited = 0; !this.lines.slice(from).some((m) => m.id === id); waited += 5) {
      if (waited > 10_000) throw new Error(`no answer to ${method}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.lines.slice(from);
  }
}

const notifications = (lines: Message[], method: string): any[] =>
  lines.filter((m) => m.method === method).map((m) => m.params);

describe('over stdio, 2025-11-25', () => {
  const client = new StdioClient();
  beforeAll(async () => {
    await client.start();
    const [init] = await client.ask(0, 'initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 't', version: '1' },
    });
    expect(init?.result.capabilities).toMatchObject({ logging: {}, resources: { subscribe: true } });
  });
  afterAll(async () => {
    client.stdin.end();
    await client.handle.closed;
  });

  it('sends increasing progress for a progress token before the answer, and no log messages before setLevel', async () => {
    const lines = await client.ask(1, 'tools/call', { name: 'work', _meta: { progressToken: 7 } });
    expect(notifications(lines, 'notifications/progress')).toEqual([
      { progressToken: 7, progress: 1, total: 3 },
      { progressToken: 7, progress: 2, total: 3 },
      { progressToken: 7, progress: 3, total: 3 },
    ]);
    expect(notifications(lines, 'notifications/message')).toEqual([]);
    expect(lines.at(-1)?.result.content).toEqual([{ type: 'text', text: 'done' }]);
  });

  it('logging/setLevel: messages at or above the level, no progress without a token; a bad level is -32602', async () => {
    expect((await client.ask(2, 'logging/setLevel', { level: 'info' })).at(-1)?.result).toEqual({});
    const lines = await client.ask(3, 'tools/call', { name: 'work' });
    expect(notifications(lines, 'notifications/message')).toEqual([
      { level: 'info', logger: 'demo', data: 'working' },
      { level: 'error', logger: 'demo', data: { problem: 'none really' } },
    ]);
    expect(notifications(lines, 'notifications/progress')).toEqual([]);
    const bad = (await client.ask(4, 'logging/setLevel', { level: 'loud' })).at(-1);
    expect(bad?.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/params\.level must be one of debug, info/),
    });
  });

  it('resources/subscribe: each change is notifications/resources/updated until unsubscribed', async () => {
    expect((await client.ask(5, 'resources/subscribe', { uri: 'x://live' })).at(-1)?.result).toEqual({});
    const from = client.lines.length;
    change();
    change();
    // Lines written in one turn go out together at its end: wait for them.
    await client.settled();
    expect(notifications(client.lines.slice(from), 'notifications/resources/updated')).toEqual([
      { uri: 'x://live' },
      { uri: 'x://live' },
    ]);
    expect((await client.ask(6, 'resources/unsubscribe', { uri: 'x://live' })).at(-1)?.result).toEqual({});
    const after = client.lines.length;
    change();
    await client.settled();
    expect(client.lines.length).toBe(after);
    const unknown = (await client.ask(7, 'resources/subscribe', { uri: 'x://nope' })).at(-1);
    expect(unknown?.error).toMatchObject({ code: -32602, data: { uri: 'x://nope' } });
  });
});

describe('over stdio, 2026-07-28', () => {
  const client = new StdioClient();
  beforeAll(() => client.start());
  afterAll(async () => {
    client.stdin.end();
    await client.handle.closed;
  });

  it('log messages only for a request that asks with _meta logLevel; a bad level is -32602 naming the key', async () => {
    const quiet = await client.ask(1, 'tools/call', { name: 'work', _meta: META });
    expect(quiet).toHaveLength(1);
    const loud = await client.ask(2, 'tools/call', {
      name: 'work',
      _meta: { ...META, 'io.modelcontextprotocol/logLevel': 'debug', progressToken: 'p' },
    });
    expect(notifications(loud, 'notifications/message').map((p) => p.level)).toEqual(['debug', 'info', 'error']);
    expect(notifications(loud, 'notifications/progress').map((p) => p.progress)).toEqual([1, 2, 3]);
    const bad = await client.ask(3, 'tools/call', {
      name: 'work',
      _meta: { ...META, 'io.modelcontextprotocol/logLevel': 'everything' },
    });
    expect(bad.at(-1)?.error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('io.modelcontextprotocol/logLevel'),
    });
  });

  it('prompts/get asks with input_required, answers the retry under its requestState, and refuses altered state', async () => {
    const first = (await client.ask(4, 'prompts/get', { name: 'ask', _meta: META })).at(-1)?.result;
    expect(first).toMatchObject({
      resultType: 'input_required',
      inputRequests: { topic: { method: 'elicitation/create', params: { message: 'Which topic?' } } },
    });
    const retry = {
      name: 'ask',
      _meta: META,
      inputResponses: { topic: { action: 'accept', content: { topic: 'taxes' } } },
    };
    const answer = (await client.ask(5, 'prompts/get', { ...retry, requestState: first.requestState })).at(-1);
    expect(answer?.result).toMatchObject({
      resultType: 'complete',
      messages: [{ role: 'user', content: { type: 'text', text: 'About taxes' } }],
    });
    const altered = (await client.ask(6, 'prompts/get', { ...retry, requestState: `${first.requestState}x` })).at(-1);
    expect(altered?.error).toMatchObject({ code: -32602, message: expect.stringContaining('requestState') });
  });
});

describe('over HTTP, 2026-07-28', () => {
  let handle: HttpServerHandle;
  let url: string;
  const store = new MemorySessionStore();
  beforeAll(async () => {
    handle = createHttpServer({
      port: 0,
      backends: [{ service: SERVICE, info }],
      allowedOrigins: [],
      rateLimit: false,
      sessionStore: store,
      logger,
    });
    ({ url } = await handle.listen());
  });
  afterAll(async () => {
    await handle.close();
    await store.close();
  });

  const call = (meta: Record<string, unknown>): Promise<Response> =>
    fetch(`${url}/demo/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'work',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'work', _meta: meta } }),
    });

  it('answers a call with a progress token as an SSE stream: the notifications, then the result', async () => {
    const response = await call({ ...META, progressToken: 'p' });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as Message);
    expect(events.map((e) => e.method ?? `result ${e.id}`)).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result 9',
    ]);
    expect(events.at(-1)?.result.content).toEqual([{ type: 'text', text: 'done' }]);
  });

  it('keeps the single JSON answer for a call that asked for nothing', async () => {
    const response = await call(META);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as Message).result.content).toEqual([{ type: 'text', text: 'done' }]);
  });
});
