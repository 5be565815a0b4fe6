/**
 * The file stem of each tool's own generated files (`tools/<stem>.gen.json`, `validators/<stem>.gen.cjs`): its name,
 * which is already a safe file name (`[A-Za-z0-9_-]`, ≤ 64 characters), unless a tool before it has the same name
 * but for case — two files a case-insensitive file system (macOS, Windows) would take for one — then the name and
 * `.<n>` (a dot never occurs in a tool name). Computed from the tool names in spec order, so the generator and the
 * index it writes agree, and adding a tool renames no other tool's files.
 */

/** Tool name → file stem, for `names` in spec order. */
export function toolFileStems(names: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const stems = new Map<string, string>();
  for (const name of names) {
    let stem = name;
    for (let n = 2; taken.has(stem.toLowerCase()); n += 1) stem = `${name}.${n}`;
    taken.add(stem.toLowerCase());
    stems.set(name, stem);
  }
  return stems;
}
