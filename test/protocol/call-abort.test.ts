/**
 * A call's cancellation (src/protocol/call-abort.ts): listeners run once, removed ones never, and the web signal
 * is made only when read, aborted when the call is (before or after it was made).
 */
import { describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/protocol/call-abort.js';

describe('CallAbort', () => {
  it('runs its listeners once, not the removed ones, and aborts a signal read before', () => {
    const abort = new CallAbort();
    const calls: string[] = [];
    abort.onAbort(() => calls.push('a'));
    const stop = abort.onAbort(() => calls.push('b'));
    const signal = abort.signal;
    stop();
    expect(abort.aborted).toBe(false);
    abort.abort();
    abort.abort();
    expect(calls).toEqual(['a']);
    expect(abort.aborted).toBe(true);
    expect(signal.aborted).toBe(true);
  });

  it('gives an aborted signal when read after the abort, and runs a late listener at once', () => {
    const abort = new CallAbort();
    abort.abort();
    expect(abort.signal.aborted).toBe(true);
    let ran = false;
    abort.onAbort(() => {
      ran = true;
    })();
    expect(ran).toBe(true);
  });
});
