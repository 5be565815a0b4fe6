/**
 * MemorySessionStore: idle TTL with touch on get, least-recently-used eviction at maxSessions, sweep, per-record
 * TTL; createSessionHandle writes through to the store.
 */
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/state/session.js';
import { createSessionHandle, MemorySessionStore, SessionCapacityError } from '../../src/state/session-store.js';

/** A record for session `n`. */
function rec(n: string): SessionRecord {
  return { principalId: `p-${n}`, backend: 'demo', createdAt: 0, state: {} };
}

/** Steps run against a store with a manual clock. */
type Step =
  | { set: string; ttlMs?: number }
  | { get: string }
  | { delete: string }
  | { advance: number }
  | { sweep: true };

const cases: Array<{
  name: string;
  options: { idleTtlMs?: number; maxSessions?: number };
  given: Step[];
  want: { live: string[]; dead: string[]; size?: number };
}> = [
  {
    name: 'a session lives until its idle TTL passes',
    options: { idleTtlMs: 1_000 },
    given: [{ set: 'a' }, { advance: 999 }],
    want: { live: ['a'], dead: [] },
  },
  {
    name: 'an idle session expires at its TTL',
    options: { idleTtlMs: 1_000 },
    given: [{ set: 'a' }, { advance: 1_000 }],
    want: { live: [], dead: ['a'] },
  },
  {
    name: 'get touches: activity keeps a session alive past its first TTL',
    options: { idleTtlMs: 1_000 },
    given: [{ set: 'a' }, { advance: 800 }, { get: 'a' }, { advance: 800 }, { get: 'a' }, { advance: 800 }],
    want: { live: ['a'], dead: [] },
  },
  {
    name: 'a per-record TTL overrides the idle TTL',
    options: { idleTtlMs: 1_000 },
    given: [{ set: 'a', ttlMs: 100 }, { set: 'b' }, { advance: 150 }],
    want: { live: ['b'], dead: ['a'] },
  },
  {
    name: 'the oldest session is evicted when full',
    options: { maxSessions: 2 },
    given: [{ set: 'a' }, { set: 'b' }, { set: 'c' }],
    want: { live: ['b', 'c'], dead: ['a'], size: 2 },
  },
  {
    name: 'eviction picks the least recently used, not the first created',
    options: { maxSessions: 2 },
    given: [{ set: 'a' }, { set: 'b' }, { get: 'a' }, { set: 'c' }],
    want: { live: ['a', 'c'], dead: ['b'], size: 2 },
  },
  {
    name: 'replacing a record does not evict anyone',
    options: { maxSessions: 2 },
    given: [{ set: 'a' }, { set: 'b' }, { set: 'a' }],
    want: { live: ['a', 'b'], dead: [], size: 2 },
  },
  {
    name: 'delete ends a session',
    options: {},
    given: [{ set: 'a' }, { set: 'b' }, { delete: 'a' }],
    want: { live: ['b'], dead: ['a'], size: 1 },
  },
  {
    name: 'sweep drops expired sessions without access',
    options: { idleTtlMs: 1_000 },
    given: [{ set: 'a' }, { advance: 500 }, { set: 'b' }, { advance: 600 }, { sweep: true }],
    want: { live: ['b'], dead: ['a'], size: 1 },
  },
  {
    name: 'Infinity never expires',
    options: { idleTtlMs: Number.POSITIVE_INFINITY },
    given: [{ set: 'a' }, { advance: 1e12 }, { sweep: true }],
    want: { live: ['a'], dead: [] },
  },
];

