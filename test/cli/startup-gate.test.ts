/**
 * Serving before the sandbox is up (src/cli/startup-gate.ts with src/sandbox/sandbox.ts): the real B4B tool service
 * over a real Prism mock whose start the test holds back, so "not ready yet" is certain rather than a race.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/core/call-context.js';
import type { SessionRecord } from '../../src/state/session.js';
import type { ToolResult, ToolService } from '../../src/core/tool-service-api.js';
import { backend as b4b } from '../../generated/b4b/index.gen.js';
import { deferredBackendHttp, gateToolService } from '../../src/cli/startup-gate.js';
import { createToolService } from '../../src/core/tool-service.js';
import { createBackendHttp } from '../../src/backend/backend-http.js';
import { createLogger } from '../../src/log.js';
import { createB4bOverrides } from '../../src/overrides/b4b/overrides.js';
import { projectRoot } from '../../src/paths.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { MemorySessionStore, createSessionHandle } from '../../src/state/session-store.js';
import { descendants } from '../helpers/process-tree.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const LOGIN = { phone: '+84909495665', password: 'SecurePassword123@' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The gated B4B service over the sandbox's mock, and a way to call it in one session. */
function gatedB4b(sandbox: Sandbox): {
  service: ToolService;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
} {
  const mock = sandbox.mock('b4b');
  const http = deferredBackendHttp(mock.then((m) => createBackendHttp({ baseUrl: m.url, maxAttempts: 1, logger })));
  cleanups.push(() => http.close());
  const inner = createToolService({ generated: b4b, overrides: createB4bOverrides({}) }, { http, logger });
  const service = gateToolService(
    inner,
    mock.then(() => undefined),
    logger,
  );
  return { service, call: sessionCaller(service) };
}

/** Calls `service` as one B4B session (B4B keeps the login in it). */
function sessionCaller(service: ToolService): (name: string, args?: Record<string, unknown>) => Promise<ToolResult> {
  const record: SessionRecord = { principalId: 'anonymous', backend: 'b4b', createdAt: Date.now(), state: {} };
  const session = createSessionHandle(new MemorySessionStore(), 'session-1', record);
  return (name, args = {}) => {
    const ctx: CallContext = {
      backend: 'b4b',
      tool: name,
      requestId: randomUUID(),
      principal: { id: 'anonymous', scopes: [], claims: {} },
      sessionId: 'session-1',
      session,
    };
    return service.callTool(name, args, ctx);
  };
}

function held(): { begin: Promise<void>; release(): void } {
  let release!: () => void;
  const begin = new Promise<void>((resolve) => (release = resolve));
  return { begin, release };
}

describe('gateToolService', () => {
  it('lists tools while the sandbox has not started; a call made meanwhile waits, then reaches the backend', async () => {
    const gate = held();
    const sandbox = startSandbox({
      mocks: [{ name: 'b4b', specFile: join(projectRoot(), 'specs', 'b4b.yaml') }],
      begin: gate.begin,
      logger,
    });
    cleanups.push(() => sandbox.stop());
    const { service, call } = gatedB4b(sandbox);

    expect(service.listTools().map((t) => t.name)).toContain('login');
    let settled = false;
    const login = call('login', LOGIN).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled, 'the call waits for the sandbox').toBe(false);

    gate.release();
    const result = await login;
    expect(result.isError, result.content[0]!.text).not.toBe(true);
    expect(result.content[0]!.text).toMatch(/Successfully logged in as/);
    // Once open, calls go straight through.
    const next = await call('list_entities', { page: 1, per_page: 5 });
    expect(next.isError, next.content[0]!.text).not.toBe(true);
  }, 90_000);

  it('turns a sandbox that cannot start into a tool error naming the cause, for this call and the next', async () => {
    const sandbox = startSandbox({
      mocks: [{ name: 'b4b', specFile: join(projectRoot(), 'specs', 'missing.yaml') }],
      logger,
    });
    cleanups.push(() => sandbox.stop());
    const { call } = gatedB4b(sandbox);
    for (let i = 0; i < 2; i++) {
      const result = await call('login', LOGIN);
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toMatch(
        /^b4b is unavailable: the server could not start it \(Prism: spec file not found: .*missing\.yaml\)/,
      );
      expect(result.content[0]!.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(result.content[0]!.text).not.toContain(LOGIN.password);
    }
  }, 90_000);
});

