/**
 * Serving a subset of a backend's tools (`--tools <globs>`, `--tags <names>`, `--read-only`): a big API as a
 * handful of tools a model can afford to list. Criteria combine with AND; within one criterion, any match counts.
 * - tools: comma-separated name globs (`*` any run of characters, `?` one), e.g. `repos_get*,issues_*`;
 * - tags: comma-separated OpenAPI operation tags (§4.8.10 `tags`), case-insensitive;
 * - read-only: only operations that change nothing (GET and HEAD, RFC 9110 §9.2.1 safe methods) — and hand-written
 *   tools marked `readOnlyHint` or `session` (they change only the caller's sign-in on this server).
 * Hidden and overridden tools keep their own rules; a selection only narrows what would be served.
 */

/** What a selection looks at in one tool. */
interface SelectableTool {
  /** The served name. */
  name: string;
  /** Operation tags (none for hand-written tools). */
  tags: readonly string[];
  /** Whether the tool changes nothing. */
  readOnly: boolean;
}

/** The selection options, as given on the command line. */
export interface ToolSelectionOptions {
  tools?: string;
  tags?: string;
  readOnly?: boolean;
}

/** A predicate over tools; undefined when nothing is selected (every tool is served). */
export type ToolSelection = (tool: SelectableTool) => boolean;

/** `repos_*` → /^repos_.*$/ */
export function globPattern(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Builds the predicate of the options, or undefined when they select everything. */
export function toolSelection(options: ToolSelectionOptions): ToolSelection | undefined {
  const names = list(options.tools).map(globPattern);
  const tags = new Set(list(options.tags).map((tag) => tag.toLowerCase()));
  const readOnly = options.readOnly === true;
  if (names.length === 0 && tags.size === 0 && !readOnly) return undefined;
  return (tool) =>
    (names.length === 0 || names.some((pattern) => pattern.test(tool.name))) &&
    (tags.size === 0 || tool.tags.some((tag) => tags.has(tag.toLowerCase()))) &&
    (!readOnly || tool.readOnly);
}
