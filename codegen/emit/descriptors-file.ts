/**
 * `generated/<backend>/tools.gen.json`: a backend's descriptors as data — its spec metadata (OpenAPI 3.1 §4.8.2 Info,
 * §4.8.5 Servers, §4.8.7 Components `securitySchemes`) and one MCP tool (MCP 2025-11-25 "Tools") per OpenAPI
 * operation, in spec order: everything `GeneratedBackend` holds but the validators (`validators.gen.js`).
 *
 * JSON has no comments: the do-not-edit line is the `$comment` member (JSON Schema's keyword for notes to readers)
 * beside `backend`. The runtime reads the file with readFileSync + JSON.parse (not a JSON import attribute, which
 * Node 20 reports as experimental on stderr); the generator reads the committed file back to report what changed.
 */
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';
import { headerText, jsonLiteral } from './header.js';

/** Spec metadata of a backend: what `GeneratedBackend` holds besides its tools and validators. */
export type BackendMeta = Omit<GeneratedBackend, 'tools' | 'validators'>;

/** The file name, beside the backend's `index.gen.js`. */
export const DESCRIPTORS_FILE = 'tools.gen.json';

/** Renders `tools.gen.json`. */
export function renderDescriptorsFile(meta: BackendMeta, tools: readonly ToolDescriptor[]): string {
  return `${jsonLiteral({ $comment: headerText(meta.specFile), backend: { ...meta, tools } })}\n`;
}

/** Reads the descriptors back from a file written by {@link renderDescriptorsFile}; undefined if unreadable. */
export function parseDescriptorsFile(text: string): ToolDescriptor[] | undefined {
  try {
    const tools: unknown = (JSON.parse(text) as { backend?: { tools?: unknown } } | null)?.backend?.tools;
    return Array.isArray(tools) ? (tools as ToolDescriptor[]) : undefined;
  } catch {
    return undefined;
  }
}
