/**
 * The interaction store (issue 21) in memory and on a real redis-server, with the same semantics: `claim` has one
 * winner among concurrent claimants, `increment` counts every concurrent call exactly once, `take` hands a value to
 * one taker, values expire, and Redis holds neither the ids nor the values in clear (a tampered value is absent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryInteractionStore, type InteractionStore } from '../../src/state/interaction-store.js';
import type { RedisConnection } from '../../src/state/redis-connection.js';
import { RedisInteractionStore } from '../../src/state/redis-interaction-store.js';
import { parseStateKey, SecretBox } from '../../src/state/secret-box.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { eventually } from '../helpers/ports.js';
import { connectTo, dumpRedis, logger, newStateKey } from './helpers.js';

let redis: RedisServer;
let connection: RedisConnection;
let onRedis: RedisInteractionStore;

beforeAll(async () => {
  redis = await startRedisServer();
  connection = await connectTo(redis);
  onRedis = new RedisInteractionStore({ connection, box: new SecretBox(parseStateKey(newStateKey())), logger });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await redis?.close();
});

const inMemory = new MemoryInteractionStore();

describe.each([
  ['memory', (): InteractionStore => inMemory],
  ['Redis', (): InteractionStore => onRedis],
])('%s interaction store', (_label, store) => {
  it('claim: one winner among 40 concurrent claimants; the value is readable, replaceable and deletable', async () => {
    const id = `n-${Math.random()}`;
    const won = await Promise.all(Array.from({ length: 40 }, (_v, i) => store().claim('nonce', id, `v${i}`, 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await store().get('nonce', id)).toBe(`v${won.indexOf(true)}`);
    await store().put('nonce', id, 'done', 60_000);
    expect(await store().get('nonce', id)).toBe('done');
    expect(await store().claim('nonce', id, 'again', 60_000)).toBe(false);
    await store().delete('nonce', id);
    expect(await store().claim('nonce', id, 'again', 60_000)).toBe(true);
  });

  it('increment: 40 concurrent increments count 1..40; take hands a value to exactly one taker; values expire', async () => {
    const id = `c-${Math.random()}`;
    const counts = await Promise.all(Array.from({ length: 40 }, () => store().increment('attempts', id, 60_000)));
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_v, i) => i + 1));
    await store().put('answer', id, 'yes', 60_000);
    const taken = await Promise.all(Array.from({ length: 10 }, () => store().take('answer', id)));
    expect(taken.filter((t) => t === 'yes')).toHaveLength(1);
    await store().put('short', id, 'x', 50);
    expect(await eventually(async () => (await store().get('short', id)) === undefined, 5_000)).toBe(true);
  });
});

describe('Redis interaction store at rest', () => {
  it('shows no id and no value in a dump; a value moved under another key does not open', async () => {
    await onRedis.put('page', 'page-id-in-clear', '{"phone":"+84909495665"}', 60_000);
    await onRedis.put('page', 'other-page', '{"phone":"other"}', 60_000);
    const dump = await dumpRedis(redis);
    expect(dump).toContain('finmcp:i:page:');
    for (const secret of ['page-id-in-clear', '+84909495665', 'phone']) expect(dump).not.toContain(secret);
    const keys = (await redis.cli('--scan', '--pattern', 'finmcp:i:page:*')).split('\n').filter((k) => k !== '');
    expect(keys).toHaveLength(2);
    await redis.cli('COPY', keys[0]!, keys[1]!, 'REPLACE');
    const opened = [await onRedis.get('page', 'page-id-in-clear'), await onRedis.get('page', 'other-page')];
    expect(opened.filter((v) => v === undefined)).toHaveLength(1);
  });
});
