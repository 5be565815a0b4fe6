/**
 * Safe-XML gate for documents the model asks us to forward to a backend (B4B `import_invoice_xml`).
 *
 * Implements checks against Extensible Markup Language (XML) 1.0 (Fifth Edition):
 * - §2.1 well-formedness, checked with `saxes`, a strict non-validating parser that never resolves
 *   external entities or reads a DTD;
 * - §2.8 / §4.2 document type declarations and entity declarations are refused outright: a DTD is what
 *   makes XXE (external entities, §4.2.2), parameter entities (§4.1) and entity-expansion bombs
 *   ("billion laughs") possible in whatever parser the backend uses, and invoices never need one;
 * - other ways of making the backend's parser fetch something are refused too: XInclude elements (XInclude 1.0
 *   §4, namespace `http://www.w3.org/2001/XInclude`), `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation`
 *   hints (XML Schema Part 1 §2.6.3, §4.3.2) and `<?xml-stylesheet?>` processing instructions (Associating
 *   Style Sheets with XML documents 1.0);
 * - a size limit in UTF-8 bytes, checked BEFORE parsing so that a huge document costs no parse time;
 * - a nesting-depth limit, checked when each start tag begins (before saxes resolves its namespace, which walks
 *   the open-tag stack: without the limit that walk makes deep documents quadratic — 12,000 levels took seconds).
 * Namespaces in XML 1.0 (§5, namespace constraints) are also enforced (`xmlns: true`): the backend's
 * parser is namespace-aware and would refuse unbound prefixes anyway.
 *
 * Parsing is linear in the document and done in slices, yielding to the event loop between them, so one large
 * document never holds up other callers' requests. saxes is loaded on the first document that reaches parsing, not
 * at start-up (its import costs tens of milliseconds of cold start).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SaxesParser } from 'saxes';
import { DEFAULT_MAX_XML_BYTES } from './settings.js';

/** Default deepest element nesting accepted; invoices (UBL included) stay far below it. */
export const DEFAULT_MAX_XML_DEPTH = 100;
/** Characters parsed between two yields to the event loop (a few milliseconds of work). */
export const XML_SLICE_CHARS = 64 * 1024;

/** Which rule refused a document. */
export type XmlRule =
  | 'type'
  | 'size'
  | 'doctype'
  | 'depth'
  | 'xinclude'
  | 'schema-location'
  | 'stylesheet'
  | 'well-formed';

/** Outcome of {@link checkXmlDocument}: accepted, or refused with the rule and a user-facing message. */
export type XmlCheckResult = { ok: true } | { ok: false; rule: XmlRule; message: string };

/** Options for {@link checkXmlDocument}. */
export interface XmlGuardOptions {
  /** Input property named in error messages (e.g. `xml_content`). */
  field: string;
  /** Maximum size in UTF-8 bytes; {@link DEFAULT_MAX_XML_BYTES} when omitted. */
  maxBytes?: number;
  /** Deepest element nesting; {@link DEFAULT_MAX_XML_DEPTH} when omitted. */
  maxDepth?: number;
}

/** Longest parser detail echoed back: enough to locate the problem, never a dump of the document. */
const MAX_DETAIL_CHARS = 200;
const XINCLUDE_NAMESPACES: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/XInclude',
  'http://www.w3.org/2003/XInclude',
]);
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const SCHEMA_LOCATION_ATTRIBUTES: ReadonlySet<string> = new Set(['schemaLocation', 'noNamespaceSchemaLocation']);

/** saxes, once loaded. */
let saxes: Promise<typeof import('saxes')> | undefined;

