/**
 * A {@link SessionStore} on Redis, so that several finmcp instances serve the same sessions and sign-ins
 * (MCP 2025-11-25, Basic / Transports, "Session Management": the server keeps per-session state; any instance
 * behind the load balancer may receive the next request). It keeps the memory store's promises (issue 21):
 *
 * - Key `<prefix>s:<HMAC(id)>`: the session id (or caller-derived key) is never stored.
 * - Value: `<ttlMs>|<ownerTag>|` then the record as JSON sealed with AES-256-GCM (sealed-records.ts), the key name
 *   and that plain header as AAD. A dump of Redis shows no backend token, principal or session id, a value moved to another key
 *   does not open, and nobody with write access to Redis can change the TTL or the owner unnoticed. A value that
 *   fails to open is logged (`state_record_rejected`, with the key name — itself an HMAC digest — never the value)
 *   and treated as absent.
 * - Idle TTL as in memory: `PX ttl` on write, and every `get` extends it by the record's own TTL.
 * - Per-caller cap as in memory: each owner (`SessionRecord.owner`, else the principal) has a sorted set
 *   `<prefix>o:<HMAC(owner)>` of its session keys scored by expiry time, so least recently used first. A new
 *   session beyond `maxSessionsPerCaller` ends the owner's own least recently used one, in the same Lua script as
 *   the write, so concurrent opens on several instances cannot overshoot the cap.
 * - Ends as in memory: DELETE and eviction remove the record atomically (Lua: read, delete, unindex) and hand it to
 *   `onSessionEnd`, which revokes its backend login. Idle expiry is Redis' own `PX`, which tells nobody: a login
 *   whose session expired in Redis lapses at the backend by its own expiry.
 * - There is no global `maxSessions` cap here: Redis' own `maxmemory` policy bounds it (docs/deployment.md).
 *
 * The scripts touch the owner set named inside the value (not passed in `KEYS`): fine on one Redis or a
 * replicated pair, not on Redis Cluster, which finmcp does not support.
 */
import type { SessionEndReason, SessionRecord, SessionStore } from './session.js';
import type { RedisConnection } from './redis-connection.js';
import { SealedRecords, type SealedRedisOptions, withScripts } from './sealed-records.js';
import { SETTINGS } from '../config.js';

/** Options for {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends SealedRedisOptions {
  /** Idle TTL of records stored without one; 30 minutes by default (as the memory store). */
  idleTtlMs?: number;
  /** Most sessions one owner holds; its own least recently used is ended beyond it. 1,000 by default. */
  maxSessionsPerCaller?: number;
  /**
   * Called once a session was deleted or evicted and is gone from Redis; must not throw. An evicted session's id is
   * not known to Redis (only its HMAC), so eviction passes the store key ({@link keyOf}) in its place.
   */
  onSessionEnd?: (sessionId: string, record: SessionRecord, reason: SessionEndReason) => void;
}

/** Redis' clock in ms (scripts use it, so instances' clocks need not agree). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] session key; ARGV[1] owner-set prefix. GET and, when found, PEXPIRE by the TTL written in front of the
 * value and move the session to the most recent end of its owner's set; returns the value.
 */
const GET_AND_TOUCH = `
local value = redis.call('GET', KEYS[1])
if value then
  local ttl, owner = string.match(value, '^(%d+)|([%w_-]*)|')
  if ttl then
    ${NOW}
    redis.call('PEXPIRE', KEYS[1], ttl)
    if owner ~= '' then redis.call('ZADD', ARGV[1] .. owner, 'XX', now + tonumber(ttl), KEYS[1]) end
  end
end
return value`;

/**
 * KEYS[1] session key, KEYS[2] its owner's set; ARGV[1] value, ARGV[2] TTL ms, ARGV[3] cap. A key not yet in the
 * set first makes room: expired members are dropped, then the least recently used beyond the cap are deleted and
 * returned as a flat list `key, value, key, value…` (for their end hooks). Then the value is written and indexed.
 */
const SET_WITH_CAP = `
${NOW}
local ttl = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local ended = {}
if not redis.call('ZSCORE', KEYS[2], KEYS[1]) then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local extra = redis.call('ZCARD', KEYS[2]) - cap + 1
  if extra > 0 then
    for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do
      redis.call('ZREM', KEYS[2], key)
      local old = redis.call('GET', key)
      if old then
        redis.call('DEL', key)
        table.insert(ended, key)
        table.insert(ended, old)
      end
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return ended`;

/** KEYS[1] session key; ARGV[1] owner-set prefix. Deletes the record, unindexes it, and returns what it held. */
const TAKE = `
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('DEL', KEYS[1])
  local owner = string.match(value, '^%d+|([%w_-]*)|')
  if owner and owner ~= '' then redis.call('ZREM', ARGV[1] .. owner, KEYS[1]) end
end
return value`;

/** Separator between the plain header fields and the sealed record. */
const SEPARATOR = 0x7c; // '|'

