/**
 * Picks where shared state lives from configuration: `FINMCP_STATE_STORE=memory` (default: one process, nothing
 * to install) or a `redis://` / `rediss://` URL (several instances behind a load balancer; see
 * docs/deployment.md). Redis needs `FINMCP_STATE_KEY`, which encrypts what is stored; without it, start-up fails.
 */
import type { SessionEndReason, SessionRecord, SessionStore } from './session.js';
import { ConfigError, SETTINGS, type Settings } from '../config.js';
import type { Logger } from '../log.js';
import type { RateLimiter } from './rate-limit.js';
import { MemorySessionStore } from './session-store.js';
import { MemoryInteractionStore, type InteractionStore } from './interaction-store.js';
import { parseStateKey, SecretBox } from './secret-box.js';
import type { RedisConnection } from './redis-connection.js';

/** What the HTTP server needs from the state store. */
export interface StateStore {
  /** `memory`, or the Redis URL with its password redacted. */
  readonly kind: string;
  readonly sessions: SessionStore;
  /** Confirmation nonces and results, sign-in pages, pending questions (interaction-store.ts). */
  readonly interactions: InteractionStore;
  /** A limiter shared between instances; undefined means the server's own in-process buckets. */
  readonly rateLimiter: RateLimiter | undefined;
  /** Redis: the store's connection (the audit trail adds its stream `finmcp:audit` on it when FINMCP_AUDIT is on). */
  readonly redis?: RedisConnection;
  close(): Promise<void>;
}

/** Session and rate-limit settings, already read from configuration. */
export interface StateStoreLimits {
  idleTtlMs: number;
  maxSessions: number;
  /** Sessions one caller may hold (both stores; the store as a whole is capped by `maxSessions` in memory, `maxmemory` in Redis). */
  maxSessionsPerCaller: number;
  /** Called once a session has ended (both stores: DELETE and eviction; memory store: idle expiry too). */
  onSessionEnd: (sessionId: string, record: SessionRecord, reason: SessionEndReason) => void;
  /** Requests per caller per minute and the burst; undefined when rate limiting is off. */
  rateLimit: { perMinute: number; burst: number } | undefined;
}

/**
 * Checks the state settings without connecting: the Redis URL's form and the key. Run it before anything is
 * started so a missing key fails at once. Returns the Redis URL, or undefined for memory.
 */
export function checkStateSettings(settings: Settings): string | undefined {
  const choice = settings.read(SETTINGS.stateStore).trim();
  if (choice === 'memory') return undefined;
  if (!/^rediss?:\/\/[^/]/i.test(choice)) {
    throw new ConfigError('FINMCP_STATE_STORE must be `memory` or a redis:// or rediss:// URL');
  }
  parseStateKey(settings.read(SETTINGS.stateKey));
  return choice;
}

/** Creates the store that `FINMCP_STATE_STORE` names; Redis connects (or starts retrying) before this returns. */
export async function createStateStore(
  settings: Settings,
  limits: StateStoreLimits,
  logger: Logger,
): Promise<StateStore> {
  const url = checkStateSettings(settings);
  if (url === undefined) {
    const sessions = new MemorySessionStore({
      idleTtlMs: limits.idleTtlMs,
      maxSessions: limits.maxSessions,
      maxSessionsPerCaller: limits.maxSessionsPerCaller,
      onSessionEnd: limits.onSessionEnd,
    });
    return {
      kind: 'memory',
      sessions,
      interactions: new MemoryInteractionStore(),
      rateLimiter: undefined,
      close: async () => sessions.close(),
    };
  }
  const box = new SecretBox(parseStateKey(settings.read(SETTINGS.stateKey)));
  const { connectRedis, redactRedisUrl } = await import('./redis-connection.js');
  const { RedisSessionStore } = await import('./redis-store.js');
  const { RedisRateLimiter } = await import('./redis-rate-limit.js');
  const { RedisInteractionStore } = await import('./redis-interaction-store.js');
  const connection = await connectRedis({ url, commandTimeoutMs: settings.read(SETTINGS.stateTimeoutMs), logger });
  const sessions = new RedisSessionStore({
    connection,
    box,
    idleTtlMs: limits.idleTtlMs,
    maxSessionsPerCaller: limits.maxSessionsPerCaller,
    onSessionEnd: limits.onSessionEnd,
    logger,
  });
  const rateLimiter =
    limits.rateLimit === undefined ? undefined : new RedisRateLimiter({ ...limits.rateLimit, connection, box, logger });
  return {
    kind: redactRedisUrl(url),
    sessions,
    interactions: new RedisInteractionStore({ connection, box, logger }),
    rateLimiter,
    redis: connection,
    async close(): Promise<void> {
      rateLimiter?.close();
      await connection.close();
    },
  };
}