/** Thrown from a handler to stop parsing at the first construct a rule refuses. */
class Refused extends Error {
  constructor(
    readonly rule: XmlRule,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks that `value` is a string holding one well-formed XML document within the size and depth limits, without
 * any DOCTYPE, XInclude, schema-location hint or stylesheet instruction. Never rejects; messages name the field
 * and the rule and include no stack trace.
 */
export async function checkXmlDocument(value: unknown, options: XmlGuardOptions): Promise<XmlCheckResult> {
  const { field } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  if (typeof value !== 'string') {
    return { ok: false, rule: 'type', message: `${field}: must be a string holding an XML document.` };
  }
  // Size first: a cheap upper bound (UTF-16 code unit → at most 3 UTF-8 bytes) avoids even counting
  // when the string is obviously small; otherwise count exactly.
  if (value.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) {
      return {
        ok: false,
        rule: 'size',
        message:
          `${field}: the XML document is ${bytes} bytes (UTF-8); the limit is ${maxBytes} bytes ` +
          `(${formatSize(maxBytes)}). Split it into smaller documents.`,
      };
    }
  }

  const parser = createGuardedParser((await (saxes ??= import('saxes'))).SaxesParser, field, maxDepth);
  try {
    for (let start = 0; start < value.length; start += XML_SLICE_CHARS) {
      // saxes carries a surrogate pair split between two writes over to the next one.
      parser.write(value.slice(start, start + XML_SLICE_CHARS));
      if (start + XML_SLICE_CHARS < value.length) await yieldToEventLoop();
    }
    parser.close();
  } catch (error) {
    if (error instanceof Refused) return { ok: false, rule: error.rule, message: error.message };
    return {
      ok: false,
      rule: 'well-formed',
      message: `${field}: not well-formed XML: ${describeParseError(error)}.`,
    };
  }
  return { ok: true };
}

/** A namespace-aware parser whose handlers throw {@link Refused} (aborting `write`) at the first refused construct. */
function createGuardedParser(
  Parser: typeof SaxesParser,
  field: string,
  maxDepth: number,
): SaxesParser<{ xmlns: true; position: true }> {
  const parser = new Parser({ xmlns: true, position: true });
  // saxes reports a DOCTYPE only after reading it whole, but never expands or fetches anything in it.
  parser.on('doctype', () => {
    throw new Refused(
      'doctype',
      `${field}: DOCTYPE declarations are not allowed. A DTD can declare external entities (XXE, ` +
        `e.g. SYSTEM "file:///…"), parameter entities or recursive entity expansion ("billion laughs"), ` +
        `so every document with a DOCTYPE is refused; remove the <!DOCTYPE …> declaration and any entity ` +
        `references other than &amp; &lt; &gt; &quot; &apos; and character references.`,
    );
  });
  // `opentagstart` fires before the tag's namespace is resolved; `closetag` fires for every tag popped
  // (self-closing ones included), so `depth` is the number of open ancestors.
  let depth = 0;
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('opentagstart', () => {
    if (depth++ >= maxDepth) {
      throw new Refused(
        'depth',
        `${field}: elements are nested more than ${maxDepth} levels deep (line ${parser.line}, column ${parser.column}); ` +
          `the limit is ${maxDepth}. Invoices need far fewer levels: flatten the document.`,
      );
    }
  });
  parser.on('opentag', (tag) => {
    if (XINCLUDE_NAMESPACES.has(tag.uri)) {
      throw new Refused(
        'xinclude',
        `${field}: XInclude is not allowed (<${clip(tag.name)}> at line ${parser.line}): it makes the receiving parser ` +
          `fetch other documents or files. Put the content into the document itself.`,
      );
    }
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.uri === XSI_NAMESPACE && SCHEMA_LOCATION_ATTRIBUTES.has(attribute.local)) {
        throw new Refused(
          'schema-location',
          `${field}: the ${clip(attribute.name)} attribute is not allowed (line ${parser.line}): schema-location hints ` +
            `make the receiving parser fetch schemas from URLs. Remove the attribute.`,
        );
      }
    }
  });
  parser.on('processinginstruction', (pi) => {
    if (pi.target.toLowerCase() === 'xml-stylesheet') {
      throw new Refused(
        'stylesheet',
        `${field}: <?xml-stylesheet?> processing instructions are not allowed (line ${parser.line}): they make the ` +
          `receiving software fetch and run a stylesheet. Remove the instruction.`,
      );
    }
  });
  parser.on('error', (error: Error) => {
    throw error;
  });
  return parser;
}

/** Turns a saxes error ("3:14: unexpected close tag.") into "unexpected close tag (line 3, column 14)". */
function describeParseError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const match = /^(?:[^:]*:)?(\d+):(\d+): (.*?)\.?$/s.exec(raw);
  const text = match ? `${match[3] ?? ''} (line ${match[1] ?? '?'}, column ${match[2] ?? '?'})` : raw;
  return clip(text);
}

/** Cuts text taken from the document to {@link MAX_DETAIL_CHARS}. */
function clip(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}

/** Human-readable size: "5 MiB", "512 KiB", or bytes. */
function formatSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
