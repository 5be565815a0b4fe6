/**
 * The exactly-once guard (src/protocol/once.ts) on the memory interaction store: one claimant executes; a replay
 * waits for the first answer and gets it; a replay whose first execution outlasts the wait learns it is still in
 * progress (never "go ahead"); an answer too large to keep is replaced by its size; a released claim can be taken.
 */
import { describe, expect, it } from 'vitest';
import { OnceGuard } from '../../src/protocol/once.js';
import { MemoryInteractionStore } from '../../src/state/interaction-store.js';

describe('OnceGuard', () => {
  it('one of many concurrent claimants executes; the others wait for and get its answer', async () => {
    const guard = new OnceGuard(new MemoryInteractionStore(), 10_000);
    const claims = Array.from({ length: 10 }, () => guard.claim('n1'));
    const first = await claims[0]!;
    expect(first).toEqual({ first: true });
    setTimeout(() => void guard.record('n1', { result: '{"ok":true}' }), 150);
    for (const replay of await Promise.all(claims.slice(1)))
      expect(replay).toEqual({ first: false, answer: { result: '{"ok":true}' } });
  });

  it('a replay that outwaits the first execution gets no answer (still in progress); a huge answer is kept as its size', async () => {
    const guard = new OnceGuard(new MemoryInteractionStore(), 250);
    expect(await guard.claim('n2')).toEqual({ first: true });
    expect(await guard.claim('n2')).toEqual({ first: false, answer: undefined });
    await guard.record('n2', { result: 'x'.repeat(70_000) });
    expect(await guard.claim('n2')).toEqual({ first: false, answer: { tooLarge: 70_000 } });
  });

  it('a released claim (the tool never started) can be claimed again', async () => {
    const guard = new OnceGuard(new MemoryInteractionStore(), 100);
    expect(await guard.claim('n3')).toEqual({ first: true });
    await guard.release('n3');
    expect(await guard.claim('n3')).toEqual({ first: true });
  });
});
