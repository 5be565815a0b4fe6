/**
 * Issue 12 acceptance: finmcp processes sharing one real redis-server, a client spreading calls over them as a
 * load balancer would. Sign-ins, legacy `Mcp-Session-Id` sessions and the per-caller rate limit hold across
 * instances; a SIGKILLed instance loses no sign-in; a Redis outage gives clear 503s and service resumes by
 * itself; a dump of Redis shows no backend JWT, password or session id. Spawns the CLI (runs dist/).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { projectRoot } from '../../src/paths.js';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';
import { startFaultBackend, reply, type FaultBackend } from '../../testkit/fault-backend.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { dumpRedis, logger } from './helpers.js';
import { callTool, openSession, rpc, startInstance, type Instance } from './instances.js';

const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';
const ALICE = { apiKey: `alice-${randomBytes(12).toString('hex')}` };
const BOB = { apiKey: `bob-${randomBytes(12).toString('hex')}` };
// Callers of the rate-limit test only: the buckets it drains live in the shared Redis, so the other tests' callers
// must not be among them (a drained bucket would refuse their next calls on every instance).
const CAROL = { apiKey: `carol-${randomBytes(12).toString('hex')}` };
const DAVE = { apiKey: `dave-${randomBytes(12).toString('hex')}` };
// The caller of the 2026-07-28 test: its sign-in belongs to the principal, not to a session.
const ERIN = { apiKey: `erin-${randomBytes(12).toString('hex')}` };

let redis: RedisServer;
let prism: PrismServer;
let slowBackend: FaultBackend;
let env: Record<string, string>;
const instances: Instance[] = [];
const clients: Client[] = [];
let a: Instance;
let b: Instance;
const sessionIds: string[] = [];

async function start(name: string, backendUrl: string, extra: Record<string, string> = {}): Promise<Instance> {
  const instance = await startInstance(name, 'b4b', ['--backend-url', backendUrl], { ...env, ...extra });
  instances.push(instance);
  return instance;
}

/** A session opened on `first`, signed in there. */
async function signedInSession(first: Instance): Promise<{ apiKey: string; sessionId: string }> {
  const sessionId = await openSession(first.endpoint, ALICE.apiKey);
  sessionIds.push(sessionId);
  const caller = { ...ALICE, sessionId };
  const login = await callTool(first.endpoint, 'login', { phone: PHONE, password: PASSWORD }, caller);
  expect(login.isError, login.text).toBe(false);
  return caller;
}

beforeAll(async () => {
  [redis, prism, slowBackend] = await Promise.all([
    startRedisServer({ persistent: true }),
    startPrism({ specFile: join(projectRoot(), 'specs', 'b4b.yaml'), logger }),
    startFaultBackend(),
  ]);
  env = {
    FINMCP_STATE_STORE: redis.url,
    FINMCP_STATE_KEY: randomBytes(32).toString('base64'),
    FINMCP_API_KEYS: `alice:${ALICE.apiKey},bob:${BOB.apiKey},carol:${CAROL.apiKey},dave:${DAVE.apiKey},erin:${ERIN.apiKey}`,
  };
  [a, b] = await Promise.all([start('A', prism.url), start('B', prism.url)]);
}, 180_000);

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await Promise.all(instances.map((i) => i.stop()));
  await Promise.all([redis?.close(), prism?.stop(), slowBackend?.close()]);
});

