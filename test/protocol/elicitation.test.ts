/**
 * The per-call elicitors (src/protocol/elicitation.ts) and the sealed `requestState` (MCP 2026-07-28, Multi
 * Round-Trip Requests, Server Requirements 4–5): answers count only under state sealed by this process for the same
 * principal, backend, tool and arguments, unexpired, and carry a nonce; anything else asks again. A key from
 * configuration is shared: another seal made from the same secret opens the state. Declared modes follow the
 * "Capabilities" rule (`elicitation: {}` = form only).
 */
import { describe, expect, it } from 'vitest';
import type { ElicitRequest } from '../../src/core/call-context.js';
import { LiveElicitor, RoundTripElicitor, callBinding, elicitationModes } from '../../src/protocol/elicitation.js';
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

const seal = new RequestStateSeal();
/** Pages opened under `base`, with ids page-1, page-2, … */
const pages = (base: string): { base: string; open(): Promise<string> } => {
  let n = 0;
  return { base, open: async () => `page-${++n}` };
};

describe('RoundTripElicitor', () => {
  it('asks with input_required and a sealed state carrying a nonce, then takes the answers it is given', async () => {
    const first = new RoundTripElicitor({ form: true, url: false }, binding, seal, undefined, undefined);
    expect(await first.ask('confirm', form)).toEqual({ action: 'pending' });
    const deferral = first.deferral();
    expect(deferral?.kind).toBe('input_required');
    const result = (deferral as unknown as { result: { inputRequests: unknown; requestState: string } }).result;
    expect(result.inputRequests).toEqual({ confirm: { method: 'elicitation/create', params: { mode: 'form', message: 'Write?', requestedSchema: form.requestedSchema } } });
    expect(seal.open(result.requestState, binding)).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const retry = new RoundTripElicitor({ form: true, url: false }, binding, seal, accepted, undefined);
    expect(await retry.ask('confirm', form)).toEqual({ action: 'accept', content: { confirm: true } });
    expect(retry.deferral()).toBeUndefined();
  });

  it('offers URL mode only with a page base', () => {
    expect(new RoundTripElicitor({ form: false, url: true }, binding, seal, undefined, undefined).url).toBe(false);
    expect(new RoundTripElicitor({ form: false, url: true }, binding, seal, undefined, pages('http://localhost:1/b4b/elicitation')).url).toBe(true);
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

  it('opens to its nonce whatever the member order of the arguments; refuses tampered, expired or foreign state', () => {
    const state = seal.seal(binding, 'n1');
    expect(seal.open(state, { ...binding, args: { city: 'HCM', name: 'A' } })).toBe('n1');
    for (const bad of [undefined, `${state}x`, `x${state}`, state.replace(/\.(.)/, (_m: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`)]) {
      expect(seal.open(bad, binding)).toBeUndefined();
    }
    expect(seal.open(seal.seal(binding, 'n1', 0), binding, REQUEST_STATE_TTL_MS)).toBeUndefined();
    expect(new RequestStateSeal().open(state, binding)).toBeUndefined();
  });

  it('with a configured secret, every seal made from it opens every other one\'s state', () => {
    const secret = Buffer.alloc(32, 7);
    const state = new RequestStateSeal(secret).seal(binding, 'n2');
    expect(new RequestStateSeal(secret).open(state, binding)).toBe('n2');
    expect(new RequestStateSeal(Buffer.alloc(32, 8)).open(state, binding)).toBeUndefined();
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
    const live = new LiveElicitor({ form: true, url: true }, undefined, undefined, pages('http://h/b4b/elicitation'));
    expect(await live.openPage('sign_in', {})).toBe('http://h/b4b/elicitation/page-1');
    expect(live.form).toBe(false);
    expect(await live.ask('s', { mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' })).toEqual({ action: 'pending' });
    expect(live.deferral()).toEqual({
      kind: 'error',
      error: expect.objectContaining({ code: -32042, data: { elicitations: [{ mode: 'url', message: 'Sign in', url: 'http://h/b4b/elicitation/x', elicitationId: 'e' }] } }),
    });
  });
});
