/**
 * `generated/<backend>/tools/<tool>.gen.js`: one MCP tool (MCP 2025-11-25 "Tools") generated from one OpenAPI
 * operation — its descriptor (`tool`) and its precompiled input validator (`validate`) — as plain ES module
 * JavaScript, so the runtime loads a freshly generated backend with no compile step. One file per tool, named after
 * the tool: a spec change rewrites only the files of the tools it changes.
 *
 * The descriptor literal is plain JSON between fixed markers, so the generator can read the committed descriptors
 * back to report what changed for clients.
 */
import type { ToolDescriptor } from '../../contract/descriptor.js';
import { jsonLiteral, tsHeader } from './header.js';

/** The line that opens the descriptor literal. */
const OPENING = 'export const tool = ';
/** What closes it (a JSON string never holds a raw line break, so this cannot occur inside). */
const CLOSING = '\n};\n';

/** The file name of a tool's module (tool names are `[A-Za-z0-9_-]{1,64}`). */
export function toolModuleName(tool: Pick<ToolDescriptor, 'name'>): string {
  return `${tool.name}.gen.js`;
}

/** Renders one tool's module from its descriptor and its validator's standalone code. */
export function renderToolModule(source: string, tool: ToolDescriptor, validator: { imports: string[]; body: string }): string {
  return [
    tsHeader(source),
    ...validator.imports,
    '',
    `/** @type {import('../../../contract/descriptor.js').ToolDescriptor} */`,
    `${OPENING}${jsonLiteral(tool)};`,
    '',
    '/** Precompiled (ajv standalone, JSON Schema 2020-12) validator of the tool input. */',
    validator.body.trim(),
    '',
  ].join('\n');
}

/** Reads the descriptor back from a module written by {@link renderToolModule}; undefined if unreadable. */
export function parseToolModule(text: string): ToolDescriptor | undefined {
  const start = text.indexOf(OPENING);
  if (start < 0) return undefined;
  const end = text.indexOf(CLOSING, start);
  if (end < 0) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start + OPENING.length, end + 2));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ToolDescriptor) : undefined;
  } catch {
    return undefined;
  }
}
