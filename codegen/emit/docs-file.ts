/**
 * `docs/tools.md`: the tool catalogue, generated from the descriptors (so it can never drift from what `tools/list`
 * serves): per backend, per tool its name, description, parameters (name, in, type, required, description — from the
 * flat input schema, OpenAPI 3.1 §4.8.12 locations) and MCP annotations.
 */
import type { JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';
import { isObject, typeList } from '../schema/json.js';
import { markdownHeader } from './header.js';

/** One backend's section of the catalogue. */
export interface DocsBackend {
  name: string;
  title: string;
  version: string;
  specFile: string;
  tools: readonly ToolDescriptor[];
}

/** Escapes text for one Markdown table cell (pipes, line breaks). */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n+/g, ' ')
    .trim();
}

/** A short, human type label for a property schema: `string`, `integer[]`, `"a" \| "b"`, `Node`, `one of: …`. */
export function typeLabel(schema: unknown, depth = 0): string {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return 'any';
  if (!isObject(schema)) return 'never';
  if (typeof schema['$ref'] === 'string') return schema['$ref'].split('/').at(-1) ?? 'object';
  if ('const' in schema) return JSON.stringify(schema['const']);
  if (Array.isArray(schema['enum'])) return schema['enum'].map((v) => JSON.stringify(v)).join(' | ');
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && depth < 2) {
      return `${keyword === 'oneOf' ? 'one of' : 'any of'}: ${branches.map((b) => typeLabel(b, depth + 1)).join(', ')}`;
    }
  }
  const types = typeList(schema as JsonSchema);
  if (types === undefined) return Array.isArray(schema['allOf']) ? 'all of: …' : 'any';
  const labels = types.map((type) => {
    if (type === 'array') return `${typeLabel(schema['items'] ?? {}, depth + 1)}[]`;
    const format = typeof schema['format'] === 'string' ? ` (${schema['format']})` : '';
    return `${type}${format}`;
  });
  return labels.join(' | ');
}

/** Where an input property goes: the binding's location, or `body`. */
function propertyLocation(tool: ToolDescriptor, property: string): string {
  return tool.parameters.find((p) => p.property === property)?.in ?? 'body';
}

