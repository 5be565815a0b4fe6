/**
 * The check in front of B4B `import_invoice_xml` (an override `check`: it runs after schema validation and before
 * any request, so a refused document never reaches the backend). In order: the login, so that a caller who is not
 * signed in costs no parsing at all; the safe-XML gate (xml-guard.ts); then the user's confirmation
 * (confirm-write.ts), asked only for a document that would be sent.
 */
import type { ToolOverride } from '../../core/backend-overrides.js';
import { sessionToken } from './session.js';
import { checkXmlDocument } from './xml-guard.js';

/** What the check needs. */
interface XmlImportCheckOptions {
  now: () => number;
  /** Largest `xml_content`, in UTF-8 bytes. */
  maxXmlBytes: number;
  /** stdio with B4B_PHONE / B4B_PASSWORD: outbound auth signs in, so no login is required beforehand. */
  signsInFromEnvironment: boolean;
  /** The user's confirmation of the write. */
  confirm: NonNullable<ToolOverride['check']>;
}

export function xmlImportCheck(options: XmlImportCheckOptions): NonNullable<ToolOverride['check']> {
  return async (args, ctx) => {
    if (!options.signsInFromEnvironment) {
      const token = await sessionToken(ctx.session, options.now());
      if (!token.ok) return token.error;
    }
    const verdict = await checkXmlDocument(args['xml_content'], {
      field: 'xml_content',
      maxBytes: options.maxXmlBytes,
    });
    return verdict.ok ? options.confirm(args, ctx) : verdict.message;
  };
}