describe('MemorySessionStore', () => {
  it.each(cases)('$name', async ({ options, given, want }) => {
    let now = 1_000_000;
    const store = new MemorySessionStore({ ...options, now: () => now });
    try {
      for (const step of given) {
        if ('set' in step) await store.set(step.set, rec(step.set), step.ttlMs);
        else if ('get' in step) await store.get(step.get);
        else if ('delete' in step) await store.delete(step.delete);
        else if ('advance' in step) now += step.advance;
        else store.sweep();
      }
      if (want.size !== undefined) expect(store.size).toBe(want.size);
      for (const id of want.live) expect((await store.get(id))?.principalId).toBe(`p-${id}`);
      for (const id of want.dead) expect(await store.get(id)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('close drops every session', async () => {
    const store = new MemorySessionStore();
    await store.set('a', rec('a'));
    await store.close();
    expect(store.size).toBe(0);
    expect(await store.get('a')).toBeUndefined();
  });

  it('keeps 10,000 sessions in a few MB (well under 20 KB each)', async () => {
    const store = new MemorySessionStore();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      const id = `${'x'.repeat(35)}${String(i).padStart(8, '0')}`;
      await store.set(id, {
        principalId: `user-${i}`,
        backend: 'demo',
        createdAt: Date.now(),
        state: { token: 'x'.repeat(200) },
      });
    }
    const perSession = (process.memoryUsage().heapUsed - before) / 10_000;
    expect(store.size).toBe(10_000);
    expect(perSession).toBeLessThan(20 * 1024);
    await store.close();
  });
});

describe('createSessionHandle', () => {
  it('reads and writes the record and stores it again on every write', async () => {
    const store = new MemorySessionStore();
    const record = rec('a');
    await store.set('a', record);
    const handle = createSessionHandle(store, 'a', record);
    expect(handle.get('jwt')).toBeUndefined();
    await handle.set('jwt', 'abc');
    expect(handle.get<string>('jwt')).toBe('abc');
    expect((await store.get('a'))?.state).toEqual({ jwt: 'abc' });
    await handle.clear();
    expect(handle.get('jwt')).toBeUndefined();
    expect((await store.get('a'))?.state).toEqual({});
    await store.close();
  });

  it('does not bring an ended session back when state is written after it ended', async () => {
    const store = new MemorySessionStore();
    const record = rec('a');
    await store.set('a', record);
    const handle = createSessionHandle(store, 'a', record);
    await handle.set('k', 1);
    expect((await store.get('a'))?.state).toEqual({ k: 1 });
    await store.delete('a');
    await handle.set('token', 'late');
    await handle.clear();
    expect(await store.get('a')).toBeUndefined();
    await store.close();
  });
});

describe("MemorySessionStore caps: no caller can end another caller's signed-in session (issue 14)", () => {
  /** A record of `owner`; signed in when `token` is given. */
  const of = (owner: string, token?: string): SessionRecord => ({
    principalId: 'anonymous',
    owner,
    backend: 'demo',
    createdAt: 0,
    state: token === undefined ? {} : { token },
  });

  function storeWithLog(options: {
    maxSessions?: number;
    maxSessionsPerCaller?: number;
    idleTtlMs?: number;
    now?: () => number;
  }): {
    store: MemorySessionStore;
    ended: string[];
  } {
    const ended: string[] = [];
    const store = new MemorySessionStore({
      ...options,
      onSessionEnd: (id, _record, reason) => ended.push(`${id}:${reason}`),
    });
    return { store, ended };
  }

  it("a caller at its cap evicts its own least recently used session, never another caller's", async () => {
    const { store, ended } = storeWithLog({ maxSessionsPerCaller: 3 });
    await store.set('victim', of('anonymous@127.0.0.2', 'v-token'));
    for (let i = 0; i < 50; i++) await store.set(`loop-${i}`, of('anonymous@127.0.0.3', `t-${i}`));
    expect(await store.get('victim')).toBeDefined();
    for (let i = 0; i < 47; i++) expect(await store.get(`loop-${i}`)).toBeUndefined();
    for (let i = 47; i < 50; i++) expect(await store.get(`loop-${i}`)).toBeDefined();
    expect(ended).toEqual(Array.from({ length: 47 }, (_, i) => `loop-${i}:evicted`));
    await store.close();
  });

  it("the per-caller eviction picks that caller's least recently used session", async () => {
    const { store } = storeWithLog({ maxSessionsPerCaller: 2 });
    await store.set('a', of('p'));
    await store.set('b', of('p'));
    await store.get('a');
    await store.set('c', of('p'));
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('b')).toBeUndefined();
    await store.close();
  });

  it('a full store evicts the least recently used session holding no state, then refuses: signed-in sessions stay', async () => {
    const { store, ended } = storeWithLog({ maxSessions: 3, maxSessionsPerCaller: 10 });
    await store.set('signed-1', of('a', 't1'));
    await store.set('idle', of('b'));
    await store.set('signed-2', of('c', 't2'));
    await store.set('newcomer', of('d'));
    expect(ended).toEqual(['idle:evicted']);
    // Now every session but the newcomer's holds a login; the newcomer signs in too.
    (await store.get('newcomer'))!.state['token'] = 't3';
    await expect(store.set('one-more', of('e'))).rejects.toThrow(SessionCapacityError);
    await expect(store.set('one-more', of('e'))).rejects.toThrow(/all 3 sessions are in use/);
    for (const id of ['signed-1', 'signed-2', 'newcomer']) expect(await store.get(id)).toBeDefined();
    expect(store.size).toBe(3);
    await store.close();
  });

  it('client capabilities kept by initialize (mcp.*) do not make a session unevictable', async () => {
    const { store, ended } = storeWithLog({ maxSessions: 2, maxSessionsPerCaller: 10 });
    await store.set('declared', { ...of('a'), state: { 'mcp.clientCapabilities': { elicitation: {} } } });
    await store.set('signed', of('b', 't'));
    await store.set('newcomer', of('c'));
    expect(ended).toEqual(['declared:evicted']);
    await store.close();
  });

  it('a full store drops expired sessions before refusing', async () => {
    let now = 0;
    const { store, ended } = storeWithLog({ maxSessions: 2, idleTtlMs: 1_000, now: () => now });
    await store.set('a', of('a', 't'));
    now += 500;
    await store.set('b', of('b', 't'));
    now += 600;
    await store.set('c', of('c'));
    expect(ended).toEqual(['a:expired']);
    expect(await store.get('b')).toBeDefined();
    await store.close();
  });

  it('reports delete and lazy expiry to onSessionEnd with the last record', async () => {
    let now = 0;
    const seen: Array<[string, unknown, string]> = [];
    const store = new MemorySessionStore({
      idleTtlMs: 1_000,
      now: () => now,
      onSessionEnd: (id, r, why) => seen.push([id, r.state['token'], why]),
    });
    await store.set('x', of('o', 'tx'));
    await store.set('y', of('o', 'ty'));
    await store.delete('x');
    now += 1_000;
    expect(await store.get('y')).toBeUndefined();
    expect(seen).toEqual([
      ['x', 'tx', 'deleted'],
      ['y', 'ty', 'expired'],
    ]);
    await store.close();
  });

  it('records without an owner count against their principal', async () => {
    const { store } = storeWithLog({ maxSessionsPerCaller: 1 });
    await store.set('a', rec('a'));
    await store.set('a2', { ...rec('a') });
    await store.set('b', rec('b'));
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('a2')).toBeDefined();
    expect(await store.get('b')).toBeDefined();
    await store.close();
  });
});
