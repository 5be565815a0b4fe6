/**
 * The size of what a model reads before it can call anything: the `tools` array of `tools/list`, serialized
 * compactly (as every server here sends it), in UTF-8 bytes, and an approximate token count.
 *
 * Token approximation: bytes / 4, the usual rule of thumb for BPE tokenizers (cl100k/o200k average about
 * four characters per token on English prose). JSON with many short keys and punctuation tokenizes denser, so
 * treat the count as a lower bound; it is the same formula for every server, so the ratios are what matter.
 */
import type { ListedTool } from '../scenario.js';

/** Size of one server's tool list. */
export interface ToolsListSize {
  tools: number;
  bytes: number;
  approxTokens: number;
  /** Names served, for the record. */
  names: string[];
}

/** Measures a `tools` array. */
export function toolsListSize(tools: readonly ListedTool[]): ToolsListSize {
  const bytes = Buffer.byteLength(JSON.stringify(tools));
  return { tools: tools.length, bytes, approxTokens: Math.round(bytes / 4), names: tools.map((t) => t.name) };
}
