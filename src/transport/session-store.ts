/**
 * In-memory session store for MCP sessions (MCP 2025-11-25, Basic / Transports, "Session Management").
 *
 * A session record is small (principal id, backend, state); the transports keep nothing else per session, so
 * memory per session stays in the hundreds of bytes. Sessions expire after an idle TTL (touched on every `get`)
 * and the least recently used one is evicted when `maxSessions` is reached. The Map's insertion order is the
 * recency order (a touch re-inserts), which makes both eviction and the expiry sweep cheap.
 */
import type { SessionHandle, SessionRecord, SessionStore } from '../contracts.js';

/** Options for {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Idle time after which a session expires; 30 minutes by default. `Infinity` never expires. */
  idleTtlMs?: number;
  /** Most sessions held at once; the least recently used is evicted beyond it. 10,000 by default. */
  maxSessions?: number;
  /** How often expired sessions are swept (they also expire lazily on access); 60 s by default. */
  sweepIntervalMs?: number;
  /** Clock, for tests of expiry. */
  now?: () => number;
}

/** One stored session: the record and when it expires. */
interface Entry {
  record: SessionRecord;
  ttlMs: number;
  expiresAt: number;
}

/** The default idle TTL: 30 minutes. */
export const DEFAULT_IDLE_TTL_MS = 30 * 60_000;
/** The default session cap. */
export const DEFAULT_MAX_SESSIONS = 10_000;

/**
 * A {@link SessionStore} in process memory: idle TTL (touch on get), LRU eviction at `maxSessions`, lazy expiry
 * plus an unref'd sweep timer. All operations are O(1) except the periodic sweep.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #idleTtlMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  /** Creates the store and starts its (unref'd) sweep timer. */
  constructor(options: MemorySessionStoreOptions = {}) {
    this.#idleTtlMs = options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS;
    this.#maxSessions = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
    this.#now = options.now ?? Date.now;
    if (Number.isFinite(this.#idleTtlMs)) {
      const every = options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, this.#idleTtlMs));
      this.#timer = setInterval(() => this.sweep(), every);
      // A store must never keep the process alive on its own.
      this.#timer.unref();
    }
  }

  /** Number of sessions held (expired ones not yet swept included). */
  get size(): number {
    return this.#entries.size;
  }

  /** Returns the record and extends its idle TTL; undefined when unknown or expired. */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    return this.getSync(sessionId);
  }

  /** Synchronous {@link get}, for callers in the request hot path. */
  getSync(sessionId: string): SessionRecord | undefined {
    const entry = this.#entries.get(sessionId);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (entry.expiresAt <= now) {
      this.#entries.delete(sessionId);
      return undefined;
    }
    entry.expiresAt = now + entry.ttlMs;
    // Re-insert so that Map order stays least-recently-used first.
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, entry);
    return entry.record;
  }

  /** Stores (or replaces) a record; evicts the least recently used session when full. */
  async set(sessionId: string, record: SessionRecord, ttlMs?: number): Promise<void> {
    const ttl = ttlMs ?? this.#idleTtlMs;
    const expiresAt = this.#now() + ttl;
    const existing = this.#entries.get(sessionId);
    if (existing !== undefined) {
      this.#entries.delete(sessionId);
      existing.record = record;
      existing.ttlMs = ttl;
      existing.expiresAt = expiresAt;
      this.#entries.set(sessionId, existing);
      return;
    }
    while (this.#entries.size >= this.#maxSessions) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(sessionId, { record, ttlMs: ttl, expiresAt });
  }

  /** Ends a session; unknown ids are ignored. */
  async delete(sessionId: string): Promise<void> {
    this.#entries.delete(sessionId);
  }

  /** Drops every expired session; returns how many were dropped. Runs on the sweep timer. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    // Per-record TTLs may differ, so the whole map is scanned (10k entries take well under a millisecond).
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Stops the sweep timer and drops all sessions. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
  }
}

/**
 * A {@link SessionHandle} over one record: reads come from the record in hand (the store returned it for this
 * request), writes update it and store it again so that shared stores see the change — but only while the
 * session still exists: a session ended while a call ran (DELETE, idle expiry, eviction) stays ended, and a
 * late `login` cannot bring it back holding a live backend token.
 */
export function createSessionHandle(store: SessionStore, sessionId: string, record: SessionRecord): SessionHandle {
  // A shared store should make this check-and-write one atomic "set if present" operation.
  const storeIfLive = async (): Promise<void> => {
    if ((await store.get(sessionId)) === undefined) return;
    await store.set(sessionId, record);
  };
  return {
    get<T = unknown>(key: string): T | undefined {
      return record.state[key] as T | undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      record.state[key] = value;
      await storeIfLive();
    },
    async clear(): Promise<void> {
      for (const key of Object.keys(record.state)) delete record.state[key];
      await storeIfLive();
    },
  };
}
