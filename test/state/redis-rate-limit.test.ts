/**
 * The shared token bucket against a real redis-server: two limiters (as two instances) on two connections take
 * from one bucket per caller; while Redis is down each falls back to its own in-memory bucket (still a limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisConnection } from '../../src/state/redis-connection.js';
import { RedisRateLimiter } from '../../src/state/redis-rate-limit.js';
import { parseStateKey, SecretBox } from '../../src/state/secret-box.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { connectTo, dumpRedis, logger, newStateKey } from './helpers.js';

let redis: RedisServer;
const connections: RedisConnection[] = [];
const limiters: RedisRateLimiter[] = [];
const box = new SecretBox(parseStateKey(newStateKey()));

async function instance(perMinute: number, burst: number): Promise<RedisRateLimiter> {
  const connection = await connectTo(redis);
  connections.push(connection);
  const limiter = new RedisRateLimiter({ connection, box, logger, perMinute, burst });
  limiters.push(limiter);
  return limiter;
}

beforeAll(async () => {
  redis = await startRedisServer();
}, 60_000);

afterAll(async () => {
  for (const limiter of limiters) limiter.close();
  for (const connection of connections) await connection.close();
  await redis?.close();
});

describe('RedisRateLimiter', () => {
  it('holds one limit per caller across instances, with Retry-After in whole seconds', async () => {
    // One token a minute: refill cannot blur the count however slow the machine is.
    const a = await instance(1, 3);
    const b = await instance(1, 3);
    const answers = [
      await a.take('p:alice'),
      await b.take('p:alice'),
      await a.take('p:alice'),
      await b.take('p:alice'),
      await a.take('p:alice'),
    ];
    expect(answers.slice(0, 3)).toEqual([0, 0, 0]);
    for (const wait of answers.slice(3)) {
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
    }
    // Another caller has its own bucket.
    expect(await b.take('p:bob')).toBe(0);
  });

  it('takes tokens atomically under concurrency from both instances', async () => {
    const a = await instance(1, 10);
    const b = await instance(1, 10);
    const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).take('p:carol')));
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
  });

  it('keeps caller keys out of Redis (bucket names are HMACs)', async () => {
    const dump = await dumpRedis(redis);
    expect(dump).toContain('finmcp:r:');
    for (const name of ['alice', 'bob', 'carol']) expect(dump).not.toContain(name);
  });

  it('limits per instance while Redis is down, and shares again once it is back', async () => {
    const a = await instance(1, 2);
    await redis.stop();
    try {
      expect(await a.take('p:dave')).toBe(0);
      expect(await a.take('p:dave')).toBe(0);
      expect(await a.take('p:dave')).toBeGreaterThanOrEqual(1);
    } finally {
      await redis.start();
    }
    // Back on Redis (it restarted empty): each new caller's bucket appears there again.
    const buckets = async (): Promise<number> =>
      (await redis.cli('--scan', '--pattern', 'finmcp:r:*')).split('\n').filter((k) => k !== '').length;
    let caller = 0;
    expect(
      await eventually(async () => {
        await a.take(`p:erin-${caller++}`);
        return (await buckets()) > 0;
      }, 60_000),
    ).toBe(true);
  }, 120_000);
});
