/**
 * Portable tool schemas (opt-in per spec with the root extension `x-finmcp-portable-schemas: true`): some clients map
 * tool schemas onto a single-`type` dialect (the OpenAPI subset of Gemini function declarations, and the schema
 * portability check of MCP Inspector), and refuse or weaken a `type` array such as `["string", "null"]` (legal JSON
 * Schema 2020-12 §6.1.1). Each such node is rewritten to the equivalent `anyOf` of single-type branches — the
 * spelling those checks recommend — so nullable fields stay nullable: making them optional instead would change the
 * contract (absent is not `null`, e.g. `phone: null` clears a phone). Accepted instances are exactly the same, so the
 * validator is unchanged in meaning.
 */
import type { JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';
import { visitSchemas } from './walk.js';

/** Rewrites, in place, one schema node's `type` array into `anyOf` single-type branches. */
function splitTypeUnion(node: JsonSchema): void {
  const type = node['type'];
  if (!Array.isArray(type)) return;
  delete node['type'];
  if (type.length === 1) {
    node['type'] = type[0];
    return;
  }
  const branches = type.map((t: unknown) => ({ type: t }));
  if (Array.isArray(node['anyOf'])) {
    const existing = node['anyOf'];
    delete node['anyOf'];
    node['allOf'] = [...(Array.isArray(node['allOf']) ? node['allOf'] : []), { anyOf: existing }, { anyOf: branches }];
  } else {
    node['anyOf'] = branches;
  }
}

/** Rewrites every type union of a schema, in place. */
export function portableSchema(schema: JsonSchema): void {
  const nodes: JsonSchema[] = [];
  visitSchemas(schema, (node) => nodes.push(node));
  for (const node of nodes) splitTypeUnion(node);
}

/** Makes a tool's input and output schemas portable, in place. */
export function makePortable(tool: ToolDescriptor): void {
  portableSchema(tool.inputSchema);
  portableSchema(tool.outputSchema);
}
