/**
 * MCP tool annotations (MCP 2025-11-25 "Tool annotations") from the HTTP method's semantics (RFC 9110 §9.2: safe and
 * idempotent methods), overridable per operation with the `x-mcp-annotations` vendor extension (OpenAPI 3.1 §4.9
 * Specification Extensions), merged over the defaults.
 */
import type { HttpMethod, ToolAnnotations } from '../../contract/descriptor.js';
import { isObject } from '../schema/json.js';

/** Default hints per method; every backend call reaches an external system, so `openWorldHint` is always true. */
function defaultAnnotations(method: HttpMethod): Required<Omit<ToolAnnotations, 'title'>> {
  switch (method) {
    case 'get':
    case 'head':
    case 'options':
    case 'trace':
      return { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
    case 'put':
      return { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true };
    case 'delete':
      return { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };
    case 'post':
    case 'patch':
      return { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
  }
}

/** Reads `x-mcp-annotations`, keeping only known hints of the right type (a typo must not reach clients). */
export function parseAnnotationsExtension(value: unknown): Partial<ToolAnnotations> | undefined {
  if (!isObject(value)) return undefined;
  const out: Partial<ToolAnnotations> = {};
  for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    if (typeof value[key] === 'boolean') out[key] = value[key];
  }
  if (typeof value['title'] === 'string') out.title = value['title'];
  return out;
}

/** Defaults for the method, with the title, then the extension's values on top. */
export function toolAnnotations(
  method: HttpMethod,
  title: string,
  extension: Partial<ToolAnnotations> | undefined,
): ToolAnnotations {
  return { title, ...defaultAnnotations(method), ...extension };
}
