/**
 * A tool call's context (src/protocol/caller.ts): one shape whatever applies, its signal made from the call's
 * cancellation only when read, and its idempotency key — the claimed nonce, else a UUID made when first read —
 * the same on every read and in a spread copy.
 */
import { describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/protocol/call-abort.js';
import { ANONYMOUS_PRINCIPAL, buildCallContext, type Caller } from '../../src/protocol/caller.js';
import type { Elicitor } from '../../src/core/call-context.js';

const elicit = { form: false, url: false } as Elicitor;
const caller: Caller = { principal: ANONYMOUS_PRINCIPAL, requestId: 'req-1', tracestate: 'ignored-alone' };

describe('buildCallContext', () => {
  it('has every member, undefined where it does not apply', () => {
    const ctx = buildCallContext('acme', 'get', caller, undefined, new CallAbort(), elicit, undefined, undefined);
    expect(Object.keys(ctx).sort()).toEqual(
      [
        'backend',
        'cancel',
        'chargeRate',
        'elicit',
        'idempotencyKey',
        'principal',
        'report',
        'requestId',
        'session',
        'sessionId',
        'signal',
        'tool',
        'traceparent',
        'tracestate',
      ].sort(),
    );
    expect(ctx).toMatchObject({ backend: 'acme', tool: 'get', requestId: 'req-1', elicit });
    // A tracestate means nothing without its traceparent.
    expect(ctx.tracestate).toBeUndefined();
  });

  it('makes a fresh key once, keeps a claimed nonce, and a spread copy reads both', () => {
    const fresh = buildCallContext('acme', 'get', caller, undefined, new CallAbort(), elicit, undefined, undefined);
    const key = fresh.idempotencyKey;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.idempotencyKey).toBe(key);
    expect({ ...fresh }.idempotencyKey).toBe(key);
    const claimed = buildCallContext('acme', 'get', caller, undefined, new CallAbort(), elicit, 'nonce-1', undefined);
    expect(claimed.idempotencyKey).toBe('nonce-1');
    claimed.idempotencyKey = 'nonce-2';
    expect(claimed.idempotencyKey).toBe('nonce-2');
  });

  it('gives the cancellation signal when read, aborted with the call', () => {
    const cancel = new CallAbort();
    const ctx = buildCallContext(
      'acme',
      'get',
      { principal: ANONYMOUS_PRINCIPAL },
      undefined,
      cancel,
      elicit,
      undefined,
      undefined,
    );
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const signal = ctx.signal as AbortSignal;
    expect(signal.aborted).toBe(false);
    cancel.abort();
    expect(signal.aborted).toBe(true);
  });
});
