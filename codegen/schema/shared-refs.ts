/**
 * Which references of one tool schema become shared definitions (`$defs` + `$ref`, JSON Schema 2020-12 §8.2.4 and
 * §8.2.3.1) instead of being inlined at each use: those reached more than once. Inlining a `Money` used by ten
 * fields writes it ten times; a shared definition writes it once, with the same constraints, so clients validate the
 * same instances with a much smaller `tools/list`.
 *
 * Counts are taken on the raw schema graph, each referenced schema walked once (as it will be converted once).
 * A reference used as a member of an `allOf` with several members is always inlined: the `allOf` merge needs its
 * content. A lone member (`allOf: [{ $ref }]`, the OpenAPI 3.0 way of putting `description` or `nullable` beside a
 * reference) has nothing to merge with and is shared like any other use.
 */
import { isObject } from './json.js';
import { resolvePointer } from '../../contract/pointer.js';

/** The local references under `root` that are used at least twice and never as a member of a multi-member `allOf`. */
export function sharedRefs(document: unknown, root: unknown): Set<string> {
  const { counts, inlineOnly } = countRefs(document, root);
  return new Set([...counts].filter(([ref, count]) => count > 1 && !inlineOnly.has(ref)).map(([ref]) => ref));
}

/** How many distinct local references `root` reaches, directly or through other references. */
export function reachableRefCount(document: unknown, root: unknown): number {
  return countRefs(document, root).counts.size;
}

/** Uses per reachable reference, and the references used as a member of a multi-member `allOf`. */
function countRefs(document: unknown, root: unknown): { counts: Map<string, number>; inlineOnly: Set<string> } {
  const counts = new Map<string, number>();
  const inlineOnly = new Set<string>();
  const stack: Array<{ node: unknown; allOfMember: boolean }> = [{ node: root, allOfMember: false }];
  while (stack.length > 0) {
    const { node, allOfMember } = stack.pop() as { node: unknown; allOfMember: boolean };
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, allOfMember: false });
      continue;
    }
    if (!isObject(node)) continue;
    const ref = node['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#')) {
      const seen = counts.get(ref) ?? 0;
      counts.set(ref, seen + 1);
      if (allOfMember) inlineOnly.add(ref);
      if (seen === 0) stack.push({ node: resolvePointer(document, ref), allOfMember: false });
    }
    for (const [keyword, value] of Object.entries(node)) {
      if (
        keyword === '$ref' ||
        keyword === 'example' ||
        keyword === 'examples' ||
        keyword === 'default' ||
        keyword === 'const' ||
        keyword === 'enum'
      )
        continue;
      if (keyword === 'allOf' && Array.isArray(value)) {
        for (const member of value) stack.push({ node: member, allOfMember: value.length > 1 });
      } else if (typeof value === 'object' && value !== null) {
        stack.push({ node: value, allOfMember: false });
      }
    }
  }
  return { counts, inlineOnly };
}