/** The client with our scripts defined on it. */
interface ScriptedClient {
  finmcpGetAndTouchBuffer(key: string, ownerPrefix: string): Promise<Buffer | null>;
  finmcpSetWithCapBuffer(key: string, ownerSet: string, value: Buffer, ttlMs: number, cap: number): Promise<Buffer[]>;
  finmcpTakeBuffer(key: string, ownerPrefix: string): Promise<Buffer | null>;
}

/** Session records in Redis, sealed and capped per owner; see the module comment for the layout. */
export class RedisSessionStore implements SessionStore {
  readonly #connection: RedisConnection;
  readonly #records: SealedRecords;
  readonly #idleTtlMs: number;
  readonly #maxPerOwner: number;
  readonly #onEnd: RedisSessionStoreOptions['onSessionEnd'];
  readonly #scripted: ScriptedClient;

  constructor(options: RedisSessionStoreOptions) {
    this.#connection = options.connection;
    this.#records = new SealedRecords(options);
    this.#idleTtlMs = options.idleTtlMs ?? SETTINGS.sessionIdleTtlMs.default;
    if (!Number.isFinite(this.#idleTtlMs) || this.#idleTtlMs < 1)
      throw new RangeError('the Redis store needs a finite idle TTL');
    this.#maxPerOwner = Math.max(1, options.maxSessionsPerCaller ?? SETTINGS.maxSessionsPerCaller.default);
    this.#onEnd = options.onSessionEnd;
    this.#scripted = withScripts(options.connection, {
      finmcpGetAndTouch: { numberOfKeys: 1, lua: GET_AND_TOUCH },
      finmcpSetWithCap: { numberOfKeys: 2, lua: SET_WITH_CAP },
      finmcpTake: { numberOfKeys: 1, lua: TAKE },
    });
  }

  /** The Redis key of a session id. */
  keyOf(sessionId: string): string {
    return this.#records.key('s', 'session', sessionId);
  }

  /** The Redis key of an owner's set of sessions. */
  ownerKeyOf(owner: string): string {
    return this.#records.key('o', 'owner', owner);
  }

  /** The record, its idle TTL extended; undefined when unknown, expired, or not sealed by our key (logged). */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const key = this.keyOf(sessionId);
    const stored = await this.#connection.run(() =>
      this.#scripted.finmcpGetAndTouchBuffer(key, `${this.#records.prefix}o:`),
    );
    return stored === null ? undefined : this.#open(key, stored);
  }

  /**
   * Stores (or replaces) a record for `ttlMs` (the idle TTL by default). A new one beyond its owner's cap first
   * ends that owner's least recently used session (reported to `onSessionEnd` as `evicted`).
   */
  async set(sessionId: string, record: SessionRecord, ttlMs?: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs ?? this.#idleTtlMs));
    const key = this.keyOf(sessionId);
    const ownerTag = this.#records.digest('owner', record.owner ?? record.principalId);
    const header = `${ttl}|${ownerTag}`;
    const sealed = this.#records.seal(JSON.stringify(record), `${key}|${header}`);
    const value = Buffer.concat([Buffer.from(`${header}|`, 'latin1'), sealed]);
    const ended = await this.#connection.run(() =>
      this.#scripted.finmcpSetWithCapBuffer(key, `${this.#records.prefix}o:${ownerTag}`, value, ttl, this.#maxPerOwner),
    );
    for (let i = 0; i + 1 < ended.length; i += 2) {
      const endedKey = ended[i]!.toString('latin1');
      this.#ended(endedKey, endedKey, ended[i + 1]!, 'evicted');
    }
  }

  /** Ends a session (reported to `onSessionEnd` as `deleted`); unknown ids are ignored. */
  async delete(sessionId: string): Promise<void> {
    const key = this.keyOf(sessionId);
    const stored = await this.#connection.run(() => this.#scripted.finmcpTakeBuffer(key, `${this.#records.prefix}o:`));
    if (stored !== null) this.#ended(sessionId, key, stored, 'deleted');
  }

  /** Reports an ended session whose value opens. */
  #ended(sessionId: string, key: string, stored: Buffer, reason: SessionEndReason): void {
    const record = this.#open(key, stored);
    if (record !== undefined) this.#onEnd?.(sessionId, record, reason);
  }

  /** The record in a stored value; undefined (and a warning) when the value does not open under `key`. */
  #open(key: string, stored: Buffer): SessionRecord | undefined {
    // The header is `<ttl>|<ownerTag>`: the sealed part starts after the second separator.
    const first = stored.indexOf(SEPARATOR);
    const second = first <= 0 ? -1 : stored.indexOf(SEPARATOR, first + 1);
    // Without its header the value is empty, which opens under no key (and is reported as any other failure).
    const sealed = second < 0 ? Buffer.alloc(0) : stored.subarray(second + 1);
    const json = this.#records.open(key, sealed, `${key}|${stored.toString('latin1', 0, Math.max(0, second))}`);
    return json === undefined ? undefined : (JSON.parse(json) as SessionRecord);
  }
}
