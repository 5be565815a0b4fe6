/**
 * Per-caller state (src/state/caller-state.ts): keys derived from backend and principal, never a session id's
 * shape, and a record naming another principal is never used.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/inbound-auth.js';
import { callerHandle, callerKey } from '../../src/state/caller-state.js';
import { MemorySessionStore } from '../../src/state/session-store.js';

const ann: Principal = { id: 'ann', scopes: [], claims: {} };
const ben: Principal = { id: 'ben', scopes: [], claims: {} };

describe('caller state', () => {
  it('keys differ per principal and per backend, and are never 43 characters (a session id)', () => {
    const keys = [callerKey('b4b', ann), callerKey('b4b', ben), callerKey('other', ann)];
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(key.length).not.toBe(43);
    expect(keys[0]).not.toContain('ann');
  });

  it('stores on write, deletes when emptied, and serves only its own principal', async () => {
    const store = new MemorySessionStore();
    const handle = await callerHandle(store, 'b4b', ann);
    expect(handle.get('token')).toBeUndefined();
    expect(store.size).toBe(0);
    await handle.set('token', 't-ann');
    expect((await callerHandle(store, 'b4b', ann)).get('token')).toBe('t-ann');
    expect((await callerHandle(store, 'b4b', ben)).get('token')).toBeUndefined();
    // A record under ann's key that names someone else (tampering) is ignored.
    await store.set(callerKey('b4b', ann), {
      principalId: 'mallory',
      backend: 'b4b',
      createdAt: 0,
      state: { token: 'stolen' },
    });
    expect((await callerHandle(store, 'b4b', ann)).get('token')).toBeUndefined();
    await store.set(callerKey('b4b', ann), { principalId: 'ann', backend: 'b4b', createdAt: 0, state: { token: 't' } });
    await (await callerHandle(store, 'b4b', ann)).set('token', undefined);
    expect(store.size).toBe(0);
    await store.close();
  });
});
