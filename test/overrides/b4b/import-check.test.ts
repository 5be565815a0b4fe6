/**
 * The check in front of `import_invoice_xml`, in its order: not signed in → refused before any parsing; an unsafe
 * or oversized document → refused by the XML gate, the user never asked; a safe one → the user's confirmation.
 */
import { describe, expect, it } from 'vitest';
import { xmlImportCheck } from '../../../src/overrides/b4b/import-check.js';
import { NOT_LOGGED_IN, SESSION_EXPIRED } from '../../../src/overrides/b4b/session.js';
import { INVOICE_XML } from '../invoice.js';
import { b4bContext, b4bSession } from './context.js';

const NOW = Date.parse('2026-01-15T10:00:00Z');
const XXE = '<?xml version="1.0"?><!DOCTYPE I [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]><I>&x;</I>';

function checkWith(signsInFromEnvironment: boolean, confirmed: string[]) {
  return xmlImportCheck({
    now: () => NOW,
    maxXmlBytes: 1024,
    signsInFromEnvironment,
    confirm: async (args) => {
      confirmed.push(String(args['xml_content']));
      return undefined;
    },
  });
}

describe('xmlImportCheck', () => {
  const cases: Array<{
    name: string;
    login?: { expiresAt?: number };
    environment?: boolean;
    xml: unknown;
    refusal?: RegExp | string;
    confirmed: boolean;
  }> = [
    { name: 'signed in, a safe document: asked and let through', login: {}, xml: INVOICE_XML, confirmed: true },
    { name: 'not signed in: refused before parsing', xml: '<unclosed', refusal: NOT_LOGGED_IN, confirmed: false },
    {
      name: 'an expired login: refused before parsing',
      login: { expiresAt: NOW - 1 },
      xml: INVOICE_XML,
      refusal: SESSION_EXPIRED,
      confirmed: false,
    },
    {
      name: 'signed in, an external entity: refused by the gate',
      login: {},
      xml: XXE,
      refusal: /xml_content/,
      confirmed: false,
    },
    {
      name: 'signed in, over the size limit',
      login: {},
      xml: `<I>${'x'.repeat(2000)}</I>`,
      refusal: /xml_content.*1024/,
      confirmed: false,
    },
    { name: 'signed in, malformed XML', login: {}, xml: '<I><J></I>', refusal: /xml_content/, confirmed: false },
    {
      name: 'the environment signs in: no login needed, the document still checked',
      environment: true,
      xml: INVOICE_XML,
      confirmed: true,
    },
    {
      name: 'the environment signs in, an unsafe document',
      environment: true,
      xml: XXE,
      refusal: /xml_content/,
      confirmed: false,
    },
  ];

  it.each(cases)('$name', async ({ login, environment, xml, refusal, confirmed }) => {
    const asked: string[] = [];
    const session = await b4bSession(login === undefined ? undefined : { accessToken: 'jwt', ...login });
    const verdict = await checkWith(environment === true, asked)(
      { entity_id: 'e', xml_content: xml },
      b4bContext('import_invoice_xml', { session }),
    );
    if (refusal === undefined) expect(verdict).toBeUndefined();
    else if (typeof refusal === 'string') expect(verdict).toBe(refusal);
    else expect(verdict).toMatch(refusal);
    expect(asked).toEqual(confirmed ? [xml] : []);
  });
});
