/**
 * The stdio fast path (src/transport/stdio.ts) in a real child process: many requests in flight on one pipe, the
 * same answers as the SDK path for the same requests, parse errors that do not stop the server, cancellation of
 * fast-path calls, and a stdout that carries nothing but JSON-RPC lines.
 *
 * Like stdio.test.ts, the test compiles the transport with tsc (no tsx) into its own directory under
 * node_modules/.cache, and a plain .mjs fixture imports the compiled module. The fixture serves either through
 * serveStdio or, with FINMCP_TEST_SDK_PATH=1, through the SDK's StdioServerTransport + Server for every message
 * (how stdio was served before), so both can be given the same lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stdioFixture } from './fixtures/stdio-fixture.js';

const fixture = stdioFixture(
  new URL('./fixtures/stdio-fast-server.mjs', import.meta.url),
  'tsconfig.stdio-fast.json',
  'finmcp-stdio-fast-test',
);

beforeAll(() => fixture.compile());

/** A JSON-RPC message as read back from stdout. */
interface Message {
  jsonrpc: string;
  id?: string | number | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
}

/** The fixture as a child process, spoken to with raw lines. */
interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** Writes text to stdin as is (add the newlines yourself). */
  write(text: string): void;
  /** Every stdout line so far, exactly as written. */
  lines: string[];
  /** Every stdout line so far, parsed. */
  messages: Message[];
  /** Waits until `count` messages satisfy `match` (5 s at most), returns them. */
  waitFor(match: (m: Message) => boolean, count?: number): Promise<Message[]>;
  stderr(): string;
  /** Ends stdin and waits for the process to exit; resolves with its exit code. */
  end(): Promise<number | null>;
}

const started: RawServer[] = [];
afterEach(() => {
  for (const server of started.splice(0)) if (server.child.exitCode === null) server.child.kill();
});

/** Starts the fixture with raw pipes. */
function startRaw(options: { sdkPath?: boolean; stateful?: boolean } = {}): RawServer {
  const launch = fixture.launch({
    FINMCP_TEST_STATEFUL: options.stateful === true ? '1' : '0',
    FINMCP_TEST_SDK_PATH: options.sdkPath === true ? '1' : '0',
  });
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const messages: Message[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      // A line that is not JSON fails the test right here: stdout must carry only protocol messages.
      messages.push(JSON.parse(line) as Message);
    }
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const server: RawServer = {
    child,
    write: (text) => {
      child.stdin.write(text);
    },
    lines,
    messages,
    waitFor(match, count = 1) {
      return new Promise((resolveWait, reject) => {
        const check = (): boolean => {
          const found = messages.filter(match);
          if (found.length < count) return false;
          listeners.delete(listener);
          clearTimeout(timer);
          resolveWait(found);
          return true;
        };
        const listener = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(`timed out waiting for ${count} message(s); got ${JSON.stringify(messages).slice(0, 2000)}`),
          );
        }, 30_000);
        listeners.add(listener);
        check();
      });
    },
    stderr: () => stderr,
    end: () => {
      child.stdin.end();
      return exited;
    },
  };
  started.push(server);
  return server;
}

/** One JSON-RPC line. */
function line(message: Record<string, unknown>): string {
  return `${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`;
}

