/**
 * The per-call elicitors (src/protocol/elicitation.ts) and the sealed `requestState` (MCP 2026-07-28, Multi
 * Round-Trip Requests, Server Requirements 4–5): answers count only under state sealed by this process for the same
 * principal, backend, tool and arguments, unexpired; anything else asks again. Declared modes follow the
 * "Capabilities" rule (`elicitation: {}` = form only).
 */
import { describe, expect, it } from 'vitest';
import type { ElicitRequest } from '../../src/core/call-context.js';
import { LiveElicitor, RoundTripElicitor, callBinding, elicitationModes } from '../../src/protocol/elicitation.js';
import { openRequestState, sealRequestState, REQUEST_STATE_TTL_MS } from '../../src/protocol/request-state.js';

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

describe('RoundTripElicitor', () => {
  it('asks with input_required and a sealed state, then takes the answer of the retry', async () => {
    const first = new RoundTripElicitor({ form: true, url: false }, binding, {}, undefined);
    expect(await first.ask('confirm', form)).toEqual({ action: 'pending' });
    const deferral = first.deferral();
    expect(deferral?.kind).toBe('input_required');
    const result = (deferral as unknown as { result: { inputRequests: unknown; requestState: string } }).result;
    expect(result.inputRequests).toEqual({ confirm: { method: 'elicitation/create', params: { mode: 'form', message: 'Write?', requestedSchema: form.requestedSchema } } });

    const retry = new RoundTripElicitor({ form: true, url: false }, binding, { inputResponses: accepted, requestState: result.requestState }, undefined);
    expect(await retry.ask('confirm', form)).toEqual({ action: 'accept', content: { confirm: true } });
    expect(retry.deferral()).toBeUndefined();
  });

  it.each([
    ['another principal', { ...binding, principalId: 'ben' }],
    ['another tool', { ...binding, tool: 'update_entity' }],
    ['other arguments', { ...binding, args: { name: 'B', city: 'HCM' } }],
  ])('ignores answers under state sealed for %s, and asks again', async (_label, other) => {
    const state = sealRequestState(other);
    const retry = new RoundTripElicitor({ form: true, url: false }, binding, { inputResponses: accepted, requestState: state }, undefined);
    expect(await retry.ask('confirm', form)).toEqual({ action: 'pending' });
  });

  it('ignores answers without state, with tampered or expired state; member order of the arguments does not matter', async () => {
    const state = sealRequestState(binding);
    for (const bad of [undefined, `${state}x`, `x${state}`, state.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`)]) {
      const retry = new RoundTripElicitor({ form: true, url: false }, binding, { inputResponses: accepted, requestState: bad }, undefined);
      expect(await retry.ask('confirm', form)).toEqual({ action: 'pending' });
    }
    expect(openRequestState(sealRequestState(binding, 0), binding, REQUEST_STATE_TTL_MS)).toBe(false);
    expect(openRequestState(state, { ...binding, args: { city: 'HCM', name: 'A' } })).toBe(true);
  });

  it('offers URL mode only with a page base', () => {
    expect(new RoundTripElicitor({ form: false, url: true }, binding, {}, undefined).url).toBe(false);
    expect(new RoundTripElicitor({ form: false, url: true }, binding, {}, 'http://localhost:1/b4b/elicitation').url).toBe(true);
  });
});

describe('LiveElicitor', () => {
  it('sends form questions through the transport; an error answer or a malformed one is a cancel', async () => {
    const sent: unknown[] = [];
    const answers: unknown[] = [{ action: 'decline' }, { nonsense: true }];
    const live = new LiveElicitor({ form: true, url: false }, async (_m, params) => {
      sent.push(params);
      return answers.shift();
    }, undefined, undefined);
    expect(await live.ask('k', form)).toEqual({ action: 'decline' });
    expect(await live.ask('k', form)).toEqual({ action: 'cancel' });
    const failing = new LiveElicitor({ form: true, url: false }, async () => Promise.reject(new Error('x')), undefined, undefined);
    expect(await failing.ask('k', form)).toEqual({ action: 'cancel' });
    expect(sent).toHaveLength(2);
  });

  it('cannot ask forms without a transport that sends requests; URL questions end the call with -32042', async () => {
    const live = new LiveElicitor({ form: true, url: true }, undefined, undefined, 'http://h/b4b/elicitation');
    expect(live.form).toBe(false);
    expect(await live.ask('s', { mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' })).toEqual({ action: 'pending' });
    expect(live.deferral()).toEqual({
      kind: 'error',
      error: expect.objectContaining({ code: -32042, data: { elicitations: [{ mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' }] } }),
    });
  });
});
