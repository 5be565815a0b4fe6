/**
 * In-memory session store for MCP sessions (MCP 2025-11-25, Basic / Transports, "Session Management").
 *
 * A session record is small (principal id, backend, state); the transports keep nothing else per session, so
 * memory per session stays in the hundreds of bytes. Sessions expire after an idle TTL (touched on every `get`).
 * The Map's insertion order is the recency order (a touch re-inserts), which makes eviction and the sweep cheap.
 *
 * Room is made so that no caller can end another caller's signed-in session (issue 14: opening sessions in a loop
 * used to evict everyone's backend login):
 * - each owner (principal, or anonymous principal + client address: see `SessionRecord.owner`) holds at most
 *   `maxSessionsPerCaller`; a new session beyond it evicts that owner's OWN least recently used session — the loop
 *   only ever ends its own sessions, and a client that lost track of its old sessions is never locked out;
 * - when the store as a whole is full, the least recently used session holding no state (never signed in, or
 *   signed out) is evicted; when every session holds state, the new session is refused with
 *   {@link SessionCapacityError} (HTTP 503): refusing a newcomer is recoverable, silently signing someone out is not.
 * Every ending (delete, expiry, eviction) is reported to `onSessionEnd`, e.g. to revoke a backend login.
 */
import type { SessionEndReason, SessionHandle, SessionRecord, SessionStore } from './session.js';
import { SETTINGS } from '../config.js';

/** Options for {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Idle time after which a session expires; 30 minutes by default. `Infinity` never expires. */
  idleTtlMs?: number;
  /** Most sessions held at once (see the module comment for what happens beyond it). 10,000 by default. */
  maxSessions?: number;
  /** Most sessions one owner holds; its own least recently used is evicted beyond it. 1,000 by default. */
  maxSessionsPerCaller?: number;
  /** How often expired sessions are swept (they also expire lazily on access); 60 s by default. */
  sweepIntervalMs?: number;
  /** Called synchronously once a session has ended and is gone from the store; must not throw. */
  onSessionEnd?: (sessionId: string, record: SessionRecord, reason: SessionEndReason) => void;
  /** Clock, for tests of expiry. */
  now?: () => number;
}

/** One stored session: the record, its owner and when it expires. */
interface Entry {
  record: SessionRecord;
  owner: string;
  ttlMs: number;
  expiresAt: number;
}

/** A new session was refused: the store is full of sessions that hold state. */
export class SessionCapacityError extends Error {
  override readonly name = 'SessionCapacityError';
  constructor(maxSessions: number) {
    super(`Service Unavailable: all ${maxSessions} sessions are in use; try again later`);
  }
}

