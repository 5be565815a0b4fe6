/**
 * Tool arguments taken from a spec's own examples (parameter and request-body examples), the same way
 * `finmcp verify` derives them, restricted to what the served tool accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GeneratedBackend, ListedTool } from '../../contract/descriptor.js';
import { exampleArguments } from '../../src/cli/verify.js';
import { projectRoot } from '../../src/paths.js';

/** Arguments for every generated tool of `generated`, keyed by tool name, filtered to the served input schema. */
export function exampleArgumentsByTool(
  generated: GeneratedBackend,
  served: ListedTool[],
): Map<string, Record<string, unknown>> {
  const spec = parseYaml(readFileSync(join(projectRoot(), generated.specFile), 'utf8')) as Parameters<
    typeof exampleArguments
  >[2];
  const result = new Map<string, Record<string, unknown>>();
  for (const tool of generated.tools) {
    const listed = served.find((t) => t.name === tool.name);
    if (listed === undefined) continue;
    const operation = spec.paths?.[tool.operation.path]?.[tool.operation.method] as Parameters<
      typeof exampleArguments
    >[1];
    const all = exampleArguments(tool, operation, spec);
    const accepted = Object.keys((listed.inputSchema['properties'] ?? {}) as Record<string, unknown>);
    result.set(tool.name, Object.fromEntries(Object.entries(all).filter(([key]) => accepted.includes(key))));
  }
  return result;
}
