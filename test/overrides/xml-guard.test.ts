import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_XML_BYTES, checkXmlDocument } from '../../src/overrides/xml-guard.js';

const INVOICE = `<?xml version="1.0"?>
<Invoice>
<InvoiceNumber>INV-2024-001</InvoiceNumber>
<Date>2024-01-15</Date>
<Total>1500.00</Total>
</Invoice>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE Invoice [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Invoice><Note>&xxe;</Note></Invoice>`;

const PARAMETER_ENTITIES = `<?xml version="1.0"?>
<!DOCTYPE Invoice [
 <!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">
 %remote;
]>
<Invoice/>`;

const EXTERNAL_DTD = `<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:1/invoice.dtd">
<Invoice/>`;

describe('checkXmlDocument', () => {
  const cases: Array<{
    given: string;
    xml: unknown;
    maxBytes?: number;
    want: { ok: true } | { ok: false; rule: string; includes: string[] };
  }> = [
    { given: 'a well-formed invoice', xml: INVOICE, want: { ok: true } },
    {
      given: 'namespaced XML with a BOM',
      xml: '\uFEFF<inv:Invoice xmlns:inv="urn:x"><inv:Total>1</inv:Total></inv:Invoice>',
      want: { ok: true },
    },
    {
      given: 'predefined entities and character references',
      xml: '<a t="&quot;">&amp;&lt;&gt;&apos;&#65;&#x42;</a>',
      want: { ok: true },
    },
    {
      given: 'mismatched tags',
      xml: '<Invoice><Total>1</Invoice>',
      want: { ok: false, rule: 'well-formed', includes: ['xml_content', 'not well-formed', 'line 1'] },
    },
    {
      given: 'an empty document',
      xml: '',
      want: { ok: false, rule: 'well-formed', includes: ['xml_content', 'root element'] },
    },
    {
      given: 'two root elements',
      xml: '<a/><b/>',
      want: { ok: false, rule: 'well-formed', includes: ['xml_content', 'one root'] },
    },
    {
      given: 'an undeclared entity reference',
      xml: '<a>&nbsp;</a>',
      want: { ok: false, rule: 'well-formed', includes: ['xml_content', 'undefined entity'] },
    },
    {
      given: 'an unbound namespace prefix',
      xml: '<x:a/>',
      want: { ok: false, rule: 'well-formed', includes: ['xml_content', 'unbound namespace prefix'] },
    },
    {
      given: 'a DOCTYPE with internal entities (billion laughs)',
      xml: BILLION_LAUGHS,
      want: { ok: false, rule: 'doctype', includes: ['xml_content', 'DOCTYPE', 'billion laughs'] },
    },
    {
      given: 'an external entity (XXE)',
      xml: XXE,
      want: { ok: false, rule: 'doctype', includes: ['xml_content', 'DOCTYPE', 'XXE'] },
    },
    {
      given: 'parameter entities',
      xml: PARAMETER_ENTITIES,
      want: { ok: false, rule: 'doctype', includes: ['xml_content', 'parameter entities'] },
    },
    {
      given: 'an external DTD',
      xml: EXTERNAL_DTD,
      want: { ok: false, rule: 'doctype', includes: ['xml_content', 'DOCTYPE'] },
    },
    {
      given: 'a document exactly at the limit',
      xml: `<a>${'x'.repeat(100 - 7)}</a>`,
      maxBytes: 100,
      want: { ok: true },
    },
    {
      given: 'a document one byte over the limit',
      xml: `<a>${'x'.repeat(100 - 6)}</a>`,
      maxBytes: 100,
      want: { ok: false, rule: 'size', includes: ['xml_content', '101 bytes', 'limit is 100 bytes'] },
    },
    {
      given: 'a document over the limit only when counted in UTF-8 (multi-byte characters)',
      xml: `<a>${'é'.repeat(47)}</a>`,
      maxBytes: 100,
      want: { ok: false, rule: 'size', includes: ['xml_content', '101 bytes'] },
    },
    {
      given: 'an oversized document that is also malformed: size is checked before parsing',
      xml: `<a>${'x'.repeat(200)}`,
      maxBytes: 100,
      want: { ok: false, rule: 'size', includes: ['xml_content', 'limit'] },
    },
    {
      given: 'a value that is not a string',
      xml: 42,
      want: { ok: false, rule: 'type', includes: ['xml_content', 'string'] },
    },
  ];

  it.each(cases)('$given', ({ xml, maxBytes, want }) => {
    const got = checkXmlDocument(xml, { field: 'xml_content', ...(maxBytes === undefined ? {} : { maxBytes }) });
    if (want.ok) {
      expect(got).toEqual({ ok: true });
      return;
    }
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.rule).toBe(want.rule);
    for (const fragment of want.includes) expect(got.message).toContain(fragment);
    expect(got.message).not.toMatch(/\n\s+at /); // no stack trace
    expect(got.message).not.toContain('root:x:0:0'); // nothing was ever read from disk
  });

  it('defaults to a 5 MiB limit', () => {
    expect(DEFAULT_MAX_XML_BYTES).toBe(5 * 1024 * 1024);
    const atLimit = `<a>${'x'.repeat(DEFAULT_MAX_XML_BYTES - 7)}</a>`;
    expect(checkXmlDocument(atLimit, { field: 'xml_content' })).toEqual({ ok: true });
    const over = checkXmlDocument(`${atLimit} `, { field: 'xml_content' });
    expect(over).toMatchObject({ ok: false, rule: 'size' });
    if (!over.ok) expect(over.message).toContain('5 MiB');
  });
});
