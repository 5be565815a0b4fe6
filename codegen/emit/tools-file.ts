/**
 * `tools.gen.ts`: the backend's MCP tool descriptors (MCP 2025-11-25 "Tools"), one per OpenAPI 3.1 operation, as a
 * typed literal. The literal is plain JSON between fixed markers, so the generator can read the committed descriptors
 * back to report what changed for clients.
 */
import type { ToolDescriptor } from '../../src/descriptor.js';
import { jsonLiteral, tsHeader } from './header.js';

/** The line that opens the descriptor literal. */
const OPENING = 'export const tools: ToolDescriptor[] = ';

/** Renders `tools.gen.ts`. */
export function renderToolsFile(source: string, tools: readonly ToolDescriptor[]): string {
  return `${tsHeader(source)}
import type { ToolDescriptor } from '../../src/descriptor.js';

/** One MCP tool per operation of ${source}, in spec order. */
${OPENING}${jsonLiteral(tools)};
`;
}

/** Reads the descriptors back from a `tools.gen.ts` written by {@link renderToolsFile}; undefined if unreadable. */
export function parseToolsFile(text: string): ToolDescriptor[] | undefined {
  const start = text.indexOf(OPENING);
  const end = text.lastIndexOf(';');
  if (start < 0 || end < start) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start + OPENING.length, end));
    return Array.isArray(value) ? (value as ToolDescriptor[]) : undefined;
  } catch {
    return undefined;
  }
}
