/**
 * OAuth scopes named by a spec's security requirements (OpenAPI 3.1 §4.8.30): what an operation needs, and
 * everything a backend's operations need. `serve` (inbound scope checks, service tokens) and `token` ask the same
 * question of the same descriptors.
 */
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';

/** The scopes one operation's security requirements name, sorted and without repeats. */
export function operationScopes(tool: ToolDescriptor): string[] {
  return [...new Set(tool.operation.security.flatMap((requirement) => Object.values(requirement).flat()))].sort();
}

/** Every scope the backend's operations require, sorted. */
export function specScopes(generated: GeneratedBackend): string[] {
  return [...new Set(generated.tools.flatMap(operationScopes))].sort();
}

/** Scopes per served tool name (an override may rename a tool): those its operation requires (hand-written tools need none). */
export function scopesByTool(
  generated: GeneratedBackend,
  overrides: { tools?: Record<string, { name?: string }> },
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const tool of generated.tools)
    result.set(overrides.tools?.[tool.name]?.name ?? tool.name, operationScopes(tool));
  return result;
}