const INITIALIZE = line({
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
const INITIALIZED = line({ method: 'notifications/initialized' });

/** Starts the fixture and completes the MCP handshake. */
async function startInitialized(options: { sdkPath?: boolean; stateful?: boolean } = {}): Promise<RawServer> {
  const server = startRaw(options);
  server.write(INITIALIZE);
  await server.waitFor((m) => m.id === 'init');
  server.write(INITIALIZED);
  return server;
}

/** Every JSON-RPC line in stdout is a JSON-RPC 2.0 object, one per line. */
function expectOnlyJsonRpc(server: RawServer): void {
  for (const text of server.lines) {
    expect(text).not.toContain('\r');
    const message = JSON.parse(text) as Message;
    expect(message.jsonrpc).toBe('2.0');
    expect('result' in message || 'error' in message || 'method' in message).toBe(true);
  }
}

describe('stdio fast path', () => {
  it('answers 200 requests in flight at once, each exactly once with its own result', async () => {
    const server = await startInitialized({ stateful: true });
    const ids: Array<string | number> = [];
    let batch = '';
    for (let i = 0; i < 200; i++) {
      // Numbers and strings, including a string that looks like a number another request uses.
      const id = i % 3 === 0 ? `r-${i}` : i % 3 === 1 ? i : String(i - 1);
      ids.push(id);
      const call =
        i % 10 === 9
          ? { name: 'slow', arguments: { ms: 20 + (i % 7) * 5, tag: `t${i}` } }
          : { name: 'echo', arguments: { text: `text ${JSON.stringify(id)} ${i}` } };
      batch += line({ id, method: 'tools/call', params: call });
    }
    // Written in uneven pieces so that lines straddle chunk boundaries.
    for (let at = 0; at < batch.length; at += 997) server.write(batch.slice(at, at + 997));
    const answers = await server.waitFor((m) => m.id !== 'init', 200);
    // Nothing more trickles in later.
    await new Promise((r) => setTimeout(r, 300));
    expect(server.messages.filter((m) => m.id !== 'init')).toHaveLength(200);
    ids.forEach((id, i) => {
      const mine = answers.filter((m) => m.id === id);
      expect(mine, `id ${JSON.stringify(id)}`).toHaveLength(1);
      const expected =
        i % 10 === 9 ? { waited: 20 + (i % 7) * 5, tag: `t${i}` } : { text: `text ${JSON.stringify(id)} ${i}` };
      expect(mine[0]?.result?.['structuredContent']).toEqual(expected);
    });
    expectOnlyJsonRpc(server);
    expect(await server.end()).toBe(0);
  });

  it('gives the same answers as the SDK path for the same requests', async () => {
    const requests: Array<Record<string, unknown>> = [
      { id: 1, method: 'tools/list' },
      { id: 2, method: 'tools/list', params: { cursor: 'abc' } },
      { id: 3, method: 'tools/list', params: { cursor: 42 } },
      { id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello' } } },
      {
        id: 'five',
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'ünïcödé ✓' }, _meta: { note: 'x' } },
      },
      // Invalid arguments: a tool error (isError), not a protocol error.
      { id: 6, method: 'tools/call', params: { name: 'echo', arguments: { text: 7 } } },
      { id: 7, method: 'tools/call', params: { name: 'echo' } },
      // Unknown tool: -32602.
      { id: 8, method: 'tools/call', params: { name: 'nope', arguments: {} } },
      { id: 9, method: 'tools/call', params: { name: 'x'.repeat(200) } },
      // Invalid params.
      { id: 10, method: 'tools/call', params: {} },
      { id: 11, method: 'tools/call', params: { name: 5 } },
      { id: 12, method: 'tools/call', params: { name: 'echo', arguments: ['text'] } },
      { id: 13, method: 'tools/call', params: { name: 'echo', arguments: null } },
      { id: 14, method: 'tools/call' },
      // A progress token: nothing reports progress, the answer is the same.
      {
        id: 15,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'p' }, _meta: { progressToken: 'tok' } },
      },
      // A ToolService that throws: an internal error without details.
      { id: 16, method: 'tools/call', params: { name: 'throws', arguments: {} } },
      { id: 17, method: 'tools/call', params: { name: 'count', arguments: {} } },
      { id: 18, method: 'tools/call', params: { name: 'count', arguments: {} } },
      { id: 19, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { id: 20, method: 'ping' },
      { id: 21, method: 'resources/list' },
      { id: 22, method: 'no/such/method', params: {} },
    ];
    const answersOf = async (sdkPath: boolean): Promise<Map<unknown, Message>> => {
      const server = await startInitialized({ sdkPath, stateful: true });
      // One at a time, so that the stateful counter sees the same order on both.
      for (const request of requests) {
        server.write(line(request));
        await server.waitFor((m) => m.id === request['id']);
      }
      const init = server.messages.find((m) => m.id === 'init');
      expectOnlyJsonRpc(server);
      expect(await server.end()).toBe(0);
      return new Map([['init', init as Message], ...server.messages.map((m) => [m.id, m] as const)]);
    };
    const [fast, sdk] = await Promise.all([answersOf(false), answersOf(true)]);
    // Invalid params: the same error code, worded as one line naming the field and the rule (the SDK answers an
    // invalid cursor with -32603 and a JSON dump of its schema issues).
    const invalidParams = new Set<unknown>([3, 10, 11, 12, 13, 14]);
    for (const request of [{ id: 'init' }, ...requests]) {
      if (request.id === 2) {
        // A cursor this server never issued: -32602 (MCP Pagination); the SDK's Server, which does not page,
        // ignores it and lists everything.
        expect(fast.get(2)?.error?.code).toBe(-32602);
        expect(sdk.get(2)?.result?.['tools']).toEqual(fast.get(1)?.result?.['tools']);
        continue;
      }
      if (request.id === 'init') {
        // finmcp declares logging for a stateful backend (its level is kept with the session); the SDK path does not.
        const { logging, ...capabilities } = fast.get('init')?.result?.['capabilities'] as Record<string, unknown>;
        expect(logging).toEqual({});
        expect({ ...fast.get('init')?.result, capabilities }).toEqual(sdk.get('init')?.result);
        continue;
      }
      if (invalidParams.has(request.id)) {
        expect(fast.get(request.id)?.error?.code, `request ${JSON.stringify(request)}`).toBe(-32602);
        expect(fast.get(request.id)?.error?.message).toMatch(/^Invalid tools\/(call|list) request: params(\.\w+)?: \S/);
        expect(sdk.get(request.id)?.error?.code).toBeLessThan(-32601);
        continue;
      }
      expect(fast.get(request.id), `request ${JSON.stringify(request)}`).toEqual(sdk.get(request.id));
    }
    // Spot checks that the comparison compares something.
    expect(fast.get(4)?.result?.['structuredContent']).toEqual({ text: 'hello' });
    expect(fast.get(6)?.result).toEqual({ content: [{ type: 'text', text: 'text: must be a string' }], isError: true });
    expect(fast.get(8)?.error).toEqual({ code: -32602, message: 'Unknown tool: nope' });
    expect(fast.get(10)?.error?.code).toBeTypeOf('number');
    expect(fast.get(16)?.error).toEqual({ code: -32603, message: 'Internal error' });
    expect(fast.get(18)?.result?.['structuredContent']).toEqual({ n: 2 });
    expect(fast.get(19)?.result?.['structuredContent']).toEqual({
      principal: 'local-user',
      session: true,
      sessionIdLength: 43,
    });
    expect(fast.get(22)?.error?.code).toBe(-32601);
  });

  it('answers a malformed line with -32700 and id null, and keeps serving', async () => {
    const server = await startInitialized();
    server.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"\n');
    server.write('not json at all\n');
    // Blank lines are not messages: nothing is answered for them.
    server.write('\n  \r\n');
    server.write(line({ id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'after' } } }));
    const [answer] = await server.waitFor((m) => m.id === 2);
    expect(answer?.result?.['structuredContent']).toEqual({ text: 'after' });
    const errors = server.messages.filter((m) => m.error !== undefined);
    expect(errors).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
    ]);
    expectOnlyJsonRpc(server);
    expect(await server.end()).toBe(0);
  });

  it('answers messages that are JSON but not JSON-RPC requests with -32600, and keeps serving', async () => {
    const server = await startInitialized();
    server.write('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n');
    server.write('42\n');
    server.write('{"hello":"world"}\n');
    server.write('{"jsonrpc":"1.0","id":3,"method":"tools/list"}\n');
    server.write('{"jsonrpc":"2.0","id":4,"method":"tools/list","extra":true}\n');
    server.write('{"jsonrpc":"2.0","id":{"no":1},"method":"tools/list"}\n');
    // A malformed notification is not answered (notifications never are).
    server.write('{"jsonrpc":"2.0","method":"notifications/initialized","extra":1}\n');
    server.write(line({ id: 5, method: 'tools/list' }));
    await server.waitFor((m) => m.id === 5);
    await new Promise((r) => setTimeout(r, 100));
    const errors = server.messages.filter((m) => m.error !== undefined).map((m) => [m.id, m.error?.code]);
    expect(errors).toEqual([
      [null, -32600],
      [null, -32600],
      [null, -32600],
      [3, -32600],
      [4, -32600],
      [null, -32600],
    ]);
    expect(await server.end()).toBe(0);
  });

  it('reads CRLF line endings and messages split mid-character', async () => {
    const server = await startInitialized();
    const bytes = Buffer.from(
      line({ id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'größe €' } } }).replace(
        '\n',
        '\r\n',
      ),
    );
    for (let i = 0; i < bytes.length; i++) server.child.stdin.write(bytes.subarray(i, i + 1));
    const [answer] = await server.waitFor((m) => m.id === 1);
    expect(answer?.result?.['structuredContent']).toEqual({ text: 'größe €' });
    expect(await server.end()).toBe(0);
  });

  it('notifications/cancelled aborts a fast-path call: its signal fires and no answer is sent', async () => {
    const server = await startInitialized();
    server.write(
      line({ id: 'a', method: 'tools/call', params: { name: 'slow', arguments: { ms: 30_000, tag: 'cancel-me' } } }),
    );
    server.write(
      line({ id: 'b', method: 'tools/call', params: { name: 'slow', arguments: { ms: 50, tag: 'keep-me' } } }),
    );
    await new Promise((r) => setTimeout(r, 100));
    server.write(line({ method: 'notifications/cancelled', params: { requestId: 'a', reason: 'user gave up' } }));
    server.write(line({ id: 'c', method: 'tools/call', params: { name: 'aborted', arguments: {} } }));
    const [aborted] = await server.waitFor((m) => m.id === 'c');
    expect(aborted?.result?.['structuredContent']).toEqual({ tags: ['cancel-me'] });
    const [kept] = await server.waitFor((m) => m.id === 'b');
    expect(kept?.result?.['structuredContent']).toEqual({ waited: 50, tag: 'keep-me' });
    await new Promise((r) => setTimeout(r, 200));
    expect(server.messages.filter((m) => m.id === 'a')).toEqual([]);
    expect(await server.end()).toBe(0);
  });

  it('stdout carries only JSON-RPC lines, logs go to stderr, and the process exits when stdin ends', async () => {
    const server = await startInitialized();
    server.write(line({ id: 1, method: 'tools/list' }));
    server.write('garbage\n');
    server.write(line({ id: 2, method: 'tools/call', params: { name: 'throws', arguments: {} } }));
    server.write(line({ id: 3, method: 'ping' }));
    await server.waitFor((m) => m.id === 3);
    await server.waitFor((m) => m.id === 2);
    expect(await server.end()).toBe(0);
    expectOnlyJsonRpc(server);
    // Every line is one whole message: the line count is the message count, and nothing else was written.
    expect(server.lines).toHaveLength(server.messages.length);
    expect(server.messages.map((m) => m.id)).toEqual(expect.arrayContaining(['init', 1, null, 2, 3]));
    expect(server.stderr()).toContain('serving over stdio');
    expect(server.stderr()).toContain('tool call threw');
    expect(server.stderr()).toContain('stdio fixture exiting');
  });

  it('works with the SDK client: tools, errors, ping, and cancellation through AbortSignal', async () => {
    const transport = new StdioClientTransport(fixture.launch({ FINMCP_TEST_STATEFUL: '1' }));
    const errors: Error[] = [];
    const client = new Client({ name: 'stdio-fast-test', version: '0' });
    client.onerror = (error: Error): void => {
      errors.push(error);
    };
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'echo',
        'count',
        'whoami',
        'slow',
        'aborted',
        'throws',
      ]);
      expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).structuredContent).toEqual({
        text: 'hi',
      });
      await expect(client.callTool({ name: 'missing', arguments: {} })).rejects.toSatisfy(
        (error: unknown) => error instanceof McpError && error.code === -32602,
      );
      await client.ping();
      const controller = new AbortController();
      const pending = client.callTool({ name: 'slow', arguments: { ms: 30_000, tag: 'sdk-cancel' } }, undefined, {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort('enough'), 100);
      await expect(pending).rejects.toThrow();
      const aborted = await client.callTool({ name: 'aborted', arguments: {} });
      expect(aborted.structuredContent).toEqual({ tags: ['sdk-cancel'] });
      expect((await client.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 1 });
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
  });
});

