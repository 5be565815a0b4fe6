/**
 * Dynamic mode for big APIs (`serve --dynamic`): instead of one tool per operation — GitHub's 1,223 would list tens
 * of megabytes — `tools/list` shows three meta-tools (MCP 2025-11-25 "Tools"): `search_tools` finds operations by
 * words (names, titles, summaries, tags, paths), `describe_tool` returns one tool's full input schema, and
 * `call_tool` calls it by name. Calls go through the backend's own ToolService, so validation, outbound auth,
 * overrides and error wording are exactly those of the generated tool. A model finds and calls an operation in two
 * or three calls.
 */
import type { CallContext } from './call-context.js';
import type { ToolResult, ToolService } from './tool-service-api.js';
import type { JsonSchema, ListedTool, ToolDescriptor } from '../../contract/descriptor.js';

/** What the search looks at for one served tool. */
interface Entry {
  tool: ListedTool;
  method: string;
  path: string;
  /** Lower-cased words of the name and title (weight 3), tags and path (2), description (1). */
  strong: ReadonlySet<string>;
  /** The title's words without stop words, space-joined: a query that is the title ranks first. */
  phrase: string;
  medium: ReadonlySet<string>;
  weak: ReadonlySet<string>;
}

/** Lower-cased words: `reposGet` / `repos_get` / `/repos/{owner}` → repos, get, owner. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1 || /\d/.test(word));
}

/** Words too common in API texts to tell operations apart. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'of',
  'for',
  'to',
  'in',
  'on',
  'by',
  'and',
  'or',
  'with',
  'is',
  'it',
  'me',
  'my',
]);

/** A meta-tool: an object input of these properties and no others. */
function metaTool(
  listing: Pick<ListedTool, 'name' | 'title' | 'description' | 'annotations'>,
  properties: Record<string, JsonSchema>,
  required: string[],
): ListedTool {
  const { name, title, description, annotations } = listing;
  const inputSchema = { type: 'object', properties, required, additionalProperties: false };
  // The order tools/list has always shown.
  return { name, title, description, inputSchema, annotations } as ListedTool;
}

/** The hints of the two meta-tools that only read the tool list. */
const READS_LIST = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const SEARCH = metaTool(
  {
    name: 'search_tools',
    title: 'Search the API operations',
    description:
      'Finds operations of this API by words (e.g. "get a repository", "list invoices overdue"), matched against tool names, titles, descriptions, tags and paths. Returns the best matches, best first; then call `describe_tool` for one tool\'s arguments and `call_tool` to run it.',
    annotations: READS_LIST,
  },
  {
    query: { type: 'string', minLength: 1, maxLength: 200, description: 'What you want to do, in a few words.' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'Most matches to return.' },
  },
  ['query'],
);

const DESCRIBE = metaTool(
  {
    name: 'describe_tool',
    title: 'Describe one operation',
    description: "Returns one tool's description, full input schema (the `arguments` `call_tool` takes) and hints.",
    annotations: READS_LIST,
  },
  {
    name: { type: 'string', minLength: 1, maxLength: 64, description: 'The tool name, as `search_tools` returned it.' },
  },
  ['name'],
);

