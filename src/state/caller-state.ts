/**
 * State that belongs to an authenticated caller rather than to a session (MCP 2026-07-28 has no protocol
 * sessions: "state that must outlive a call" is kept server-side and re-authorized on every call). The key is
 * derived from the backend and the principal the inbound credential proved (OAuth `sub`, API key id; the
 * anonymous principal when HTTP has no inbound credential, i.e. every loopback caller is one caller), so a
 * caller can only ever reach its own record. Records live in the same {@link SessionStore} as legacy sessions;
 * their keys cannot be presented as a session id (those are exactly 43 characters, these are longer).
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/inbound-auth.js';
import type { SessionHandle, SessionRecord, SessionStore } from './session.js';

/** Store key of a caller's record for one backend. */
export function callerKey(backend: string, principal: Principal): string {
  // Hashed: principal ids are bounded and never appear in store keys (or a Redis keyspace listing) in clear.
  const digest = createHash('sha256').update(backend).update('\u0000').update(principal.id).digest('base64url');
  return `caller:${backend}:${digest}`;
}

/**
 * The caller's state handle: reads come from the record as loaded for this request, writes store it again
 * (creating it on the first write). Two requests of one caller at once may each write; the last write wins,
 * which for a sign-in (the only state kept) is the sign-in the caller made last.
 */
export async function callerHandle(store: SessionStore, backend: string, principal: Principal): Promise<SessionHandle> {
  const key = callerKey(backend, principal);
  const found = await store.get(key);
  // A record under this key that names another principal can only be a hash collision or tampering: never use it.
  const record: SessionRecord =
    found !== undefined && found.principalId === principal.id && found.backend === backend
      ? found
      : { principalId: principal.id, backend, createdAt: Date.now(), state: {} };
  return {
    get<T = unknown>(name: string): T | undefined {
      return record.state[name] as T | undefined;
    },
    async set(name: string, value: unknown): Promise<void> {
      if (value === undefined) delete record.state[name];
      else record.state[name] = value;
      if (Object.keys(record.state).length === 0) await store.delete(key);
      else await store.set(key, record);
    },
    async clear(): Promise<void> {
      for (const name of Object.keys(record.state)) delete record.state[name];
      await store.delete(key);
    },
  };
}
