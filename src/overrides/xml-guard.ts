/**
 * Safe-XML gate for documents the model asks us to forward to a backend (B4B `import_invoice_xml`).
 *
 * Implements checks against Extensible Markup Language (XML) 1.0 (Fifth Edition):
 * - §2.1 well-formedness, checked with `saxes`, a strict non-validating parser that never resolves
 *   external entities or reads a DTD;
 * - §2.8 / §4.2 document type declarations and entity declarations are refused outright: a DTD is what
 *   makes XXE (external entities, §4.2.2), parameter entities (§4.1) and entity-expansion bombs
 *   ("billion laughs") possible in whatever parser the backend uses, and invoices never need one;
 * - a size limit in UTF-8 bytes, checked BEFORE parsing so that a huge document costs no parse time.
 * Namespaces in XML 1.0 (§5, namespace constraints) are also enforced (`xmlns: true`): the backend's
 * parser is namespace-aware and would refuse unbound prefixes anyway.
 */
import { SaxesParser } from 'saxes';

/** Default maximum document size: 5 MiB of UTF-8. */
export const DEFAULT_MAX_XML_BYTES: number = 5 * 1024 * 1024;

/** Which rule refused a document. */
export type XmlRule = 'type' | 'size' | 'doctype' | 'well-formed';

/** Outcome of {@link checkXmlDocument}: accepted, or refused with the rule and a user-facing message. */
export type XmlCheckResult = { ok: true } | { ok: false; rule: XmlRule; message: string };

/** Options for {@link checkXmlDocument}. */
export interface XmlGuardOptions {
  /** Input property named in error messages (e.g. `xml_content`). */
  field: string;
  /** Maximum size in UTF-8 bytes; {@link DEFAULT_MAX_XML_BYTES} when omitted. */
  maxBytes?: number;
}

/** Longest parser detail echoed back: enough to locate the problem, never a dump of the document. */
const MAX_DETAIL_CHARS = 200;

/** Thrown from the DOCTYPE handler to stop parsing at the first DTD. */
class DoctypeRefused extends Error {}

/**
 * Checks that `value` is a string holding one well-formed XML document without any DOCTYPE and within
 * the size limit. Never throws; messages name the field and the rule and include no stack trace.
 */
export function checkXmlDocument(value: unknown, options: XmlGuardOptions): XmlCheckResult {
  const { field } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
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

  const parser = new SaxesParser({ xmlns: true, position: true });
  // saxes reports a DOCTYPE only after reading it whole, but never expands or fetches anything in it;
  // we stop at that point. Throwing from handlers aborts `write`.
  parser.on('doctype', () => {
    throw new DoctypeRefused('doctype');
  });
  parser.on('error', (error: Error) => {
    throw error;
  });
  try {
    parser.write(value).close();
  } catch (error) {
    if (error instanceof DoctypeRefused) {
      return {
        ok: false,
        rule: 'doctype',
        message:
          `${field}: DOCTYPE declarations are not allowed. A DTD can declare external entities (XXE, ` +
          `e.g. SYSTEM "file:///…"), parameter entities or recursive entity expansion ("billion laughs"), ` +
          `so every document with a DOCTYPE is refused; remove the <!DOCTYPE …> declaration and any entity ` +
          `references other than &amp; &lt; &gt; &quot; &apos; and character references.`,
      };
    }
    return {
      ok: false,
      rule: 'well-formed',
      message: `${field}: not well-formed XML: ${describeParseError(error)}.`,
    };
  }
  return { ok: true };
}

/** Turns a saxes error ("3:14: unexpected close tag.") into "unexpected close tag (line 3, column 14)". */
function describeParseError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const match = /^(?:[^:]*:)?(\d+):(\d+): (.*?)\.?$/s.exec(raw);
  const text = match ? `${match[3] ?? ''} (line ${match[1] ?? '?'}, column ${match[2] ?? '?'})` : raw;
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}

/** Human-readable size: "5 MiB", "512 KiB", or bytes. */
function formatSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
