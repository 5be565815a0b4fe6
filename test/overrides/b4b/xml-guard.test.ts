import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEFAULT_MAX_XML_BYTES } from '../../../src/overrides/b4b/settings.js';
import {
  DEFAULT_MAX_XML_DEPTH,
  XML_SLICE_CHARS,
  checkXmlDocument,
  type XmlCheckResult,
  type XmlRule,
} from '../../../src/overrides/b4b/xml-guard.js';
import { INVOICE_XML } from '../invoice.js';

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

/** A document the guard must accept (within `limits`). */
interface Accepted {
  given: string;
  xml: unknown;
  limits?: { maxBytes?: number; maxDepth?: number };
}

/** A document the guard must refuse by `rule`, with a message naming the field and saying each of `says`. */
interface Refused extends Accepted {
  rule: XmlRule;
  says: string[];
}

const ok = (given: string, xml: unknown, limits?: Accepted['limits']): Accepted => ({
  given,
  xml,
  ...(limits ? { limits } : {}),
});
const no = (given: string, xml: unknown, rule: XmlRule, says: string[], limits?: Accepted['limits']): Refused => ({
  ...ok(given, xml, limits),
  rule,
  says,
});

describe('checkXmlDocument', () => {
  const accepted: Accepted[] = [
    ok('a well-formed invoice', INVOICE_XML),
    ok('namespaced XML with a BOM', '\uFEFF<inv:Invoice xmlns:inv="urn:x"><inv:Total>1</inv:Total></inv:Invoice>'),
    ok('predefined entities and character references', '<a t="&quot;">&amp;&lt;&gt;&apos;&#65;&#x42;</a>'),
    ok('a document exactly at the limit', `<a>${'x'.repeat(100 - 7)}</a>`, { maxBytes: 100 }),
    ok('nesting exactly at the limit', `${'<a>'.repeat(10)}${'</a>'.repeat(10)}`, { maxDepth: 10 }),
    ok(
      'many siblings and self-closing tags (depth is nesting, not element count)',
      `<a>${'<b/><c>x</c>'.repeat(500)}</a>`,
      { maxDepth: 2 },
    ),
    ok('another processing instruction', '<Invoice><?app-hint keep?></Invoice>'),
  ];
  const refused: Refused[] = [
    no('mismatched tags', '<Invoice><Total>1</Invoice>', 'well-formed', ['not well-formed', 'line 1']),
    no('an empty document', '', 'well-formed', ['root element']),
    no('two root elements', '<a/><b/>', 'well-formed', ['one root']),
    no('an undeclared entity reference', '<a>&nbsp;</a>', 'well-formed', ['undefined entity']),
    no('an unbound namespace prefix', '<x:a/>', 'well-formed', ['unbound namespace prefix']),
    no('a DOCTYPE with internal entities (billion laughs)', BILLION_LAUGHS, 'doctype', ['DOCTYPE', 'billion laughs']),
    no('an external entity (XXE)', XXE, 'doctype', ['DOCTYPE', 'XXE']),
    no('parameter entities', PARAMETER_ENTITIES, 'doctype', ['parameter entities']),
    no('an external DTD', EXTERNAL_DTD, 'doctype', ['DOCTYPE']),
    no(
      'a document one byte over the limit',
      `<a>${'x'.repeat(100 - 6)}</a>`,
      'size',
      ['101 bytes', 'limit is 100 bytes'],
      { maxBytes: 100 },
    ),
    no(
      'a document over the limit only in UTF-8 (multi-byte characters)',
      `<a>${'é'.repeat(47)}</a>`,
      'size',
      ['101 bytes'],
      { maxBytes: 100 },
    ),
    no('an oversized malformed document: size is checked before parsing', `<a>${'x'.repeat(200)}`, 'size', ['limit'], {
      maxBytes: 100,
    }),
    no(
      'nesting one level deeper than the limit',
      `${'<a>'.repeat(11)}${'</a>'.repeat(11)}`,
      'depth',
      ['more than 10 levels', 'limit is 10'],
      { maxDepth: 10 },
    ),
    no(
      'an XInclude element',
      '<Invoice xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></Invoice>',
      'xinclude',
      ['XInclude is not allowed', 'xi:include'],
    ),
    no(
      'an XInclude element under another prefix (the namespace decides)',
      '<Invoice><inc:include xmlns:inc="http://www.w3.org/2001/XInclude" href="http://127.0.0.1:1/x"/></Invoice>',
      'xinclude',
      ['XInclude'],
    ),
    no(
      'xsi:schemaLocation',
      '<Invoice xmlns="urn:inv" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:inv http://127.0.0.1:1/inv.xsd"/>',
      'schema-location',
      ['xsi:schemaLocation attribute is not allowed'],
    ),
    no(
      'xsi:noNamespaceSchemaLocation on a nested element',
      '<Invoice><Lines xmlns:s="http://www.w3.org/2001/XMLSchema-instance" s:noNamespaceSchemaLocation="http://127.0.0.1:1/l.xsd"/></Invoice>',
      'schema-location',
      ['s:noNamespaceSchemaLocation'],
    ),
    no(
      'an xml-stylesheet processing instruction',
      '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:1/evil.xsl"?>\n<Invoice/>',
      'stylesheet',
      ['xml-stylesheet', 'not allowed', 'line 2'],
    ),
    no('a value that is not a string', 42, 'type', ['string']),
  ];
  const check = (xml: unknown, limits: Accepted['limits'] = {}): Promise<XmlCheckResult> =>
    checkXmlDocument(xml, { field: 'xml_content', ...limits });

  it.each(accepted)('accepts $given', async ({ xml, limits }) => {
    expect(await check(xml, limits)).toEqual({ ok: true });
  });

  it.each(refused)('refuses $given', async ({ xml, limits, rule, says }) => {
    const got = await check(xml, limits);
    expect(got).toMatchObject({ ok: false, rule });
    const message = got.ok ? '' : got.message;
    for (const fragment of ['xml_content', ...says]) expect(message).toContain(fragment);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace
    expect(message).not.toContain('root:x:0:0'); // nothing was ever read from disk
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
