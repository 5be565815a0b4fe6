/**
 * A backend's descriptors as data, in two parts (issue 23: a server loads what it serves, not the whole spec):
 * - `generated/<backend>/tools.gen.json`, the catalogue: its spec metadata (OpenAPI 3.1 §4.8.2 Info, §4.8.5 Servers,
 *   §4.8.7 Components `securitySchemes`), its prompts and, per MCP tool (MCP 2025-11-25 "Tools"), in spec order, what
 *   choosing, searching, scoping and describing a tool in one line need: {@link SUMMARY_KEYS}. Read whole at start-up.
 * - `generated/<backend>/tools/<stem>.gen.json`, one per tool: the rest of its descriptor ({@link DETAIL_KEYS}: its
 *   schemas and HTTP bindings), read on the tool's first use — listed, described or called. For Stripe the schemas
 *   are 22 MB, a tool's a few KB to 60 KB.
 * Everything `GeneratedBackend` holds but the validators (validators-file.ts).
 *
 * JSON has no comments: the do-not-edit line is the `$comment` member (JSON Schema's keyword for notes to readers).
 * The runtime reads the files with readFileSync + JSON.parse (not a JSON import attribute, which Node 20 reports as
 * experimental on stderr); the generator reads the committed files back to report what changed.
 */
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';
import { headerText, jsonLiteral } from './header.js';
import { toolFileStems } from './tool-files.js';

/** Spec metadata of a backend: what `GeneratedBackend` holds besides its tools and validators. */
export type BackendMeta = Omit<GeneratedBackend, 'tools' | 'validators'>;

/** The catalogue's file name, beside the backend's `index.gen.js`. */
export const DESCRIPTORS_FILE = 'tools.gen.json';

/** The folder of the per-tool descriptor files, beside the catalogue. */
const TOOLS_DIR = 'tools';

/** The descriptor members the catalogue holds for every tool. */
export const SUMMARY_KEYS = ['name', 'title', 'description', 'annotations', 'operation'] as const;

/** The members of a descriptor, in the order a descriptor has them; those not in SUMMARY_KEYS are in the tool's file. */
export const DESCRIPTOR_KEYS = [
  'name',
  'title',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
  'operation',
  'parameters',
  'output',
  'body',
  'pagination',
] as const satisfies ReadonlyArray<keyof ToolDescriptor>;

/** The members a tool's own file holds. */
const DETAIL_KEYS = DESCRIPTOR_KEYS.filter(
  (key) => !(SUMMARY_KEYS as readonly string[]).includes(key),
) as ReadonlyArray<Exclude<(typeof DESCRIPTOR_KEYS)[number], (typeof SUMMARY_KEYS)[number]>>;

type Fields = Record<string, unknown>;

/** A tool's file, relative to the backend's folder, from its file stem (see tool-files.ts). */
export function toolFile(stem: string): string {
  return `${TOOLS_DIR}/${stem}.gen.json`;
}

function pick(tool: ToolDescriptor, keys: readonly string[]): Fields {
  const out: Fields = {};
  for (const key of keys) {
    const value = (tool as unknown as Fields)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Renders the catalogue, `tools.gen.json`. */
export function renderDescriptorsFile(meta: BackendMeta, tools: readonly ToolDescriptor[]): string {
  const summaries = tools.map((tool) => pick(tool, SUMMARY_KEYS));
  return `${jsonLiteral({ $comment: headerText(meta.specFile), backend: { ...meta, tools: summaries } })}\n`;
}

/** Renders one tool's file, `tools/<stem>.gen.json`. */
export function renderToolFile(source: string, tool: ToolDescriptor): string {
  return `${jsonLiteral({ $comment: headerText(source), tool: pick(tool, DETAIL_KEYS) })}\n`;
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The tool summaries of a catalogue written by {@link renderDescriptorsFile}; undefined if unreadable. */
export function parseDescriptorsFile(text: string): Fields[] | undefined {
  const tools = (parse(text) as { backend?: { tools?: unknown } } | null)?.backend?.tools;
  return Array.isArray(tools) ? (tools as Fields[]) : undefined;
}

/**
 * Reads committed descriptors back: the catalogue's summaries, each joined with its tool's file (`read` gives a file
 * of the backend's folder by relative path, undefined when missing); undefined if the catalogue is unreadable.
 */
export function readDescriptors(
  catalogue: string,
  read: (file: string) => string | undefined,
): ToolDescriptor[] | undefined {
  const summaries = parseDescriptorsFile(catalogue);
  if (summaries === undefined) return undefined;
  const stemOf = toolFileStems(summaries.map((summary) => String(summary['name'])));
  return summaries.map((summary) => {
    const stem = stemOf.get(String(summary['name'])) ?? '';
    const detail = (parse(read(toolFile(stem))) as { tool?: Fields } | null)?.tool ?? {};
    const joined: Fields = {};
    for (const key of DESCRIPTOR_KEYS) {
      const value = key in summary ? summary[key] : detail[key];
      if (value !== undefined) joined[key] = value;
    }
    return joined as unknown as ToolDescriptor;
  });
}