describe('stdio in MCP 2026-07-28', () => {
  const META = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
  };

  it('serves the SDK 2.x client pinned to 2026-07-28, and in auto mode, with the process as the one caller', async () => {
    for (const mode of [{ pin: '2026-07-28' } as const, 'auto' as const]) {
      const transport = new ModernStdioClientTransport(fixture.launch({ FINMCP_TEST_STATEFUL: '1' }));
      const client = new ModernClient({ name: 'stdio-modern-test', version: '0' }, { versionNegotiation: { mode } });
      await client.connect(transport);
      try {
        expect(client.getProtocolEra()).toBe('modern');
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
          'echo',
          'count',
          'whoami',
          'slow',
          'aborted',
          'throws',
        ]);
        expect((await client.callTool({ name: 'echo', arguments: { text: 'modern' } })).structuredContent).toEqual({
          text: 'modern',
        });
        expect((await client.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 1 });
        expect((await client.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ n: 2 });
        expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
          principal: 'local-user',
          session: true,
        });
        // Cancellation through AbortSignal: the client sends notifications/cancelled on stdio in every era.
        const controller = new AbortController();
        const pending = client.callTool(
          { name: 'slow', arguments: { ms: 30_000, tag: 'modern-cancel' } },
          { signal: controller.signal },
        );
        setTimeout(() => controller.abort('enough'), 100);
        await expect(pending).rejects.toThrow();
        const aborted = await client.callTool({ name: 'aborted', arguments: {} });
        expect(aborted.structuredContent).toEqual({ tags: ['modern-cancel'] });
      } finally {
        await client.close();
      }
    }
  });

  it('answers raw 2026-07-28 lines with the revision shapes and errors', async () => {
    const server = startRaw();
    server.write(line({ id: 1, method: 'tools/list', params: { _meta: META } }));
    server.write(line({ id: 2, method: 'server/discover', params: { _meta: META } }));
    server.write(
      line({
        id: 3,
        method: 'tools/list',
        params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2030-01-01' } },
      }),
    );
    server.write(
      line({
        id: 4,
        method: 'initialize',
        params: {
          _meta: META,
          protocolVersion: '2026-07-28',
          capabilities: {},
          clientInfo: { name: 'x', version: '0' },
        },
      }),
    );
    server.write(
      line({ id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'r' }, _meta: META } }),
    );
    await server.waitFor((m) => typeof m.id === 'number', 5);
    const byId = new Map(server.messages.map((m) => [m.id, m]));
    expect(byId.get(1)?.result).toMatchObject({
      resultType: 'complete',
      cacheScope: 'public',
      ttlMs: expect.any(Number),
    });
    expect(byId.get(2)?.result).toMatchObject({
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: {} },
      resultType: 'complete',
    });
    expect(byId.get(3)?.error).toEqual({
      code: -32022,
      message: 'Unsupported protocol version: 2030-01-01',
      data: { supported: ['2026-07-28'], requested: '2030-01-01' },
    });
    expect(byId.get(4)?.error?.code).toBe(-32601);
    expect(byId.get(5)?.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { text: 'r' },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'local' } },
    });
    expect(await server.end()).toBe(0);
  });
});
