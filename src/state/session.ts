/**
 * MCP sessions as the state layer keeps them: one record per session (the principal it is bound to and the
 * backend state kept for it), the store interface the memory (session-store.ts) and Redis (redis-store.ts) stores
 * implement, and the handle a tool call reads and writes its session's state through.
 */

/** Per-session key/value state (e.g. a backend JWT). Lives behind {@link SessionStore}, never in a transport. */
type SessionState = Record<string, unknown>;

/**
 * Storage for per-session state. The in-memory default evicts idle and oldest sessions; a shared store
 * (Redis, …) can implement the same interface so several instances serve one session.
 */
export interface SessionStore {
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** {@link get} without a promise, offered by a store that answers from memory (the request path then waits for nothing). */
  getSync?(sessionId: string): SessionRecord | undefined;
  set(sessionId: string, record: SessionRecord, ttlMs?: number): Promise<void>;
  delete(sessionId: string): Promise<void>;
}

/** One session: the principal it is bound to and the backend state kept for it. */
export interface SessionRecord {
  principalId: string;
  /**
   * Whose session quota it counts against: the principal id, or for the anonymous principal (no inbound
   * credential: everyone is `anonymous`) the principal and the client address. `principalId` when unset.
   */
  owner?: string;
  backend: string;
  createdAt: number;
  state: SessionState;
}

/** Why a session ended: the client's DELETE, its idle TTL, or eviction to make room for another. */
export type SessionEndReason = 'deleted' | 'expired' | 'evicted';

/** Access to the current session's state. */
export interface SessionHandle {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): Promise<void>;
  clear(): Promise<void>;
}
