/**
 * Shared pieces of the state tests: a state key, a silent logger, a connection to a test redis-server, and a
 * dump of everything Redis holds (as `redis-cli --scan` + `GET`/`HGETALL`/`ZRANGE` show it).
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/log.js';
import { connectRedis, type RedisConnection } from '../../src/state/redis-connection.js';
import type { RedisServer } from '../helpers/redis-server.js';

export const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

/** A fresh FINMCP_STATE_KEY value. */
export function newStateKey(): string {
  return randomBytes(32).toString('base64');
}

/** A connection to `redis` with a generous command timeout (the machine is shared and slow). */
export function connectTo(redis: RedisServer, commandTimeoutMs = 5_000): Promise<RedisConnection> {
  return connectRedis({ url: redis.url, commandTimeoutMs, logger });
}

/** Every key and its value(s), read with redis-cli the way someone holding a dump would. */
export async function dumpRedis(redis: RedisServer): Promise<string> {
  const keys = (await redis.cli('--scan')).split('\n').filter((k) => k !== '');
  const parts: string[] = [];
  for (const key of keys) {
    const type = (await redis.cli('TYPE', key)).trim();
    const value =
      type === 'hash'
        ? await redis.cli('--no-raw', 'HGETALL', key)
        : type === 'zset'
          ? await redis.cli('--no-raw', 'ZRANGE', key, '0', '-1', 'WITHSCORES')
          : await redis.cli('--no-raw', 'GET', key);
    parts.push(`${key} (${type}) = ${value}`);
  }
  return parts.join('\n');
}
