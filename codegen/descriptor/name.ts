/**
 * MCP tool names (MCP 2025-11-25 "Tools": 1–64 characters; we keep to `[A-Za-z0-9_-]`, which every client accepts)
 * from the OpenAPI 3.1 §4.8.10 `operationId`, or from method and path when the operation has none.
 */
import { createHash } from 'node:crypto';
import type { HttpMethod } from '../../contract/descriptor.js';

/** Longest tool name. */
export const MAX_TOOL_NAME_LENGTH = 64;
/** Characters kept from a long name before `_` and the hash. */
const KEPT_PREFIX = 55;

/** Replaces every character outside `[A-Za-z0-9_-]` with `_`. */
export function sanitizeToolName(raw: string): string {
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe === '' ? '_' : safe;
}

/** 8 hex characters of sha256 — stable across runs and machines. */
export function shortHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 8);
}

/** Fits a sanitized name in 64 characters: the first 55, `_`, and 8 hex chars of sha256(`seed`). */
function fitToolName(name: string, seed: string): string {
  if (name.length <= MAX_TOOL_NAME_LENGTH) return name;
  return `${name.slice(0, KEPT_PREFIX)}_${shortHash(seed)}`;
}

/** `<method>_<path segments>`, `{x}` → `by_x`: e.g. `get /items/{id}/pdf` → `get_items_by_id_pdf`. */
export function nameFromPath(method: HttpMethod, path: string): string {
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(/\{([^}]*)\}/g, 'by_$1'));
  return [method, ...segments].join('_');
}

/** The name an operation asks for, before uniqueness: from `operationId`, else from method and path. */
export function baseToolName(operation: { operationId?: string; method: HttpMethod; path: string }): string {
  const seed = operation.operationId ?? nameFromPath(operation.method, operation.path);
  return fitToolName(sanitizeToolName(seed), seed);
}

/**
 * Makes names unique in order: the first keeps its name, later duplicates get `_2`, `_3`… (shortening the base when
 * the suffix would pass 64 characters). Deterministic for a given spec order.
 */
export function uniqueToolNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n += 1) {
      const suffix = `_${n}`;
      candidate = `${name.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length)}${suffix}`;
    }
    taken.add(candidate);
    return candidate;
  });
}