describe('two instances sharing one Redis', () => {
  it('signs in on one instance and serves tools on the other; logout on the second ends the sign-in on the first', async () => {
    const caller = await signedInSession(a);
    const me = await callTool(b.endpoint, 'whoami', {}, caller);
    expect(me.isError, me.text).toBe(false);
    const entities = await callTool(b.endpoint, 'list_entities', {}, caller);
    expect(entities.isError, entities.text).toBe(false);
    const logout = await callTool(b.endpoint, 'logout', {}, caller);
    expect(logout.isError, logout.text).toBe(false);
    const after = await callTool(a.endpoint, 'list_entities', {}, caller);
    expect(after.isError).toBe(true);
    expect(after.text).toMatch(/Not logged in: call the `login` tool/);
  }, 60_000);

  it('keeps a 2026-07-28 sign-in per caller across instances: login on one, tools on the other, logout ends it on both', async () => {
    // No sessions in this era: each instance finds the caller's sign-in in Redis by the principal alone.
    const connect = async (instance: Instance): Promise<Client> => {
      const client = new Client(
        { name: `modern-${instance.name}`, version: '0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(instance.endpoint), {
          requestInit: { headers: { authorization: `Bearer ${ERIN.apiKey}` } },
        }),
      );
      clients.push(client);
      expect(client.getProtocolEra()).toBe('modern');
      return client;
    };
    // A successful result may leave `isError` out: normalise it so the assertions can fail both ways.
    const call = async (
      client: Client,
      name: string,
      args: Record<string, unknown> = {},
    ): Promise<ToolResult & { isError: boolean }> => {
      const result = (await client.callTool({ name, arguments: args })) as ToolResult;
      return { ...result, isError: result.isError === true };
    };
    const [onA, onB] = await Promise.all([connect(a), connect(b)]);
    expect((await call(onA, 'login', { phone: PHONE, password: PASSWORD })).isError).toBe(false);
    const entities = await call(onB, 'list_entities');
    expect(entities.isError, entities.content[0]?.text).toBe(false);
    expect((await call(onB, 'logout')).isError).toBe(false);
    const after = await call(onA, 'list_entities');
    expect(after.isError).toBe(true);
    expect(after.content[0]?.text).toMatch(/Not logged in/);
  }, 60_000);

  it('serves a legacy Mcp-Session-Id session on either instance, bound to its principal; DELETE on one ends it on both', async () => {
    const sessionId = await openSession(b.endpoint, ALICE.apiKey);
    const listed = await rpc(a.endpoint, { id: 1, method: 'tools/list' }, { ...ALICE, sessionId });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('list_entities');
    // Another caller presenting the id gets "not found", on either instance.
    expect((await rpc(a.endpoint, { id: 2, method: 'tools/list' }, { ...BOB, sessionId })).status).toBe(404);
    const ended = await fetch(a.endpoint, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ALICE.apiKey}`, 'mcp-session-id': sessionId },
    });
    expect(ended.status).toBe(204);
    expect((await rpc(b.endpoint, { id: 3, method: 'tools/list' }, { ...ALICE, sessionId })).status).toBe(404);
  }, 60_000);

  it('holds the rate limit per caller across both instances', async () => {
    // One request per minute: nothing refills during the test, however slow the machine.
    const limited = { FINMCP_RATE_LIMIT_PER_MINUTE: '1' };
    const [c, d] = await Promise.all([start('C', prism.url, limited), start('D', prism.url, limited)]);
    const ping = (instance: Instance, caller: { apiKey: string }): ReturnType<typeof rpc> =>
      rpc(instance.endpoint, { id: 1, method: 'ping' }, caller);
    // Without a session the stateful endpoint answers 400 — after admission, so 400 means "not rate limited".
    expect((await ping(c, CAROL)).status).toBe(400);
    const refused = await ping(d, CAROL);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await ping(c, CAROL)).status).toBe(429);
    // Another caller has their own limit.
    expect((await ping(d, DAVE)).status).toBe(400);
    expect((await ping(c, DAVE)).status).toBe(429);
    await Promise.all([c.stop(), d.stop()]);
  }, 120_000);

  it('loses no sign-in when an instance is SIGKILLed mid-call: its in-flight calls fail cleanly, the other serves on', async () => {
    // K's backend holds every entities request: those calls are surely in flight when K dies.
    slowBackend.script('/api/v1/entities', reply.hang());
    const k = await start('K', slowBackend.url);
    const caller = await signedInSession(a);
    const inFlight = [0, 1, 2].map(() =>
      callTool(k.endpoint, 'list_entities', {}, caller).then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
    expect(await eventually(() => slowBackend.requestsTo('/api/v1/entities').length === 3, 60_000)).toBe(true);
    // K read the sign-in made on A from Redis and sent it as the backend bearer token.
    for (const request of slowBackend.requestsTo('/api/v1/entities'))
      expect(request.headers['authorization']).toMatch(/^Bearer \S+/);
    await k.stop('SIGKILL');
    for (const outcome of await Promise.all(inFlight)) expect(outcome).toMatch(/fetch failed/);
    for (const instance of [b, a]) {
      const me = await callTool(instance.endpoint, 'whoami', {}, caller);
      expect(me.isError, me.text).toBe(false);
      const entities = await callTool(instance.endpoint, 'list_entities', {}, caller);
      expect(entities.isError, entities.text).toBe(false);
    }
  }, 120_000);

  it('answers 503 with Retry-After while Redis is down and resumes by itself, sign-in intact', async () => {
    const caller = await signedInSession(a);
    await redis.stop();
    try {
      const down = await rpc(
        b.endpoint,
        { id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
        caller,
      );
      expect(down.status).toBe(503);
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(down.body)).toMatch(/shared state store is unavailable \(Redis is not connected\)/);
      const init = await rpc(
        a.endpoint,
        {
          id: 2,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        ALICE,
      );
      expect(init.status).toBe(503);
      expect(init.headers.get('mcp-session-id')).toBeNull();
    } finally {
      await redis.start();
    }
    const resumed = await eventually(async () => {
      const me = await callTool(b.endpoint, 'whoami', {}, caller).catch(() => undefined);
      return me !== undefined && !me.isError;
    }, 60_000);
    expect(resumed).toBe(true);
    expect(a.process.exitCode).toBeNull();
    expect(b.process.exitCode).toBeNull();
  }, 120_000);

  it('keeps no backend JWT, password, phone or session id readable in Redis or in the logs', async () => {
    await signedInSession(b);
    const dump = await dumpRedis(redis);
    expect(dump).toContain('finmcp:s:');
    const secrets = [PASSWORD, PHONE, 'eyJ', 'accessToken', ALICE.apiKey, ...sessionIds];
    for (const secret of secrets) expect(dump, secret).not.toContain(secret);
    for (const instance of instances) {
      for (const secret of [PASSWORD, 'eyJ', ALICE.apiKey, ...sessionIds])
        expect(instance.logs(), `${instance.name}: ${secret}`).not.toContain(secret);
    }
  }, 60_000);
});
