import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  DEFAULT_MAX_XML_BYTES,
  DEFAULT_MAX_XML_DEPTH,
  XML_SLICE_CHARS,
  checkXmlDocument,
} from '../../src/overrides/xml-guard.js';

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
    maxDepth?: number;
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
      given: 'nesting one level deeper than the limit',
      xml: `${'<a>'.repeat(11)}${'</a>'.repeat(11)}`,
      maxDepth: 10,
      want: { ok: false, rule: 'depth', includes: ['xml_content', 'more than 10 levels', 'limit is 10'] },
    },
    {
      given: 'nesting exactly at the limit',
      xml: `${'<a>'.repeat(10)}${'</a>'.repeat(10)}`,
      maxDepth: 10,
      want: { ok: true },
    },
    {
      given: 'many siblings and self-closing tags (depth is nesting, not element count)',
      xml: `<a>${'<b/><c>x</c>'.repeat(500)}</a>`,
      maxDepth: 2,
      want: { ok: true },
    },
    {
      given: 'an XInclude element',
      xml: '<Invoice xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></Invoice>',
      want: { ok: false, rule: 'xinclude', includes: ['xml_content', 'XInclude is not allowed', 'xi:include'] },
    },
    {
      given: 'an XInclude element under another prefix (the namespace decides)',
      xml: '<Invoice><inc:include xmlns:inc="http://www.w3.org/2001/XInclude" href="http://127.0.0.1:1/x"/></Invoice>',
      want: { ok: false, rule: 'xinclude', includes: ['xml_content', 'XInclude'] },
    },
    {
      given: 'xsi:schemaLocation',
      xml: '<Invoice xmlns="urn:inv" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:inv http://127.0.0.1:1/inv.xsd"/>',
      want: { ok: false, rule: 'schema-location', includes: ['xml_content', 'xsi:schemaLocation attribute is not allowed'] },
    },
    {
      given: 'xsi:noNamespaceSchemaLocation on a nested element',
      xml: '<Invoice><Lines xmlns:s="http://www.w3.org/2001/XMLSchema-instance" s:noNamespaceSchemaLocation="http://127.0.0.1:1/l.xsd"/></Invoice>',
      want: { ok: false, rule: 'schema-location', includes: ['xml_content', 's:noNamespaceSchemaLocation'] },
    },
    {
      given: 'an xml-stylesheet processing instruction',
      xml: '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:1/evil.xsl"?>\n<Invoice/>',
      want: { ok: false, rule: 'stylesheet', includes: ['xml_content', 'xml-stylesheet', 'not allowed', 'line 2'] },
    },
    {
      given: 'another processing instruction',
      xml: '<Invoice><?app-hint keep?></Invoice>',
      want: { ok: true },
    },
    {
      given: 'a value that is not a string',
      xml: 42,
      want: { ok: false, rule: 'type', includes: ['xml_content', 'string'] },
    },
  ];

  it.each(cases)('$given', async ({ xml, maxBytes, maxDepth, want }) => {
    const got = await checkXmlDocument(xml, {
      field: 'xml_content',
      ...(maxBytes === undefined ? {} : { maxBytes }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
    });
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

  it('defaults to a 5 MiB limit', async () => {
    expect(DEFAULT_MAX_XML_BYTES).toBe(5 * 1024 * 1024);
    const atLimit = `<a>${'x'.repeat(DEFAULT_MAX_XML_BYTES - 7)}</a>`;
    expect(await checkXmlDocument(atLimit, { field: 'xml_content' })).toEqual({ ok: true });
    const over = await checkXmlDocument(`${atLimit} `, { field: 'xml_content' });
    expect(over).toMatchObject({ ok: false, rule: 'size' });
    if (!over.ok) expect(over.message).toContain('5 MiB');
  });
});

/** Counts event-loop turns until `work` settles: other callers' I/O is served on those turns. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let settled = false;
  let turns = 0;
  const ticker = (async (): Promise<void> => {
    while (!settled) {
      await nextTurn();
      turns++;
    }
  })();
  const value = await work.finally(() => {
    settled = true;
  });
  await ticker;
  return { value, turns };
}

describe('checkXmlDocument on hostile sizes (issue 14: one request froze the server)', () => {
  it('refuses 200,000 nested levels (1.4 MB) at the depth limit, having read only the first levels', async () => {
    const deep = '<a>'.repeat(200_000) + '</a>'.repeat(200_000);
    expect(deep.length).toBe(1_400_000);
    const got = await checkXmlDocument(deep, { field: 'xml_content' });
    expect(got).toMatchObject({ ok: false, rule: 'depth' });
    if (got.ok) return;
    expect(got.message).toContain(`more than ${DEFAULT_MAX_XML_DEPTH} levels`);
    // Work done: parsing stopped at the start tag one level past the limit, 3 characters per level.
    const column = Number(/column (\d+)/.exec(got.message)?.[1]);
    expect(column).toBeGreaterThan(3 * DEFAULT_MAX_XML_DEPTH);
    expect(column).toBeLessThanOrEqual(3 * (DEFAULT_MAX_XML_DEPTH + 2));
  });

  it('the 84 KB document of the report (12,000 levels) is refused for depth too', async () => {
    const got = await checkXmlDocument('<a>'.repeat(12_000) + '</a>'.repeat(12_000), { field: 'xml_content' });
    expect(got).toMatchObject({ ok: false, rule: 'depth' });
  });

  it('a deep document with namespace declarations on every level is refused the same way', async () => {
    const deep = '<p:a xmlns:p="urn:p">'.repeat(50_000) + '</p:a>'.repeat(50_000);
    expect(await checkXmlDocument(deep, { field: 'xml_content' })).toMatchObject({ ok: false, rule: 'depth' });
  });

  it('a 5 MiB document at the size limit is parsed in slices: other work runs between them', async () => {
    const row = '<Line><Item>widget</Item><Qty>1</Qty></Line>';
    const body = row.repeat(Math.floor((DEFAULT_MAX_XML_BYTES - 40) / row.length));
    const doc = `<Invoice>${body}</Invoice>`;
    expect(Buffer.byteLength(doc)).toBeLessThanOrEqual(DEFAULT_MAX_XML_BYTES);
    const { value, turns } = await turnsDuring(checkXmlDocument(doc, { field: 'xml_content' }));
    expect(value).toEqual({ ok: true });
    // One yield per slice: a synchronous parse would let no other callback run before it returned.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(doc.length / XML_SLICE_CHARS) - 1);
  });

  it('a 5 MiB document malformed at its very end is refused, with other work served meanwhile', async () => {
    const doc = `<Invoice>${'<Note>x</Note>'.repeat(Math.floor((DEFAULT_MAX_XML_BYTES - 40) / 14))}</Invoce>`;
    const { value, turns } = await turnsDuring(checkXmlDocument(doc, { field: 'xml_content' }));
    expect(value).toMatchObject({ ok: false, rule: 'well-formed' });
    expect(turns).toBeGreaterThan(10);
  });

  it('a surrogate pair split across two slices is parsed as one character', async () => {
    const doc = `<a>${'x'.repeat(XML_SLICE_CHARS - 4)}\u{1F600}</a>`;
    expect(doc.charCodeAt(XML_SLICE_CHARS - 1)).toBeGreaterThanOrEqual(0xd800); // the high surrogate ends slice 1
    expect(await checkXmlDocument(doc, { field: 'xml_content' })).toEqual({ ok: true });
  });
});
