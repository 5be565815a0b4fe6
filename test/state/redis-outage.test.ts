/**
 * Redis failing under a running server (in-process `startServers`, real redis-server): stateless FinOpps keeps
 * serving while B4B answers 503 with `Retry-After`; a state write failing inside a tool call becomes a tool error
 * naming the cause (MCP Tools / Error Handling), and the server recovers by itself.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specScopes } from '../../src/auth/scopes.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { backendLoaders } from '../../generated/index.gen.js';
import { startFaultBackend, reply, type FaultBackend } from '../../testkit/fault-backend.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { logger } from './helpers.js';
import { callTool, openSession, rpc } from './instances.js';

const API_KEY = `k-${randomBytes(12).toString('hex')}`;
let redis: RedisServer;
let fault: FaultBackend;
let sandboxed: RunningServers;
let faulty: RunningServers;
let token: string;

/**
 * `port: '0'` picks a free port before the sandbox starts and binds it after, seconds later on a loaded machine:
 * a test running in parallel may take it in between. Such a lost race is retried; any other error is not.
 */
async function startRetryingPortRaces(start: () => Promise<RunningServers>): Promise<RunningServers> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

beforeAll(async () => {
  [redis, fault] = await Promise.all([startRedisServer(), startFaultBackend()]);
  const state = {
    FINMCP_STATE_STORE: redis.url,
    FINMCP_STATE_KEY: randomBytes(32).toString('base64'),
    FINMCP_STATE_TIMEOUT_MS: '500',
  };
  sandboxed = await startRetryingPortRaces(() =>
    startServers(
      ['finopps', 'b4b'],
      { transport: 'http', port: '0', sandbox: true },
      new Settings({ ...state, FINMCP_SANDBOX_AUTH_PORT: '0' }),
      logger,
    ),
  );
  faulty = await startRetryingPortRaces(() =>
    startServers(
      ['b4b'],
      { transport: 'http', port: '0', backendUrl: fault.url },
      new Settings({ ...state, FINMCP_API_KEYS: `alice:${API_KEY}` }),
      logger,
    ),
  );
  const finopps = await backendLoaders['finopps']!();
  token = await obtainSandboxToken({
    issuer: sandboxed.sandboxIssuer!,
    user: 'alice',
    resource: sandboxed.endpoints['finopps']!,
    scopes: specScopes(finopps),
  });
}, 180_000);

afterAll(async () => {
  await sandboxed?.close();
  await faulty?.close();
  await Promise.all([redis?.close(), fault?.close()]);
});

describe('Redis outage', () => {
  it('keeps FinOpps (stateless) serving while B4B answers 503 + Retry-After, and B4B resumes by itself', async () => {
    const b4bSession = await openSession(sandboxed.endpoints['b4b']!, 'unused');
    await redis.stop();
    try {
      const finopps = await rpc(
        sandboxed.endpoints['finopps']!,
        { id: 1, method: 'tools/call', params: { name: 'list_invoices', arguments: {} } },
        { apiKey: token },
      );
      expect(finopps.status).toBe(200);
      expect(JSON.stringify(finopps.body)).not.toContain('"isError":true');
      const b4b = await rpc(
        sandboxed.endpoints['b4b']!,
        { id: 2, method: 'tools/list' },
        { apiKey: 'unused', sessionId: b4bSession },
      );
      expect(b4b.status).toBe(503);
      expect(b4b.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(JSON.stringify(b4b.body)).toMatch(/Service Unavailable: The shared state store is unavailable/);
    } finally {
      await redis.start();
    }
    // The store restarted empty (no persistence here): the old session is gone, a new one works.
    expect(
      await eventually(async () => {
        const fresh = await openSession(sandboxed.endpoints['b4b']!, 'unused').catch(() => undefined);
        return fresh !== undefined;
      }, 60_000),
    ).toBe(true);
  }, 120_000);

  it('turns a state write failing inside `login` into a tool error naming the cause; the next call works', async () => {
    const endpoint = faulty.endpoints['b4b']!;
    const caller = { apiKey: API_KEY, sessionId: await openSession(endpoint, API_KEY) };
    // The backend answers the login only once Redis has been frozen (held, not timed: a loaded machine may take
    // seconds to get there), so storing the sign-in times out.
    let release!: () => void;
    const frozen = new Promise<void>((resolve) => (release = resolve));
    fault.script(
      '/api/v1/auth/login',
      reply.after(frozen, reply.json(200, { access_token: 'opaque-backend-token', expires_in: 3600 })),
      reply.json(200, { access_token: 'opaque-backend-token', expires_in: 3600 }),
    );
    const login = callTool(endpoint, 'login', { phone: '+84909495665', password: 'SecurePassword123@' }, caller);
    expect(await eventually(() => fault.requestsTo('/api/v1/auth/login').length === 1, 30_000)).toBe(true);
    process.kill(redis.pid!, 'SIGSTOP');
    release();
    let result: { isError: boolean; text: string };
    try {
      result = await login;
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /The shared state store is unavailable \(Redis did not answer within 500 ms\); try again in a few seconds\./,
    );
    expect(result.text).not.toContain('opaque-backend-token');
    const again = await callTool(endpoint, 'login', { phone: '+84909495665', password: 'SecurePassword123@' }, caller);
    expect(again.isError, again.text).toBe(false);
  }, 120_000);
});