describe('gateToolService over meta-tools (--dynamic, --code)', () => {
  /** The B4B service wrapped as `wrap` does, gated on a sandbox that either is held back or cannot start. */
  async function gatedMeta(wrap: (inner: ToolService) => Promise<ToolService> | ToolService, specFile: string) {
    const gate = held();
    const sandbox = startSandbox({ mocks: [{ name: 'b4b', specFile }], begin: gate.begin, logger });
    cleanups.push(async () => {
      gate.release();
      await sandbox.stop();
    });
    const mock = sandbox.mock('b4b');
    const http = deferredBackendHttp(mock.then((m) => createBackendHttp({ baseUrl: m.url, maxAttempts: 1, logger })));
    cleanups.push(() => http.close());
    const inner = createToolService({ generated: b4b, overrides: createB4bOverrides({}) }, { http, logger });
    const service = gateToolService(
      await wrap(inner),
      mock.then(() => undefined),
      logger,
    );
    return { gate, call: sessionCaller(service) };
  }
  const b4bSpec = join(projectRoot(), 'specs', 'b4b.yaml');
  const pending = async (promise: Promise<unknown>): Promise<boolean> => {
    let settled = false;
    void promise.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    return !settled;
  };

  it('--dynamic: search_tools and describe_tool answer while the sandbox is held back; call_tool waits', async () => {
    const { dynamicToolService } = await import('../../src/core/dynamic-tools.js');
    const { gate, call } = await gatedMeta((inner) => dynamicToolService(inner, b4b.tools), b4bSpec);
    const found = await call('search_tools', { query: 'list entities' });
    expect(found.isError, found.content[0]!.text).not.toBe(true);
    expect(found.content[0]!.text).toContain('list_entities');
    const described = await call('describe_tool', { name: 'list_entities' });
    expect(described.isError, described.content[0]!.text).not.toBe(true);
    const login = call('call_tool', { name: 'login', arguments: LOGIN });
    expect(await pending(login), 'call_tool waits for the backend').toBe(true);
    gate.release();
    const result = await login;
    expect(result.isError, result.content[0]!.text).not.toBe(true);
  }, 90_000);

  it('--code: search_api answers while the sandbox is held back, and after it failed to start', async () => {
    const { codeModeService } = await import('../../src/code/serve-code.js');
    const { Settings } = await import('../../src/config.js');
    const wrap = (inner: ToolService): Promise<ToolService> =>
      codeModeService(inner, b4b, createB4bOverrides({}), new Settings({}), logger);
    const held = await gatedMeta(wrap, b4bSpec);
    const found = await held.call('search_api', { query: 'list entities' });
    expect(found.isError, found.content[0]!.text).not.toBe(true);
    expect(found.content[0]!.text).toContain('list_entities');

    const failed = await gatedMeta(wrap, join(projectRoot(), 'specs', 'missing.yaml'));
    failed.gate.release();
    const run = await failed.call('run_code', { code: 'return await api.list_entities({ page: 1 })' });
    expect(run.isError).toBe(true);
    expect(run.content[0]!.text).toMatch(/^b4b is unavailable/);
    const stillFound = await failed.call('search_api', { query: 'entities' });
    expect(stillFound.isError, stillFound.content[0]!.text).not.toBe(true);
    expect(stillFound.content[0]!.text).toContain('list_entities');
  }, 90_000);
});

describe('gateToolService with start-up work that has not begun (stdio: verifying the user token)', () => {
  /** A gate over a service that answers every call with the principal it acts for. */
  function gateWith(
    start: () => Promise<{ id: string; scopes: string[]; claims: Record<string, unknown> }>,
  ): ToolService {
    const inner: ToolService = {
      backend: 'demo',
      stateful: false,
      listTools: () => [{ name: 'whoami', inputSchema: { type: 'object' } }],
      hasTool: (name) => name === 'whoami',
      callTool: async (_name, _args, ctx) => ({ content: [{ type: 'text', text: ctx.principal.id }] }),
    };
    return gateToolService(inner, start, logger);
  }
  const ctx = (): CallContext => ({
    backend: 'demo',
    tool: 'whoami',
    requestId: randomUUID(),
    principal: { id: 'anonymous', scopes: [], claims: {} },
  });
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('begins the work once the first tools/list has been answered, not before', async () => {
    let started = 0;
    const service = gateWith(async () => {
      started += 1;
      return { id: 'alice', scopes: [], claims: {} };
    });
    await turn();
    expect(started).toBe(0);
    service.listTools();
    expect(started).toBe(0);
    await turn();
    expect(started).toBe(1);
    service.listTools();
    await turn();
    expect(started).toBe(1);
    expect((await service.callTool('whoami', {}, ctx())).content).toEqual([{ type: 'text', text: 'alice' }]);
  });

  it("begins it at the first tool call when no list came first, and a failure is each call's error", async () => {
    let started = 0;
    const service = gateWith(async () => {
      started += 1;
      throw new Error('access token rejected: signature');
    });
    await turn();
    expect(started).toBe(0);
    for (let i = 0; i < 2; i += 1) {
      const result = await service.callTool('whoami', {}, ctx());
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('access token rejected: signature');
    }
    expect(started).toBe(1);
  });
});

describe('startSandbox', () => {
  it('starts nothing before `begin`, and stopping it then rejects its parts as cancelled without hanging', async () => {
    const gate = held();
    const sandbox = startSandbox({
      mocks: [{ name: 'b4b', specFile: join(projectRoot(), 'specs', 'b4b.yaml') }],
      begin: gate.begin,
      logger,
    });
    await sandbox.stop();
    await expect(sandbox.mock('b4b')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops a Prism that is still starting', async () => {
    const sandbox = startSandbox({
      mocks: [{ name: 'b4b', specFile: join(projectRoot(), 'specs', 'b4b.yaml') }],
      logger,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sandbox.stop();
    // Either it was cancelled while starting, or it had started and was stopped: in both cases stop() returned.
    const outcome = await sandbox.mock('b4b').then(
      () => 'started',
      (error: Error) => error.name,
    );
    expect(['started', 'AbortError']).toContain(outcome);
    expect(
      descendants(process.pid)
        .filter((p) => p.cmdline.includes('prism'))
        .map((p) => p.cmdline),
    ).toEqual([]);
  }, 90_000);
});
