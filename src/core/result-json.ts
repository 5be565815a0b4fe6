/**
 * A tool result's JSON text without serialising its `structuredContent` again: a generated tool's result carries
 * the JSON text its structured content was shaped from (the backend's own compact text, or the text the shaper
 * made of a wrapped or cut result), and {@link resultJson} splices that text in instead of walking the object.
 * The text is kept under a symbol together with the object it stands for; a result whose `structuredContent` was
 * replaced since (e.g. redacted) no longer matches and is serialised as usual, so a stale text is never sent.
 */
import type { ToolResult } from './tool-service-api.js';

const STRUCTURED_JSON: unique symbol = Symbol('finmcp.structuredJson');

interface Marked {
  [STRUCTURED_JSON]?: { of: unknown; json: string };
  structuredContent?: unknown;
}

/** Records that `json` is the exact JSON text of `result.structuredContent` (a JSON text that parsed, no line break). */
export function markStructuredJson(result: ToolResult, json: string): void {
  (result as Marked)[STRUCTURED_JSON] = { of: result.structuredContent, json };
}

/**
 * `JSON.stringify(result)`, with a marked `structuredContent` spliced in as its recorded text. The result's own
 * members in their order, undefined ones left out, as `JSON.stringify` writes them. `head` (members' JSON text,
 * e.g. `"resultType":"complete"`) goes first: spliced while the text is built, so a large result is never copied to
 * prepend it (slicing a built string flattens it first).
 */
export function resultJson(result: object, head?: string): string {
  const marked = (result as Marked)[STRUCTURED_JSON];
  const spliced = marked !== undefined && marked.of === (result as Marked).structuredContent;
  if (!spliced && head === undefined) return JSON.stringify(result);
  const record = result as Record<string, unknown>;
  let out = head === undefined ? '' : `{${head}`;
  for (const key of Object.keys(record)) {
    const text =
      spliced && key === 'structuredContent'
        ? (marked as { json: string }).json
        : (JSON.stringify(record[key]) as string | undefined);
    if (text === undefined) continue;
    out += `${out === '' ? '{' : ','}${JSON.stringify(key)}:${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}
