/**
 * The Redis session store against a real redis-server: round trip, idle TTL touched on get, records sealed
 * (AES-256-GCM, key name as AAD) under HMAC'd key names, and clear errors — never a hang — when Redis is down
 * or hung, with service resuming by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/state/session.js';
import { connectRedis, type RedisConnection } from '../../src/state/redis-connection.js';
import { RedisSessionStore } from '../../src/state/redis-store.js';
import { parseStateKey, SecretBox } from '../../src/state/secret-box.js';
import { StateUnavailableError } from '../../src/state/state-unavailable.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { connectTo, dumpRedis, logger, newStateKey } from './helpers.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const SESSION_ID = 'S3ss10n-1d-that-must-never-appear-in-redis-xx';

function record(token = JWT): SessionRecord {
  return { principalId: 'api-key:alice', backend: 'b4b', createdAt: 1, state: { 'b4b.auth': { accessToken: token, email: 'alice@example.com' } } };
}

let redis: RedisServer;
let connection: RedisConnection;
let store: RedisSessionStore;
const box = new SecretBox(parseStateKey(newStateKey()));

beforeAll(async () => {
  redis = await startRedisServer();
  connection = await connectTo(redis);
  store = new RedisSessionStore({ connection, box, idleTtlMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await redis?.close();
});

describe('RedisSessionStore', () => {
  it('stores, reads back and deletes a record', async () => {
    await store.set(SESSION_ID, record());
    expect(await store.get(SESSION_ID)).toEqual(record());
    await store.delete(SESSION_ID);
    expect(await store.get(SESSION_ID)).toBeUndefined();
    expect(await store.get('never-stored')).toBeUndefined();
  });

  it('sets the idle TTL on write and extends it on every get (touch), by the record\'s own TTL', async () => {
    await store.set('touch-me', record(), 120_000);
    const key = store.keyOf('touch-me');
    expect(Number(await redis.cli('PTTL', key))).toBeGreaterThan(60_000);
    await redis.cli('PEXPIRE', key, '5000');
    expect(Number(await redis.cli('PTTL', key))).toBeLessThanOrEqual(5_000);
    await store.get('touch-me');
    expect(Number(await redis.cli('PTTL', key))).toBeGreaterThan(60_000);
    await store.set('default-ttl', record());
    const ttl = Number(await redis.cli('PTTL', store.keyOf('default-ttl')));
    expect(ttl).toBeGreaterThan(5_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keeps no backend JWT, password, principal or session id readable in Redis (redis-cli --scan + GET)', async () => {
    await store.set(SESSION_ID, { ...record(), state: { ...record().state, note: 'password=SecurePassword123@' } });
    const dump = await dumpRedis(redis);
    expect(dump).toContain('finmcp:s:');
    for (const secret of [JWT, 'eyJ', SESSION_ID, 'SecurePassword123@', 'alice', 'b4b.auth', 'accessToken']) {
      expect(dump, secret).not.toContain(secret);
    }
  });

  it('refuses a value moved under another key (the key name is authenticated) and one sealed with another key', async () => {
    await store.set('victim', record('victim-token'));
    await store.set('attacker', record('attacker-token'));
    const raw = await connection.client.getBuffer(store.keyOf('attacker'));
    await connection.client.set(store.keyOf('victim'), raw!, 'PX', 60_000);
    expect(await store.get('victim')).toBeUndefined();
    const other = new RedisSessionStore({ connection, box: new SecretBox(parseStateKey(newStateKey())), idleTtlMs: 60_000 });
    await other.set('shared-id', record());
    // Another key names the id differently and cannot open the value even at the right name.
    expect(await store.get('shared-id')).toBeUndefined();
    await connection.client.set(store.keyOf('shared-id'), (await connection.client.getBuffer(other.keyOf('shared-id')))!, 'PX', 60_000);
    expect(await store.get('shared-id')).toBeUndefined();
  });

  it('answers a clear error while Redis is down and resumes by itself once it is back', async () => {
    await redis.stop();
    const failure = await store.get(SESSION_ID).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StateUnavailableError);
    expect((failure as Error).message).toMatch(/shared state store is unavailable \(Redis is not connected\)/);
    await expect(store.set('x', record())).rejects.toBeInstanceOf(StateUnavailableError);
    await redis.start();
    const resumed = await eventually(async () => (await store.get('x').then(() => true, () => false)), 60_000);
    expect(resumed).toBe(true);
  }, 120_000);

  it('starts while Redis is down (calls fail clearly) and connects by itself once Redis is up', async () => {
    await redis.stop();
    let late: RedisConnection | undefined;
    try {
      late = await connectRedis({ url: redis.url, commandTimeoutMs: 5_000, startupWaitMs: 200, logger });
      const lateStore = new RedisSessionStore({ connection: late, box, idleTtlMs: 60_000 });
      await expect(lateStore.get(SESSION_ID)).rejects.toThrow(/Redis is not connected/);
      await redis.start();
      expect(await eventually(async () => lateStore.get('x').then(() => true, () => false), 60_000)).toBe(true);
    } finally {
      await redis.start();
      await late?.close();
    }
  }, 120_000);

  it('bounds every command by the timeout: a hung Redis gives an error, not a hung call', async () => {
    const quick = await connectTo(redis, 300);
    const hungStore = new RedisSessionStore({ connection: quick, box, idleTtlMs: 60_000 });
    await hungStore.set('alive', record());
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      await expect(hungStore.get('alive')).rejects.toThrow(/did not answer within 300 ms/);
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    expect(await eventually(async () => (await hungStore.get('alive').then((r) => r !== undefined, () => false)), 60_000)).toBe(true);
    await quick.close();
  }, 120_000);
});
