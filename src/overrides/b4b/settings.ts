/**
 * The settings of the B4B backend beyond every backend's `<BACKEND>_*` ones (src/config.ts): declared here, next
 * to the overrides that read them, and merged into the README's table by `documentedSettings`, so that generic code
 * names no B4B setting. The XML size limit's default is stated here and taken by xml-guard.ts, so that reading the
 * settings at start-up loads none of the guard.
 */
import { boolSetting, intSetting, textSetting } from '../../config.js';

/** Default maximum XML document size: 5 MiB of UTF-8. */
export const DEFAULT_MAX_XML_BYTES: number = 5 * 1024 * 1024;

export const B4B_SETTINGS = {
  maxXmlBytes: intSetting(
    'B4B_MAX_XML_BYTES',
    DEFAULT_MAX_XML_BYTES,
    'Largest XML document `import_invoice_xml` accepts',
  ),
  requireConfirmation: boolSetting(
    'B4B_REQUIRE_CONFIRMATION',
    'Refuse `create_entity`, `update_entity` and `import_invoice_xml` when the MCP client cannot ask the user to confirm them (no form-mode elicitation)',
  ),
  phone: textSetting(
    'B4B_PHONE',
    undefined,
    'stdio only: with B4B_PASSWORD, sign the session in with these instead of calling `login`',
  ),
  password: textSetting('B4B_PASSWORD', undefined, 'stdio only: the password that goes with B4B_PHONE', {
    secret: true,
  }),
} as const;
