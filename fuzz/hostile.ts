/**
 * Hostile values for the fuzzer (fast-check arbitraries): strings, numbers and shapes that break naive
 * servers. Strings: huge, any Unicode (lone surrogates included), control characters and NUL, CRLF header
 * injection, path traversal, JSON- and XML-looking text (nested tags, DOCTYPE, entities, XInclude),
 * prototype-pollution keys. Numbers: 1e308, -0, integers past 2^53, fractions where integers are expected
 * (NaN and Infinity cannot be written in JSON, RFC 8259 §6). Shapes: arrays for objects, deep nesting, wrong
 * types, extra properties with hostile keys.
 *
 * None of these values contains what the oracle looks for in answers (a stack frame, a JWT, a project path),
 * so that a server echoing the input back in a validation message is not mistaken for a leak.
 */
import fc from 'fast-check';

/** Keys that pollute prototypes when merged naively into an object. */
export const POLLUTION_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
] as const;

/** Fixed strings known to hurt parsers, routers and loggers. */
const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\..\\windows\\win.ini',
  '/../',
  './',
  '%00',
  'a\u0000b',
  '\u0000',
  'x\r\nX-Injected: yes',
  '\r\n\r\nHTTP/1.1 200 OK',
  '%0d%0aSet-Cookie: a=b',
  '__proto__',
  'constructor',
  'prototype',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":',
  '[[[[[[',
  'null',
  'true',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '9007199254740993',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '"; DROP TABLE invoices; --',
  '${7*7}{{7*7}}',
  '%s%s%s%n',
  '\u202Eevil\u202C',
  '\uFEFFbom',
  '\uD800',
  '\uDFFF\uD800',
  'Z\u0351\u0360\u0352\u0353\u035B\u035D',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦',
  'Sao Việt',
  '\t\v\f\b',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  '?a=1&b=2#frag',
  '/v1/entities?page=1',
  'a'.repeat(129),
];

/** XML-looking documents: nesting, DOCTYPE and entities, XInclude, stylesheets, CDATA, broken XML. */
const xmlLooking: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`),
  fc
    .integer({ min: 1, max: 500 })
    .map((depth) => `<r xmlns:p="urn:x">${'<p:a xmlns:q="urn:y">'.repeat(depth)}${'</p:a>'.repeat(depth)}</r>`),
  fc.constantFrom(
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Invoice>&lol2;</Invoice>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice>&xxe;</Invoice>',
    '<Invoice xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></Invoice>',
    '<?xml-stylesheet type="text/xsl" href="http://example.invalid/x.xsl"?><Invoice/>',
    '<Invoice xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:x http://example.invalid/x.xsd"/>',
    '<Invoice><![CDATA[</Invoice>]]></Invoice>',
    '<Invoice><InvoiceNumber>1</InvoiceNumber><Date>2024-01-01</Date><Total>1e308</Total></Invoice>',
    '<Invoice>',
    '</Invoice>',
    '<a b="1" b="2"/>',
    '<\u0000/>',
    '<?xml version="1.0" encoding="UTF-16"?><a/>',
  ),
);

/** Strings of control characters (C0, DEL, C1), NUL included. */
const controlChars: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 127, max: 159 })), { minLength: 1, maxLength: 40 })
  .map((codes) => String.fromCharCode(...codes));

/** Huge strings: mostly tens to hundreds of KB, rarely a megabyte (well under the 8 MB body limit). */
const hugeString: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1_000, max: 100_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 1_100_000 }) },
  )
  .chain((length) =>
    fc.constantFrom('A', 'é', '𝕏', '\u0000', '../').map((unit) => unit.repeat(Math.ceil(length / unit.length))),
  );

/** Any hostile string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }) },
  { weight: 2, arbitrary: controlChars },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: xmlLooking },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
);

/** Numbers at and past the edges of what JSON and JavaScript carry. */
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    -0,
    0,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    2 ** 63,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 32,
    0.5,
    1.0000000000000002,
    5e-324,
    -1,
    101,
    1e21,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => Number(n)),
);

/** An object whose own keys include prototype-pollution names (own properties, not prototype changes). */
export function withKeys(
  base: Record<string, unknown>,
  entries: ReadonlyArray<readonly [string, unknown]>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of entries)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * JSON text placed as is into a message: values too deep for this process's own JSON.stringify (deep
 * nesting is a server-side hazard: recursive validators, loggers and serializers).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Nested arrays or objects `depth` levels deep, as JSON text. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`);
}

/** JSON.stringify that writes {@link RawJson} values as their text. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0000raw:${raws.length - 1}\u0000`;
    }
    return v;
  });
  if (raws.length === 0) return json;
  return json.replace(/"\\u0000raw:(\d+)\\u0000"/g, (_match, index: string) => raws[Number(index)] ?? 'null');
}

/** Any hostile JSON value: scalars of every type, deep nesting, hostile keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 50, max: 100_000 }), fc.constantFrom('array' as const, 'object' as const))
      .map(([depth, kind]) => deeplyNested(depth, kind)),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...POLLUTION_KEYS), fc.jsonValue({ maxDepth: 2 })), {
        minLength: 1,
        maxLength: 3,
      })
      .map((entries) => withKeys({}, entries)),
  },
);
