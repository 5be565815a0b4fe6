/**
 * A {@link SessionStore} on Redis, so that several finmcp instances serve the same sessions and sign-ins
 * (MCP 2025-11-25, Basic / Transports, "Session Management": the server keeps per-session state; any instance
 * behind the load balancer may receive the next request).
 *
 * - Key `<prefix>s:<HMAC(id)>`: the session id (or caller-derived key) is never stored.
 * - Value: `<ttlMs>|` then the record as JSON sealed with AES-256-GCM, the key name (and TTL) as AAD. A dump of
 *   Redis shows no backend token, principal or session id, and a value moved to another key does not open.
 * - Idle TTL as in memory: `PX ttl` on write, and every `get` extends it by the record's own TTL (one Lua script:
 *   read and touch in one round trip).
 * - Unlike the memory store there is no `maxSessions` cap here: Redis' own `maxmemory` policy bounds it.
 */
import type { SessionRecord, SessionStore } from './session.js';
import type { RedisConnection } from './redis-connection.js';
import type { SecretBox } from './secret-box.js';
import { SETTINGS } from '../config.js';

/** Options for {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  connection: RedisConnection;
  box: SecretBox;
  /** Idle TTL of records stored without one; 30 minutes by default (as the memory store). */
  idleTtlMs?: number;
  /** Prefix of every key; `finmcp:` by default. */
  prefix?: string;
}

/** GET and, when found, PEXPIRE by the TTL written in front of the value; returns the value. */
const GET_AND_TOUCH = `
local value = redis.call('GET', KEYS[1])
if value then
  local ttl = tonumber(string.match(value, '^(%d+)|'))
  if ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return value`;

/** Separator between the plain TTL and the sealed record. */
const SEPARATOR = 0x7c; // '|'

/** The client with our script defined on it. */
interface ScriptedClient {
  finmcpGetAndTouchBuffer(key: string): Promise<Buffer | null>;
}

/** Session records in Redis, sealed; see the module comment for the layout. */
export class RedisSessionStore implements SessionStore {
  readonly #connection: RedisConnection;
  readonly #box: SecretBox;
  readonly #idleTtlMs: number;
  readonly #prefix: string;
  readonly #scripted: ScriptedClient;

  constructor(options: RedisSessionStoreOptions) {
    this.#connection = options.connection;
    this.#box = options.box;
    this.#idleTtlMs = options.idleTtlMs ?? SETTINGS.sessionIdleTtlMs.default;
    if (!Number.isFinite(this.#idleTtlMs) || this.#idleTtlMs < 1) throw new RangeError('the Redis store needs a finite idle TTL');
    this.#prefix = options.prefix ?? 'finmcp:';
    const client = options.connection.client;
    // defineCommand sends EVALSHA and falls back to EVAL once after a restart that emptied the script cache.
    if (!('finmcpGetAndTouch' in client)) client.defineCommand('finmcpGetAndTouch', { numberOfKeys: 1, lua: GET_AND_TOUCH });
    this.#scripted = client as unknown as ScriptedClient;
  }

  /** The Redis key of a session id. */
  keyOf(sessionId: string): string {
    return `${this.#prefix}s:${this.#box.name('session', sessionId)}`;
  }

  /** The record, its idle TTL extended; undefined when unknown, expired, or not sealed by our key. */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const key = this.keyOf(sessionId);
    const stored = await this.#connection.run(() => this.#scripted.finmcpGetAndTouchBuffer(key));
    if (stored === null) return undefined;
    const bar = stored.indexOf(SEPARATOR);
    if (bar <= 0) return undefined;
    // The TTL is authenticated too, so nobody with write access to Redis can make a session immortal unnoticed.
    const json = this.#box.open(stored.subarray(bar + 1), `${key}|${stored.toString('latin1', 0, bar)}`);
    return json === undefined ? undefined : (JSON.parse(json) as SessionRecord);
  }

  /** Stores (or replaces) a record for `ttlMs` (the idle TTL by default). */
  async set(sessionId: string, record: SessionRecord, ttlMs?: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs ?? this.#idleTtlMs));
    const key = this.keyOf(sessionId);
    const sealed = this.#box.seal(JSON.stringify(record), `${key}|${ttl}`);
    const value = Buffer.concat([Buffer.from(`${ttl}|`, 'latin1'), sealed]);
    await this.#connection.run(() => this.#connection.client.set(key, value, 'PX', ttl));
  }

  /** Ends a session; unknown ids are ignored. */
  async delete(sessionId: string): Promise<void> {
    const key = this.keyOf(sessionId);
    await this.#connection.run(() => this.#connection.client.del(key));
  }
}
