/**
 * B4B writes confirmed by the user (issue 16): the question names backend, account, request and exactly what is
 * sent (a long XML document in part, with its length and SHA-256); only an accepted, checked box lets the write
 * through; a client that cannot be asked passes unless B4B_REQUIRE_CONFIRMATION refuses.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ElicitAnswer } from '../../../src/core/call-context.js';
import { B4B_WRITES, confirmWrite, type ConfirmationSettings } from '../../../src/overrides/b4b/confirm-write.js';
import { answeringUser, b4bContext, b4bSession } from './context.js';

const ENTITY = '550e8400-e29b-41d4-a716-446655440000';
const SETTINGS: ConfirmationSettings = {
  backendLabel: 'Finizi B4B at https://api.b4b.example',
  requireConfirmation: false,
};
const UPDATE = { entity_id: ENTITY, name: 'Acme Vietnam' };

describe('confirmWrite: the user answers', () => {
  const cases: Array<{ name: string; answer: ElicitAnswer; refusal?: RegExp }> = [
    { name: 'accepted with the box checked: sent', answer: { action: 'accept', content: { confirm: true } } },
    {
      name: 'accepted with the box unchecked',
      answer: { action: 'accept', content: { confirm: false } },
      refusal: /^Not written: the user declined "Update a business entity"/,
    },
    { name: 'accepted without content', answer: { action: 'accept' }, refusal: /^Not written: the user declined/ },
    { name: 'declined', answer: { action: 'decline' }, refusal: /^Not written: the user declined.*Nothing was sent/ },
    {
      name: 'cancelled',
      answer: { action: 'cancel' },
      refusal: /^Not written: the user dismissed.*call the tool again/,
    },
    {
      name: 'pending (asked with the answer)',
      answer: { action: 'pending' },
      refusal: /^Waiting for the user to confirm/,
    },
  ];

  it.each(cases)('$name', async ({ answer, refusal }) => {
    const user = answeringUser(answer);
    const check = confirmWrite('update_entity', B4B_WRITES['update_entity']!, SETTINGS);
    const verdict = await check(UPDATE, b4bContext('update_entity', { elicit: user }));
    if (refusal === undefined) expect(verdict).toBeUndefined();
    else expect(verdict).toMatch(refusal);
    expect(user.asked.map((q) => q.key)).toEqual(['confirm_update_entity']);
  });
});

describe('confirmWrite: the question', () => {
  it('names the backend, the signed-in account, the request and exactly the JSON that will be sent', async () => {
    const user = answeringUser({ action: 'decline' });
    const session = await b4bSession({ accessToken: 'jwt', email: 'an.nguyen@b4b.example' });
    await confirmWrite(
      'update_entity',
      B4B_WRITES['update_entity']!,
      SETTINGS,
    )(UPDATE, b4bContext('update_entity', { elicit: user, session }));
    const [question] = user.asked;
    expect(question?.request.mode).toBe('form');
    if (question?.request.mode !== 'form') return;
    expect(question.request.message).toBe(
      [
        'Update a business entity in Finizi B4B at https://api.b4b.example, as an.nguyen@b4b.example.',
        `Request: PUT /api/v1/entities/${ENTITY}`,
        'Exactly this will be sent:',
        JSON.stringify(UPDATE, null, 2),
        'Confirm to send it; decline and nothing is written.',
      ].join('\n'),
    );
    expect(question.request.requestedSchema).toMatchObject({ required: ['confirm'] });
  });

  const accounts: Array<{ name: string; environmentPhone?: string; signedIn: boolean; shown: string }> = [
    { name: 'no login, no environment sign-in', signedIn: false, shown: 'as the signed-in account.' },
    {
      name: 'the environment sign-in',
      signedIn: false,
      environmentPhone: '+84909495665',
      shown: 'as the account of +84909495665.',
    },
    {
      name: 'a login wins over the environment',
      signedIn: true,
      environmentPhone: '+84909495665',
      shown: 'as a@b4b.example.',
    },
  ];
  it.each(accounts)('names the account: $name', async ({ environmentPhone, signedIn, shown }) => {
    const user = answeringUser({ action: 'decline' });
    const session = await b4bSession(signedIn ? { accessToken: 'jwt', email: 'a@b4b.example' } : undefined);
    const settings = environmentPhone === undefined ? SETTINGS : { ...SETTINGS, environmentPhone };
    await confirmWrite(
      'create_entity',
      B4B_WRITES['create_entity']!,
      settings,
    )({ name: 'X' }, b4bContext('create_entity', { elicit: user, session }));
    const request = user.asked[0]!.request;
    expect(request.message.split('\n')[0]).toBe(`Create a business entity in ${SETTINGS.backendLabel}, ${shown}`);
  });

  it('shows a long XML document in part, with its length and SHA-256', async () => {
    const user = answeringUser({ action: 'decline' });
    const xml = `<Invoice>${'<Line>1</Line>'.repeat(1000)}</Invoice>`;
    await confirmWrite(
      'import_invoice_xml',
      B4B_WRITES['import_invoice_xml']!,
      SETTINGS,
    )({ entity_id: ENTITY, xml_content: xml }, b4bContext('import_invoice_xml', { elicit: user }));
    const message = user.asked[0]!.request.message;
    expect(message).toContain(`Request: POST /api/v1/entities/${ENTITY}/invoices/import-xml`);
    expect(message).toContain(
      `[${xml.length} characters in all, SHA-256 ${createHash('sha256').update(xml).digest('hex')}]`,
    );
    expect(message).not.toContain(xml);
    expect(message.length).toBeLessThan(xml.length);
  });
});

describe('confirmWrite: a client that cannot be asked', () => {
  const cases: Array<{ name: string; form: boolean | undefined; require: boolean; refused: boolean }> = [
    { name: 'no elicitation, not required: sent', form: undefined, require: false, refused: false },
    { name: 'URL mode only, not required: sent', form: false, require: false, refused: false },
    { name: 'no elicitation, required: refused', form: undefined, require: true, refused: true },
    { name: 'URL mode only, required: refused', form: false, require: true, refused: true },
  ];
  it.each(cases)('$name', async ({ form, require, refused }) => {
    const elicit = form === undefined ? undefined : { ...answeringUser({ action: 'accept' }), form };
    const verdict = await confirmWrite('create_entity', B4B_WRITES['create_entity']!, {
      ...SETTINGS,
      requireConfirmation: require,
    })({ name: 'X' }, b4bContext('create_entity', elicit === undefined ? {} : { elicit }));
    if (refused) expect(verdict).toMatch(/^Not written: .*B4B_REQUIRE_CONFIRMATION.*Nothing was sent to B4B\.$/);
    else expect(verdict).toBeUndefined();
    if (elicit !== undefined) expect(elicit.asked).toEqual([]);
  });
});
