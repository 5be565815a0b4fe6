/**
 * One Redis connection (ioredis) shared by the session store and the rate limiter, configured so that a
 * missing or hung Redis never holds a request: no offline queue (a command while disconnected fails at once),
 * every command bounded by a timeout, reconnection forever with capped backoff, and connection errors logged
 * once per outage instead of thrown. Failures reach callers as {@link StateUnavailableError}.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { StateUnavailableError } from './state-unavailable.js';

/** Options for {@link connectRedis}. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL (user, password and database number as in the URL). */
  url: string;
  /** Longest a single command may take; 1000 ms by default. */
  commandTimeoutMs?: number;
  /** How long {@link connectRedis} waits for the first connection before serving anyway; 5000 ms by default. */
  startupWaitMs?: number;
  logger: Logger;
}

/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** A connected (or reconnecting) client and how to end it. */
export interface RedisConnection {
  readonly client: Redis;
  /** Runs one command, turning any failure into a {@link StateUnavailableError}. */
  run<T>(command: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The URL with its password replaced, for logs and errors. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/**
 * Creates the client and waits (up to `startupWaitMs`) for it to be ready. A Redis still down after that is
 * logged, not fatal: state-dependent calls answer "unavailable" until it is reachable, stateless ones serve.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisConnection> {
  const { logger } = options;
  const where = redactRedisUrl(options.url);
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 2_000),
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
    // The URL's TLS (`rediss://`) and credentials are taken as given; nothing else is read from the environment.
    lazyConnect: true,
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ store: where, err: { message: error.message } }, 'state store unreachable; reconnecting');
  });
  client.on('ready', () => {
    if (down) logger.info({ store: where }, 'state store reachable again');
    down = false;
  });

  const ready = client.connect().then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([
    ready,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), options.startupWaitMs ?? 5_000);
    }),
  ]);
  clearTimeout(timer);
  if (waited) logger.info({ store: where }, 'state store connected');
  else logger.warn({ store: where }, 'state store not reachable at start-up; serving, and retrying in the background');

  return {
    client,
    async run<T>(command: () => Promise<T>): Promise<T> {
      if (client.status !== 'ready') throw new StateUnavailableError('Redis is not connected');
      try {
        return await command();
      } catch (error) {
        throw new StateUnavailableError(describe(error, commandTimeoutMs));
      }
    },
    async close(): Promise<void> {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** A short cause for an ioredis failure (its messages hold no credentials). */
function describe(error: unknown, commandTimeoutMs: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return `Redis did not answer within ${commandTimeoutMs} ms`;
  if (/writeable|closed|ECONNREFUSED|ECONNRESET|EPIPE/i.test(message)) return 'Redis is not connected';
  return `Redis error: ${message.slice(0, 120)}`;
}