/**
 * A {@link SessionStore} in process memory: idle TTL (touch on get), per-owner and global caps (see the module
 * comment), lazy expiry plus an unref'd sweep timer. Operations are O(1) except the periodic sweep and, when the
 * store is full, the search for a stateless session to evict.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  /** Session ids per owner, least recently used first (kept in step with {@link #entries}). */
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #idleTtlMs: number;
  readonly #maxSessions: number;
  readonly #maxPerOwner: number;
  readonly #onEnd: MemorySessionStoreOptions['onSessionEnd'];
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  /** Creates the store and starts its (unref'd) sweep timer. */
  constructor(options: MemorySessionStoreOptions = {}) {
    this.#idleTtlMs = options.idleTtlMs ?? SETTINGS.sessionIdleTtlMs.default;
    this.#maxSessions = Math.max(1, options.maxSessions ?? SETTINGS.maxSessions.default);
    this.#maxPerOwner = Math.max(1, options.maxSessionsPerCaller ?? SETTINGS.maxSessionsPerCaller.default);
    this.#onEnd = options.onSessionEnd;
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
      this.#end(sessionId, entry, 'expired');
      return undefined;
    }
    entry.expiresAt = now + entry.ttlMs;
    // Re-insert so that both orders stay least-recently-used first.
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, entry);
    const mine = this.#byOwner.get(entry.owner);
    mine?.delete(sessionId);
    mine?.add(sessionId);
    return entry.record;
  }

  /**
   * Stores (or replaces) a record. A new one may first evict its owner's least recently used session, or a
   * stateless one when the store is full; throws {@link SessionCapacityError} when there is no room.
   */
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
    const owner = record.owner ?? record.principalId;
    this.#makeRoom(owner);
    this.#entries.set(sessionId, { record, owner, ttlMs: ttl, expiresAt });
    let mine = this.#byOwner.get(owner);
    if (mine === undefined) this.#byOwner.set(owner, (mine = new Set()));
    mine.add(sessionId);
  }

  /** Ends a session; unknown ids are ignored. */
  async delete(sessionId: string): Promise<void> {
    const entry = this.#entries.get(sessionId);
    if (entry !== undefined) this.#end(sessionId, entry, 'deleted');
  }

  /** Drops every expired session; returns how many were dropped. Runs on the sweep timer. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    // Per-record TTLs may differ, so the whole map is scanned (10k entries take well under a millisecond).
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#end(id, entry, 'expired');
        dropped++;
      }
    }
    return dropped;
  }

  /** Stops the sweep timer and drops all sessions (server shutdown: no session-end hooks run). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
    this.#byOwner.clear();
  }

  /** Frees a place for a new session of `owner`, or throws {@link SessionCapacityError}. */
  #makeRoom(owner: string): void {
    const mine = this.#byOwner.get(owner);
    if (mine !== undefined && mine.size >= this.#maxPerOwner) {
      const oldest = mine.values().next().value as string;
      this.#end(oldest, this.#entries.get(oldest) as Entry, 'evicted');
      return;
    }
    if (this.#entries.size < this.#maxSessions) return;
    if (this.sweep() > 0) return;
    for (const [id, entry] of this.#entries) {
      if (!holdsState(entry.record)) {
        this.#end(id, entry, 'evicted');
        return;
      }
    }
    throw new SessionCapacityError(this.#maxSessions);
  }

  /** Removes a session from both indexes and reports its end. */
  #end(sessionId: string, entry: Entry, reason: SessionEndReason): void {
    this.#entries.delete(sessionId);
    const mine = this.#byOwner.get(entry.owner);
    if (mine !== undefined) {
      mine.delete(sessionId);
      if (mine.size === 0) this.#byOwner.delete(entry.owner);
    }
    this.#onEnd?.(sessionId, entry.record, reason);
  }
}

/**
 * Whether a session holds any state (e.g. a backend login) that ending it would lose. The protocol's own
 * bookkeeping (`mcp.*`: the client capabilities an `initialize` declared) does not count: otherwise merely
 * declaring a capability would make a session unevictable.
 */
function holdsState(record: SessionRecord): boolean {
  for (const key in record.state) if (record.state[key] !== undefined && !key.startsWith('mcp.')) return true;
  return false;
}

/**
 * A {@link SessionHandle} over one record: reads come from the record in hand (the store returned it for this
 * request), writes update it and store it again so that shared stores see the change — but only while the
 * session still exists: a session ended while a call ran (DELETE, idle expiry, eviction) stays ended, and a
 * late `login` cannot bring it back holding a live backend token.
 */
export function createSessionHandle(store: SessionStore, sessionId: string, record: SessionRecord): SessionHandle {
  return new StoredSessionHandle(store, sessionId, record);
}

/** The handle of {@link createSessionHandle}: one object per call, its methods shared. */
class StoredSessionHandle implements SessionHandle {
  readonly #store: SessionStore;
  readonly #sessionId: string;
  readonly #record: SessionRecord;

  constructor(store: SessionStore, sessionId: string, record: SessionRecord) {
    this.#store = store;
    this.#sessionId = sessionId;
    this.#record = record;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.#record.state[key] as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#record.state[key] = value;
    await this.#storeIfLive();
  }

  async clear(): Promise<void> {
    const { state } = this.#record;
    for (const key of Object.keys(state)) delete state[key];
    await this.#storeIfLive();
  }

  // A shared store should make this check-and-write one atomic "set if present" operation.
  async #storeIfLive(): Promise<void> {
    if ((await this.#store.get(this.#sessionId)) === undefined) return;
    await this.#store.set(this.#sessionId, this.#record);
  }
}