function toolSection(tool: ToolDescriptor): string {
  const lines: string[] = [
    `### \`${tool.name}\``,
    '',
    `**${tool.title}** — \`${tool.operation.method.toUpperCase()} ${tool.operation.path}\``,
    '',
  ];
  lines.push(tool.description === '' ? '_No description._' : tool.description, '');
  const properties = isObject(tool.inputSchema['properties']) ? tool.inputSchema['properties'] : {};
  const required = new Set(
    Array.isArray(tool.inputSchema['required']) ? (tool.inputSchema['required'] as string[]) : [],
  );
  const names = Object.keys(properties);
  if (names.length === 0) {
    lines.push('No parameters.', '');
  } else {
    lines.push('| Name | In | Type | Required | Description |', '| --- | --- | --- | --- | --- |');
    for (const name of names) {
      const schema = properties[name];
      const description = isObject(schema) && typeof schema['description'] === 'string' ? schema['description'] : '';
      lines.push(
        `| \`${cell(name)}\` | ${propertyLocation(tool, name)} | ${cell(typeLabel(schema))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(description)} |`,
      );
    }
    lines.push('');
  }
  const hints = (['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const)
    .filter((hint) => tool.annotations[hint] !== undefined)
    .map((hint) => `${hint}: ${String(tool.annotations[hint])}`);
  lines.push(`Annotations: ${hints.length > 0 ? hints.join(', ') : 'none'}.`, '');
  return lines.join('\n');
}

/** A one-line-per-tool overview table of a backend. */
function toolIndex(tools: readonly ToolDescriptor[]): string[] {
  const hint = (tool: ToolDescriptor): string =>
    tool.annotations.readOnlyHint === true
      ? 'read-only'
      : tool.annotations.destructiveHint === true
        ? 'destructive'
        : 'writes';
  return [
    '| Tool | Title | Operation | Effect |',
    '| --- | --- | --- | --- |',
    ...tools.map(
      (tool) =>
        `| \`${tool.name}\` | ${cell(tool.title)} | \`${tool.operation.method.toUpperCase()} ${tool.operation.path}\`${tool.operation.deprecated ? ' (deprecated)' : ''} | ${hint(tool)} |`,
    ),
  ];
}

/** Renders the whole catalogue. */
export function renderDocsFile(backends: readonly DocsBackend[]): string {
  const sources = backends.length > 0 ? backends.map((b) => b.specFile).join(', ') : 'no specs';
  const parts: string[] = [
    markdownHeader(sources),
    '',
    '# Tool catalogue',
    '',
    'Every tool is generated from one OpenAPI operation. Its input is one flat object: path, query, header and cookie',
    'parameters and the fields of a JSON object body, side by side. When two inputs share a name, precedence is',
    'path > query > header > cookie > body: the higher one keeps the name and the other becomes `<in>_<name>`',
    '(e.g. `body_id`), then `<in>_<name>_2`… — no value is lost. Names outside `[A-Za-z0-9_.-]` (e.g. `filter[status]`)',
    'are made safe first (`filter_status_`). A body that is not a plain JSON object (XML, text,',
    'binary, an array, a `oneOf`) is one property, named by the `x-codegen-request-body-name` extension or `body`.',
    '`Authorization`, `Accept` and `Content-Type` header parameters are set by the server and never inputs.',
    'Idempotency keys: an operation with an `Idempotency-Key` header parameter, or the operation extension',
    '`x-finmcp-idempotency-header: <Header-Name>` (for a backend whose header has another name), gets that header from the',
    "server, never from the model: the nonce of the call's confirmation (one key per confirmed write, however often the",
    'client retries it), else a fresh random key per call, so the backend can deduplicate a write it received twice.',
    'Object-level rules of a flattened body (`minProperties`, `maxProperties`, `dependentRequired`, `required` sets in',
    '`anyOf`/`oneOf`/`allOf`/`not`) move onto the input object, so the tool itself refuses e.g. an update with nothing to change.',
    '',
    'Output schemas describe the shape a client parses (types, properties, items, enums, `const`, required) and drop the',
    'value rules real APIs break in their own answers (`format`, `pattern`, lengths, bounds, `uniqueItems`, closed',
    'objects); `oneOf` is written `anyOf`. The server checks every result against the published output schema: one that',
    'still does not match reaches the client as text with a note naming each mismatch, marked `isError` (clients skip the',
    'schema check for those), never as `structuredContent` that breaks its schema. `generate` warns about an output schema',
    'that is not valid JSON Schema 2020-12 and publishes an open object instead. Output schemas carry no prose: a schema',
    'used more than once is one `$defs` entry, and descriptions, titles and examples are left out',
    '(the tool description says what it returns). An output schema over 32 KB (a response reaching much of the API through',
    'its references) is described down to the deepest level of references that fits, and any value is accepted below it.',
    'Input schemas share definitions the same way. Spec-root extensions tune this per spec:',
    '`x-finmcp-output-descriptions: true` keeps output descriptions; `x-finmcp-portable-schemas: true` writes each',
    '`type` array (e.g. a nullable `["string", "null"]`) as `anyOf` single-type branches, for clients that map tool',
    "schemas onto a single-type dialect (Gemini function declarations; MCP Inspector's portability check) — the same",
    'values are accepted, and nullable fields stay nullable rather than becoming optional.',
    '',
  ];
  for (const backend of backends) {
    parts.push(`## ${backend.name} — ${backend.title} ${backend.version}`, '');
    parts.push(`${backend.tools.length} tools, generated from \`${backend.specFile}\`.`, '');
    parts.push(...toolIndex(backend.tools), '');
    for (const tool of backend.tools) parts.push(toolSection(tool));
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
