/**
 * Which tool calls leave an audit record and what their confirmation says (src/core/call-audit.ts), as a table; and
 * the watched elicitor: it notes form answers, and passes every other member through to the call's own elicitor,
 * bound to it (the protocol's elicitors are classes with private state).
 */
import { describe, expect, it } from 'vitest';
import type {
  CallContext,
  Cancellation,
  ClientRequestMethod,
  ElicitAnswer,
  ElicitRequest,
  Elicitor,
} from '../../src/core/call-context.js';
import { toolCallEntry, watchConfirmations, type FinishedCall } from '../../src/core/call-audit.js';
import { ANONYMOUS_PRINCIPAL, buildCallContext } from '../../src/protocol/caller.js';

const ctx: CallContext = {
  backend: 'b4b',
  tool: 'create_entity',
  requestId: 'req-1',
  principal: { id: 'alice', scopes: [], claims: {} },
};

function finished(over: Partial<FinishedCall>): FinishedCall {
  return {
    backend: 'b4b',
    tool: 'create_entity',
    args: { name: 'A' },
    ctx,
    outcome: 'ok',
    status: 201,
    attempts: 1,
    durationMs: 3,
    bound: undefined,
    secretNames: new Set(),
    secrets: [],
    answer: undefined,
    ...over,
  };
}

type Row = [name: string, over: Partial<FinishedCall>, recorded: boolean, confirmation: string | null];

const rows: Row[] = [
  ['a call that reached the backend', {}, true, null],
  ['a backend error', { outcome: 'backend_error', status: 500 }, true, null],
  [
    'an unreachable backend (attempts, no status)',
    { outcome: 'backend_unreachable', status: undefined, attempts: 3 },
    true,
    null,
  ],
  ['not signed in at the backend', { outcome: 'auth', status: undefined, attempts: 0 }, true, null],
  ['invalid arguments', { outcome: 'invalid_arguments', status: undefined, attempts: 0 }, false, null],
  ['an unknown tool', { outcome: 'unknown_tool', status: undefined, attempts: 0 }, false, null],
  [
    'waiting for the user (input_required)',
    { outcome: 'refused', status: undefined, attempts: 0, answer: 'pending' },
    false,
    null,
  ],
  ['confirmed and written', { answer: 'accept' }, true, 'confirmed'],
  [
    'accepted without the box: refused',
    { outcome: 'refused', status: undefined, attempts: 0, answer: 'accept' },
    true,
    'declined',
  ],
  ['declined', { outcome: 'refused', status: undefined, attempts: 0, answer: 'decline' }, true, 'declined'],
  ['dismissed', { outcome: 'refused', status: undefined, attempts: 0, answer: 'cancel' }, true, 'cancelled'],
  [
    'refused without asking (a bound property set by the model)',
    { outcome: 'refused', status: undefined, attempts: 0 },
    true,
    null,
  ],
];

describe('toolCallEntry', () => {
  it.each(rows)('%s', (_, over, recorded, confirmation) => {
    const entry = toolCallEntry(finished(over));
    if (!recorded) {
      expect(entry).toBeUndefined();
      return;
    }
    expect(entry).toMatchObject({
      event: 'tool_call',
      requestId: 'req-1',
      tool: 'create_entity',
      caller: { principal: 'alice', tenant: null },
      nonce: null,
    });
    expect(entry!.confirmation).toEqual(confirmation === null ? null : { outcome: confirmation, by: 'alice' });
  });

  it('records what the credentials bound as the tenant', () => {
    expect(toolCallEntry(finished({ bound: { organizationId: 'org-1' } }))!.caller.tenant).toEqual({
      organizationId: 'org-1',
    });
  });
});

/** An elicitor class with private state, as the protocol's are. */
class Asker implements Elicitor {
  readonly form = true;
  readonly url = false;
  readonly #answers: ElicitAnswer[];
  constructor(answers: ElicitAnswer[]) {
    this.#answers = answers;
  }
  async ask(_key: string, _request: ElicitRequest): Promise<ElicitAnswer> {
    return this.#answers.shift()!;
  }
  async openPage(kind: string, _data: Record<string, unknown>): Promise<string> {
    return `http://pages.example/${kind}/${this.#answers.length}`;
  }
  async request(key: string, method: ClientRequestMethod, _params: Record<string, unknown>): Promise<unknown> {
    return { key, method, left: this.#answers.length };
  }
  remaining(): number {
    return this.#answers.length;
  }
}

describe('watchConfirmations', () => {
  it('notes the last form answer, ignores URL sign-ins, and keeps the elicitor working', async () => {
    const inner = new Asker([
      { action: 'decline' },
      { action: 'accept', content: { confirm: true } },
      { action: 'cancel' },
    ]);
    const watch = watchConfirmations({ ...ctx, elicit: inner });
    const elicit = watch.ctx.elicit as unknown as Asker;
    expect(elicit.form).toBe(true);
    expect(await elicit.ask('a', { mode: 'form', message: 'm', requestedSchema: {} })).toEqual({ action: 'decline' });
    expect(await elicit.ask('b', { mode: 'form', message: 'm', requestedSchema: {} })).toMatchObject({
      action: 'accept',
    });
    expect(watch.last).toBe('accept');
    await elicit.ask('c', { mode: 'url', message: 'sign in', url: 'http://x', elicitationId: 'e' });
    expect(watch.last).toBe('accept');
    expect(elicit.remaining()).toBe(0);
    expect(await elicit.openPage('sign-in', {})).toBe('http://pages.example/sign-in/0');
    // Sampling and roots requests are no confirmations: passed through to the call's own elicitor.
    expect(await elicit.request('r', 'roots/list', {})).toEqual({ key: 'r', method: 'roots/list', left: 0 });
    expect(watch.last).toBe('accept');
  });

  it("copies the context with its lazy members: no signal made, one idempotency key shared with the call's", () => {
    let signalsMade = 0;
    const cancel = {
      get signal(): AbortSignal {
        signalsMade++;
        return new AbortController().signal;
      },
    } as unknown as Cancellation;
    const call = buildCallContext(
      'acme',
      'get',
      { principal: ANONYMOUS_PRINCIPAL },
      undefined,
      cancel,
      new Asker([]),
      undefined,
      undefined,
    );
    const watch = watchConfirmations(call);
    expect(signalsMade, 'watching makes no AbortSignal').toBe(0);
    expect(watch.ctx === call).toBe(false);
    expect(watch.ctx.idempotencyKey).toBe(call.idempotencyKey);
    watch.ctx.idempotencyKey = 'nonce-1';
    expect(call.idempotencyKey).toBe('nonce-1');
    expect(Object.keys(watch.ctx)).toEqual(Object.keys(call));
    expect({ ...watch.ctx }.idempotencyKey, 'a spread of the copy still reads the key').toBe('nonce-1');
  });

  it('leaves a context without an elicitor as it is', () => {
    expect(watchConfirmations(ctx)).toEqual({ ctx, last: undefined });
  });
});
