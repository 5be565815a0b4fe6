/**
 * `$ref` handling (OpenAPI 3.1 §4.8.23, JSON Schema 2020-12 §8.2.3.1) for self-contained tool schemas.
 *
 * References are inlined; a reference met again on the CURRENT descent path (a recursive type such as a tree node)
 * becomes `{ $ref: "#/$defs/<Name>" }` and its definition is emitted once in the root `$defs`. The same reference
 * used twice side by side is simply inlined twice. This module owns the cycle test and the `$defs` bookkeeping
 * (stable, collision-free names, emission order = first request order).
 */
import { pointerTokens } from '../../contract/pointer.js';

/** The references being expanded on the current path, outermost first. */
export type RefStack = readonly string[];

/** Whether expanding `ref` here would recurse into itself. */
export function isRecursive(ref: string, stack: RefStack): boolean {
  return stack.includes(ref);
}

/** A readable, pointer-safe `$defs` key for a reference: its last token, limited to `[A-Za-z0-9_.-]`. */
export function defBaseName(ref: string): string {
  const last = pointerTokens(ref).at(-1) ?? 'Schema';
  const safe = last.replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe === '' ? 'Schema' : safe;
}

/** The `$defs` entries one tool schema needs: names per reference, and which are still to be built. */
export class DefsRegistry {
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly pending: string[] = [];

  /** The `$defs` name for `ref`, registering it (to be built) on first request. */
  request(ref: string): string {
    const known = this.names.get(ref);
    if (known !== undefined) return known;
    const base = defBaseName(ref);
    let name = base;
    for (let n = 2; this.taken.has(name); n += 1) name = `${base}_${n}`;
    this.names.set(ref, name);
    this.taken.add(name);
    this.pending.push(ref);
    return name;
  }

  /** The local reference that points at the definition of `ref`. */
  pointer(ref: string): string {
    return `#/$defs/${this.request(ref)}`;
  }

  /** Takes the next reference whose definition has not been built yet. */
  next(): { ref: string; name: string } | undefined {
    const ref = this.pending.shift();
    if (ref === undefined) return undefined;
    return { ref, name: this.names.get(ref) as string };
  }
}
