/**
 * The per-call elicitors (src/protocol/elicitation.ts) and the sealed `requestState` (MCP 2026-07-28, Multi
 * Round-Trip Requests, Server Requirements 4–5): answers count only under state sealed by this process for the same
 * principal, backend, tool and arguments, unexpired, and carry a nonce and the answers of earlier rounds; anything
 * else does not open (the dispatch core refuses it with -32602). Client requests (sampling, roots) are sent only when
 * declared, else -32021. A key from
 * configuration is shared: another seal made from the same secret opens the state. Declared modes follow the
 * "Capabilities" rule (`elicitation: {}` = form only).
 */
import { describe, expect, it } from 'vitest';
import type { ElicitRequest } from '../../src/core/call-context.js';
import {
  LiveElicitor,
  RoundTripElicitor,
  callBinding,
  elicitationModes,
  type OpenedRetry,
} from '../../src/protocol/elicitation.js';
import { RequestStateSeal, REQUEST_STATE_TTL_MS } from '../../src/protocol/request-state.js';

const principal = { id: 'ann', scopes: [], claims: {} };
const binding = callBinding(principal, 'b4b', 'create_entity', { name: 'A', city: 'HCM' });
const form: ElicitRequest = { mode: 'form', message: 'Write?', requestedSchema: { type: 'object', properties: {} } };
const accepted = { confirm: { action: 'accept', content: { confirm: true } } };

describe('elicitationModes', () => {
  it.each([
    [{ elicitation: {} }, { form: true, url: false }],
    [{ elicitation: { form: {} } }, { form: true, url: false }],
    [{ elicitation: { url: {} } }, { form: false, url: true }],
    [{ elicitation: { form: {}, url: {} } }, { form: true, url: true }],
    [{}, undefined],
    [{ elicitation: true }, undefined],
    [undefined, undefined],
  ])('%j → %j', (capabilities, modes) => {
    expect(elicitationModes(capabilities)).toEqual(modes);
  });
});

const FORM = { form: true, url: false, sampling: false, roots: false };
const seal = new RequestStateSeal();
/** Pages opened under `base`, with ids page-1, page-2, … */
const pages = (base: string): { base: string; open(): Promise<string> } => {
  let n = 0;
  return { base, open: async () => `page-${++n}` };
};
/** The retry of a call answering `inputResponses` under `requestState` (which must open for `binding`). */
const retryOf = (requestState: string, inputResponses: unknown): OpenedRetry => ({
  state: seal.open(requestState, binding)!,
  inputResponses,
});
/** The `requestState` of an elicitor's `input_required` deferral. */
const stateOf = (elicitor: RoundTripElicitor): string =>
  (elicitor.deferral() as unknown as { result: { requestState: string } }).result.requestState;

