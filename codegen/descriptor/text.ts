/**
 * Tool `title` and `description` (MCP 2025-11-25 "Tools") from OpenAPI 3.1 §4.8.10 `summary`/`description`, the
 * success response's §4.8.17 `description` and `deprecated`: concise text written for a model choosing a tool.
 */

/** "getInvoiceById" / "get_invoice-by_id" → "Get invoice by id". */
function humanizeName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((word) => word !== '')
    .map((word) => (/^[A-Z0-9]+$/.test(word) && word.length > 1 ? word : word.toLowerCase()));
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** Collapses runs of blank lines and trims; `undefined` for empty text. */
export function cleanText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const cleaned = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return cleaned === '' ? undefined : cleaned;
}

/** Adds a final period to a sentence-like line that has no closing punctuation. */
function sentence(text: string): string {
  return /[.!?:)`]$/.test(text) ? text : `${text}.`;
}

/** The tool title: the summary, else the humanized tool name. */
export function toolTitle(summary: string | undefined, name: string): string {
  return cleanText(summary)?.replace(/\s+/g, ' ') ?? humanizeName(name);
}

/** Summary, description, "Returns: …" and "Deprecated." as short paragraphs (the summary once if repeated). */
export function toolDescription(parts: {
  summary?: string;
  description?: string;
  returns?: string;
  deprecated: boolean;
}): string {
  const summary = cleanText(parts.summary);
  const description = cleanText(parts.description);
  const returns = cleanText(parts.returns);
  const paragraphs: string[] = [];
  if (summary !== undefined && summary !== description) paragraphs.push(sentence(summary));
  if (description !== undefined) paragraphs.push(description);
  if (returns !== undefined) paragraphs.push(`Returns: ${sentence(returns)}`);
  if (parts.deprecated) paragraphs.push('Deprecated.');
  return paragraphs.join('\n\n');
}
