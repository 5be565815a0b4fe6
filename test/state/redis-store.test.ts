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
  return {
    principalId: 'api-key:alice',
    backend: 'b4b',
    createdAt: 1,
    state: { 'b4b.auth': { accessToken: token, email: 'alice@example.com' } },
  };
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

  it("sets the idle TTL on write and extends it on every get (touch), by the record's own TTL", async () => {
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
    const other = new RedisSessionStore({
      connection,
      box: new SecretBox(parseStateKey(newStateKey())),
      idleTtlMs: 60_000,
    });
    await other.set('shared-id', record());
    // Another key names the id differently and cannot open the value even at the right name.
    expect(await store.get('shared-id')).toBeUndefined();
    await connection.client.set(
      store.keyOf('shared-id'),
      (await connection.client.getBuffer(other.keyOf('shared-id')))!,
      'PX',
      60_000,
    );
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
    const resumed = await eventually(
      async () =>
        await store.get('x').then(
          () => true,
          () => false,
        ),
      60_000,
    );
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
      expect(
        await eventually(
          async () =>
            lateStore.get('x').then(
              () => true,
              () => false,
            ),
          60_000,
        ),
      ).toBe(true);
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
    expect(
      await eventually(
        async () =>
          await hungStore.get('alive').then(
            (r) => r !== undefined,
            () => false,
          ),
        60_000,
      ),
    ).toBe(true);
    await quick.close();
  }, 120_000);
});

describe('RedisSessionStore: the per-caller cap, session ends and rejected records (issue 21)', () => {
  it("keeps at most the cap of one owner's 3,000 sessions opened at once from two instances, ending its own oldest", async () => {
    const ended: Array<{ id: string; reason: string; principal: string }> = [];
    const onSessionEnd = (id: string, rec: SessionRecord, reason: string): void =>
      void ended.push({ id, reason, principal: rec.principalId });
    const second = await connectTo(redis);
    try {
      const one = new RedisSessionStore({
        connection,
        box,
        idleTtlMs: 60_000,
        maxSessionsPerCaller: 1_000,
        onSessionEnd,
      });
      const two = new RedisSessionStore({
        connection: second,
        box,
        idleTtlMs: 60_000,
        maxSessionsPerCaller: 1_000,
        onSessionEnd,
      });
      const other = { ...record(), principalId: 'api-key:bob' };
      await one.set('bob-1', other);
      const flood = { ...record(), principalId: 'api-key:mallory' };
      // 3,000 opens, 100 at a time alternating between the two "instances": the cap holds under concurrency.
      for (let batch = 0; batch < 30; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? one : two).set(`m-${batch * 100 + i}`, flood)),
        );
      }
      expect(Number(await redis.cli('ZCARD', one.ownerKeyOf('api-key:mallory')))).toBe(1_000);
      let live = 0;
      for (let i = 0; i < 3_000; i++) if ((await connection.client.exists(one.keyOf(`m-${i}`))) === 1) live++;
      expect(live).toBe(1_000);
      expect(ended).toHaveLength(2_000);
      expect(new Set(ended.map((e) => e.reason))).toEqual(new Set(['evicted']));
      expect(new Set(ended.map((e) => e.principal))).toEqual(new Set(['api-key:mallory']));
      // The newest survive: the last batch is whole; another caller's session is untouched.
      for (let i = 2_900; i < 3_000; i++) expect(await one.get(`m-${i}`), `m-${i}`).toBeDefined();
      expect(await one.get('bob-1')).toEqual(other);
    } finally {
      await second.close();
    }
  }, 180_000);

  it('evicts the least recently used: a session read since survives the one opened before it', async () => {
    const ended: string[] = [];
    const capped = new RedisSessionStore({
      connection,
      box,
      idleTtlMs: 60_000,
      maxSessionsPerCaller: 2,
      onSessionEnd: (id) => void ended.push(id),
    });
    const owned = { ...record(), principalId: 'api-key:lru' };
    await capped.set('lru-1', owned);
    await new Promise((r) => setTimeout(r, 5));
    await capped.set('lru-2', owned);
    await new Promise((r) => setTimeout(r, 5));
    await capped.get('lru-1');
    await capped.set('lru-1', owned); // replacing an existing session evicts nothing
    expect(ended).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    await capped.set('lru-3', owned);
    // lru-1 was read after lru-2 was opened: lru-2 is the least recently used.
    expect(ended).toEqual([capped.keyOf('lru-2')]);
    expect(await capped.get('lru-2')).toBeUndefined();
    expect(await capped.get('lru-1')).toBeDefined();
  });

  it("hands a deleted record to onSessionEnd (backend logout) and takes it out of its owner's set", async () => {
    const ended: Array<[string, SessionRecord, string]> = [];
    const hooked = new RedisSessionStore({
      connection,
      box,
      idleTtlMs: 60_000,
      onSessionEnd: (id, rec, reason) => void ended.push([id, rec, reason]),
    });
    await hooked.set('to-delete', record());
    await hooked.delete('to-delete');
    await hooked.delete('to-delete');
    expect(ended).toEqual([['to-delete', record(), 'deleted']]);
    expect(await connection.client.zscore(hooked.ownerKeyOf('api-key:alice'), hooked.keyOf('to-delete'))).toBeNull();
  });

  it('logs a warning naming the key (an HMAC digest, never the value) when a record fails authentication', async () => {
    const { captureLog } = await import('../helpers/log-capture.js');
    const log = captureLog('warn');
    const watched = new RedisSessionStore({ connection, box, idleTtlMs: 60_000, logger: log.logger });
    await watched.set('tampered', record());
    const key = watched.keyOf('tampered');
    const raw = (await connection.client.getBuffer(key))!;
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    await connection.client.set(key, raw, 'PX', 60_000);
    expect(await watched.get('tampered')).toBeUndefined();
    // A value whose plain TTL was raised (to make a session immortal) fails too.
    await watched.set('longer', record());
    const longer = (await connection.client.getBuffer(watched.keyOf('longer')))!;
    await connection.client.set(watched.keyOf('longer'), Buffer.concat([Buffer.from('9'), longer]), 'PX', 60_000);
    expect(await watched.get('longer')).toBeUndefined();
    log.logger.flush();
    const warnings = log.lines().filter((l) => l['event'] === 'state_record_rejected');
    expect(warnings.map((w) => w['key'])).toEqual([key, watched.keyOf('longer')]);
    expect(warnings[0]!['level']).toBe(40);
    const text = log.raw.join('');
    expect(text).not.toContain(raw.toString('base64'));
    for (const secret of [JWT, 'tampered', 'alice']) expect(text).not.toContain(secret);
  });
});