const CALL = metaTool(
  {
    name: 'call_tool',
    title: 'Call one operation',
    description:
      "Calls one tool by name with its arguments (validated against its input schema, as `describe_tool` shows it). Returns the tool's own result. It may change data: check the tool's hints first.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
  {
    name: { type: 'string', minLength: 1, maxLength: 64, description: 'The tool name.' },
    arguments: { type: 'object', description: "The tool's arguments." },
  },
  ['name'],
);

const META_TOOLS: readonly ListedTool[] = [SEARCH, DESCRIBE, CALL];
/** The meta-tools that read only the descriptors. */
const LOCAL_TOOLS: ReadonlySet<string> = new Set([SEARCH.name, DESCRIBE.name]);

function result(structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

function failure(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Wraps a backend's ToolService in the three meta-tools. */
export function dynamicToolService(inner: ToolService, descriptors: readonly ToolDescriptor[]): ToolService {
  const entries = indexTools(inner.listTools(), descriptors);
  const served = new Map(entries.map((entry) => [entry.tool.name, entry] as const));
  return {
    backend: inner.backend,
    stateful: inner.stateful,
    // Prompts and documents name the backend's tools, which call_tool reaches.
    ...(inner.catalogue === undefined ? {} : { catalogue: inner.catalogue }),
    listTools: () => META_TOOLS as ListedTool[],
    hasTool: (name) => META_TOOLS.some((tool) => tool.name === name),
    localTools: LOCAL_TOOLS,
    callTool: async (name, args, ctx) => {
      const given = args ?? {};
      if (name === SEARCH.name) return search(entries, given);
      if (name === DESCRIBE.name) return describe(served, given);
      if (name === CALL.name) return call(inner, served, given, ctx);
      return failure(`Unknown tool ${JSON.stringify(name)}`);
    },
  };
}

/** The served tools with the words each is searched by, by weight. */
function indexTools(listed: readonly ListedTool[], descriptors: readonly ToolDescriptor[]): Entry[] {
  const byName = new Map(descriptors.map((d) => [d.name, d] as const));
  return listed.map((tool) => {
    const d = byName.get(tool.name);
    const tags = d?.operation.tags ?? [];
    return {
      tool,
      method: d?.operation.method.toUpperCase() ?? '',
      path: d?.operation.path ?? '',
      strong: new Set(words(`${tool.name} ${tool.title ?? ''}`)),
      phrase: words(tool.title ?? tool.name)
        .filter((word) => !STOP_WORDS.has(word))
        .join(' '),
      medium: new Set(words(`${tags.join(' ')} ${d?.operation.path ?? ''}`)),
      weak: new Set(words(tool.description ?? '')),
    };
  });
}

/** How well `entry` matches the query's `terms` (and the query said as one `phrase`); 0 for no match. */
function score(entry: Entry, terms: readonly string[], phrase: string): number {
  return (
    terms.reduce(
      (sum, term) =>
        sum + (entry.strong.has(term) ? 3 : 0) + (entry.medium.has(term) ? 2 : 0) + (entry.weak.has(term) ? 1 : 0),
      0,
    ) +
    // The query said as the title says it: an exact title first, then titles containing the query.
    (entry.phrase === phrase ? 10 : entry.phrase.includes(phrase) ? 4 : 0)
  );
}

/** The entries matching `query`, best first; undefined when the query has no word to look for. */
function rank(entries: readonly Entry[], query: string, limit: number): Entry[] | undefined {
  const terms = words(query).filter((word) => !STOP_WORDS.has(word));
  if (terms.length === 0) return undefined;
  const phrase = terms.join(' ');
  return (
    entries
      .map((entry) => ({ entry, score: score(entry, terms, phrase) }))
      .filter((item) => item.score > 0)
      // Ties: the tool whose title says least beyond the query (the general operation before the specific ones).
      .sort(
        (a, b) =>
          b.score - a.score ||
          a.entry.phrase.length - b.entry.phrase.length ||
          a.entry.tool.name.localeCompare(b.entry.tool.name),
      )
      .slice(0, limit)
      .map((item) => item.entry)
  );
}

/** `search_tools`: the best-matching tools, best first. */
function search(entries: readonly Entry[], args: Record<string, unknown>): ToolResult {
  const query = typeof args['query'] === 'string' ? args['query'] : '';
  const limit = typeof args['limit'] === 'number' ? Math.min(50, Math.max(1, Math.floor(args['limit']))) : 10;
  const found = rank(entries, query, limit);
  if (found === undefined) return failure('Invalid arguments:\n- query: must contain at least one word');
  return result({
    tools: found.map((entry) => ({
      name: entry.tool.name,
      title: entry.tool.title ?? entry.tool.name,
      operation: `${entry.method} ${entry.path}`.trim(),
      readOnly: entry.tool.annotations?.readOnlyHint === true,
    })),
  });
}

/** One operation a search found. */
interface Found {
  tool: ListedTool;
  /** `GET /path`, or empty for a hand-written tool. */
  operation: string;
}

/** Searches served tools by words; shared by `--dynamic`'s `search_tools` and `--code`'s `search_api`. */
export interface ToolSearch {
  /** The served tool of that name. */
  get(name: string): Found | undefined;
  /** Best matches first; undefined when the query has no word to look for. */
  find(query: string, limit: number): Found[] | undefined;
}

/** Indexes the served tools for {@link ToolSearch}, as `search_tools` does. */
export function toolSearch(listed: readonly ListedTool[], descriptors: readonly ToolDescriptor[]): ToolSearch {
  const found = (entry: Entry): Found => ({ tool: entry.tool, operation: `${entry.method} ${entry.path}`.trim() });
  const entries = indexTools(listed, descriptors);
  const served = new Map(entries.map((entry) => [entry.tool.name, found(entry)] as const));
  return {
    get: (name) => served.get(name),
    find: (query, limit) => rank(entries, query, limit)?.map(found),
  };
}

/** `describe_tool`: one tool's full listing. */
function describe(served: ReadonlyMap<string, Entry>, args: Record<string, unknown>): ToolResult {
  const entry = typeof args['name'] === 'string' ? served.get(args['name']) : undefined;
  if (entry === undefined) return failure(`Unknown tool ${JSON.stringify(args['name'])}: use search_tools to find one`);
  const { name, title, description, inputSchema, annotations } = entry.tool;
  return result({
    name,
    title: title ?? name,
    description: description ?? '',
    inputSchema,
    annotations: annotations ?? {},
  });
}

/** `call_tool`: calls a served tool through the inner service. */
async function call(
  inner: ToolService,
  served: ReadonlyMap<string, Entry>,
  args: Record<string, unknown>,
  ctx: CallContext,
): Promise<ToolResult> {
  const name = args['name'];
  if (typeof name !== 'string' || !served.has(name))
    return failure(`Unknown tool ${JSON.stringify(name)}: use search_tools to find one`);
  const toolArgs = args['arguments'];
  if (toolArgs !== undefined && (toolArgs === null || typeof toolArgs !== 'object' || Array.isArray(toolArgs))) {
    return failure('Invalid arguments:\n- arguments: must be an object');
  }
  return inner.callTool(name, toolArgs as Record<string, unknown> | undefined, ctx);
}