describe('RoundTripElicitor', () => {
  it('asks with input_required and a sealed state carrying a nonce, then takes the answers it is given', async () => {
    const first = new RoundTripElicitor(FORM, binding, seal, undefined, undefined);
    expect(await first.ask('confirm', form)).toEqual({ action: 'pending' });
    const deferral = first.deferral();
    expect(deferral?.kind).toBe('input_required');
    const result = (deferral as unknown as { result: { inputRequests: unknown; requestState: string } }).result;
    expect(result.inputRequests).toEqual({
      confirm: {
        method: 'elicitation/create',
        params: { mode: 'form', message: 'Write?', requestedSchema: form.requestedSchema },
      },
    });
    expect(seal.open(result.requestState, binding)?.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const retry = new RoundTripElicitor(FORM, binding, seal, retryOf(result.requestState, accepted), undefined);
    expect(await retry.ask('confirm', form)).toEqual({ action: 'accept', content: { confirm: true } });
    expect(retry.deferral()).toBeUndefined();
  });

  it('offers URL mode only with a page base', () => {
    expect(
      new RoundTripElicitor(
        { form: false, url: true, sampling: false, roots: false },
        binding,
        seal,
        undefined,
        undefined,
      ).url,
    ).toBe(false);
    expect(
      new RoundTripElicitor(
        { form: false, url: true, sampling: false, roots: false },
        binding,
        seal,
        undefined,
        pages('http://localhost:1/b4b/elicitation'),
      ).url,
    ).toBe(true);
  });
});

describe('RequestStateSeal', () => {
  it.each([
    ['another principal', { ...binding, principalId: 'ben' }],
    ['another tool', { ...binding, tool: 'update_entity' }],
    ['other arguments', { ...binding, args: { name: 'B', city: 'HCM' } }],
  ])('does not open state sealed for %s', (_label, other) => {
    expect(seal.open(seal.seal(other, 'n1'), binding)).toBeUndefined();
  });

  it('opens to its nonce and answers whatever the member order of the arguments; refuses tampered, expired or foreign state', () => {
    const state = seal.seal(binding, 'n1');
    expect(seal.open(state, { ...binding, args: { city: 'HCM', name: 'A' } })).toEqual({ nonce: 'n1', answers: {} });
    for (const bad of [
      undefined,
      `${state}x`,
      `x${state}`,
      state.replace(/\.(.)/, (_m: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`),
    ]) {
      expect(seal.open(bad, binding)).toBeUndefined();
    }
    expect(seal.open(seal.seal(binding, 'n1', 0), binding, REQUEST_STATE_TTL_MS)).toBeUndefined();
    expect(new RequestStateSeal().open(state, binding)).toBeUndefined();
  });

  it("with a configured secret, every seal made from it opens every other one's state", () => {
    const secret = Buffer.alloc(32, 7);
    const state = new RequestStateSeal(secret).seal(binding, 'n2', Date.now(), { step1: { action: 'accept' } });
    expect(new RequestStateSeal(secret).open(state, binding)).toEqual({
      nonce: 'n2',
      answers: { step1: { action: 'accept' } },
    });
    expect(new RequestStateSeal(Buffer.alloc(32, 8)).open(state, binding)).toBeUndefined();
  });
});

describe('RoundTripElicitor over several rounds', () => {
  it('ignores answers without state (a first call)', async () => {
    const fresh = new RoundTripElicitor(FORM, binding, seal, undefined, undefined);
    expect(await fresh.ask('confirm', form)).toEqual({ action: 'pending' });
  });

  it("carries earlier rounds' answers in the state: a later round sees them all, each round with a fresh nonce", async () => {
    const first = new RoundTripElicitor(FORM, binding, seal, undefined, undefined);
    await first.ask('step1', form);
    const state1 = stateOf(first);
    const second = new RoundTripElicitor(
      FORM,
      binding,
      seal,
      retryOf(state1, { step1: { action: 'accept', content: { name: 'Ann' } } }),
      undefined,
    );
    expect(await second.ask('step1', form)).toEqual({ action: 'accept', content: { name: 'Ann' } });
    expect(await second.ask('step2', form)).toEqual({ action: 'pending' });
    const state2 = stateOf(second);
    expect(seal.open(state2, binding)?.nonce).not.toBe(seal.open(state1, binding)?.nonce);
    const third = new RoundTripElicitor(
      FORM,
      binding,
      seal,
      retryOf(state2, { step2: { action: 'accept', content: { color: 'red' } } }),
      undefined,
    );
    expect(await third.ask('step1', form)).toEqual({ action: 'accept', content: { name: 'Ann' } });
    expect(await third.ask('step2', form)).toEqual({ action: 'accept', content: { color: 'red' } });
    expect(third.deferral()).toBeUndefined();
  });

  it('sends sampling and roots requests the client declared, and refuses the others with -32021', async () => {
    const sampling = new RoundTripElicitor({ ...FORM, sampling: true }, binding, seal, undefined, undefined);
    expect(await sampling.request('sample', 'sampling/createMessage', { maxTokens: 5 })).toBeUndefined();
    await expect(sampling.request('roots', 'roots/list', {})).rejects.toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { roots: {} } },
    });
    expect((sampling.deferral() as unknown as { result: { inputRequests: unknown } }).result.inputRequests).toEqual({
      sample: { method: 'sampling/createMessage', params: { maxTokens: 5 } },
    });
  });

  it('never asks in a mode the client did not declare', async () => {
    const none = new RoundTripElicitor(
      { form: false, url: false, sampling: false, roots: false },
      binding,
      seal,
      undefined,
      undefined,
    );
    expect(await none.ask('confirm', form)).toEqual({ action: 'cancel' });
    expect(none.deferral()).toBeUndefined();
  });
});

describe('LiveElicitor', () => {
  it('sends form questions through the transport; an error answer or a malformed one is a cancel', async () => {
    const sent: unknown[] = [];
    const answers: unknown[] = [{ action: 'decline' }, { nonsense: true }];
    const live = new LiveElicitor(
      { form: true, url: false, sampling: false, roots: false },
      async (_m, params) => {
        sent.push(params);
        return answers.shift();
      },
      undefined,
      undefined,
    );
    expect(await live.ask('k', form)).toEqual({ action: 'decline' });
    expect(await live.ask('k', form)).toEqual({ action: 'cancel' });
    const failing = new LiveElicitor(
      { form: true, url: false, sampling: false, roots: false },
      async () => Promise.reject(new Error('x')),
      undefined,
      undefined,
    );
    expect(await failing.ask('k', form)).toEqual({ action: 'cancel' });
    expect(sent).toHaveLength(2);
  });

  it('cannot ask forms without a transport that sends requests; URL questions end the call with -32042', async () => {
    const live = new LiveElicitor(
      { form: true, url: true, sampling: false, roots: false },
      undefined,
      undefined,
      pages('http://h/b4b/elicitation'),
    );
    expect(await live.openPage('sign_in', {})).toBe('http://h/b4b/elicitation/page-1');
    expect(live.form).toBe(false);
    expect(
      await live.ask('s', { mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' }),
    ).toEqual({ action: 'pending' });
    expect(live.deferral()).toEqual({
      kind: 'error',
      error: expect.objectContaining({
        code: -32042,
        data: {
          elicitations: [{ mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' }],
        },
      }),
    });
  });
});
