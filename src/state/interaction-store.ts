/**
 * Interactive state that must survive the request and reach every instance (issue 21): confirmation nonces and the
 * results recorded with them, one-time sign-in pages and their attempt counters, pending 2025-11-25 questions and
 * their answers. Small string values with a TTL, by kind and id, and the two atomic operations the callers rely on:
 *
 * - {@link InteractionStore.claim}: "set if absent" (Redis `SET NX PX`), so exactly one of any number of concurrent
 *   requests, on any instance, wins a confirmation nonce;
 * - {@link InteractionStore.increment}: an atomic counter (Redis `INCR`), so an attempt is counted before the work
 *   it allows, whatever the concurrency.
 *
 * The memory store here has the same semantics within one process; the Redis one (redis-interaction-store.ts)
 * across instances. Both are reached through the state store (create-store.ts).
 */

/** Key/value state with TTLs and atomic claim and counter. */
export interface InteractionStore {
  /** Stores `value` under (`kind`, `id`) unless something is stored there; true when this call stored it. */
  claim(kind: string, id: string, value: string, ttlMs: number): Promise<boolean>;
  /** The value, or undefined when absent or expired. */
  get(kind: string, id: string): Promise<string | undefined>;
  /** Stores (or replaces) a value. */
  put(kind: string, id: string, value: string, ttlMs: number): Promise<void>;
  /** Reads and removes a value in one step: of concurrent takers, one gets it. */
  take(kind: string, id: string): Promise<string | undefined>;
  delete(kind: string, id: string): Promise<void>;
  /** Adds 1 to a counter (created at 0 with `ttlMs` when absent; its TTL is not extended) and returns the new count. */
  increment(kind: string, id: string, ttlMs: number): Promise<number>;
}

/** Most entries the memory store holds; beyond it the oldest goes first (pages and nonces expire in minutes anyway). */
const MAX_ENTRIES = 100_000;

interface Entry {
  value: string;
  expiresAt: number;
}

/** {@link InteractionStore} in this process's memory: one instance only. */
export class MemoryInteractionStore implements InteractionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async claim(kind: string, id: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(kind, id) !== undefined) return false;
    this.#set(kind, id, value, ttlMs);
    return true;
  }

  async get(kind: string, id: string): Promise<string | undefined> {
    return this.#live(kind, id)?.value;
  }

  async put(kind: string, id: string, value: string, ttlMs: number): Promise<void> {
    this.#set(kind, id, value, ttlMs);
  }

  async take(kind: string, id: string): Promise<string | undefined> {
    const entry = this.#live(kind, id);
    this.#entries.delete(keyOf(kind, id));
    return entry?.value;
  }

  async delete(kind: string, id: string): Promise<void> {
    this.#entries.delete(keyOf(kind, id));
  }

  async increment(kind: string, id: string, ttlMs: number): Promise<number> {
    const entry = this.#live(kind, id);
    if (entry === undefined) {
      this.#set(kind, id, '1', ttlMs);
      return 1;
    }
    entry.value = String(Number(entry.value) + 1);
    return Number(entry.value);
  }

  #live(kind: string, id: string): Entry | undefined {
    const key = keyOf(kind, id);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#now()) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #set(kind: string, id: string, value: string, ttlMs: number): void {
    const key = keyOf(kind, id);
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) this.#sweep();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, expiresAt: this.#now() + Math.max(1, ttlMs) });
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

function keyOf(kind: string, id: string): string {
  return `${kind}\u0000${id}`;
}
