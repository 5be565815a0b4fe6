/**
 * The installed packages a production install of the project needs: its `dependencies`, then theirs (with their
 * `optionalDependencies` and `peerDependencies` when installed), each found the way Node finds it — in the
 * requiring package's own `node_modules`, then in each folder above it, up to the project root. What a bundle ships
 * is what `npm ci --omit=dev` would have installed, taken from the clone's `node_modules` (no network, no second
 * install), without the development tools.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface PackageManifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** The folder Node loads `name` from when `from` requires it; undefined when it is not installed. */
function resolvePackage(root: string, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/**
 * The top-level folders of `node_modules` (relative to `root`, e.g. `node_modules/@scope/name`) holding every
 * package the project's `dependencies` need. A package installed inside another's `node_modules` is reached only
 * through that package, so shipping the top-level folders ships it too.
 */
export function productionPackages(root: string): string[] {
  const seen = new Set<string>();
  const missing: string[] = [];
  const visit = (from: string, manifest: PackageManifest): void => {
    // An optional or peer dependency may be absent (e.g. another platform's binary); optional wins over required.
    const wanted = new Map<string, boolean>();
    for (const name of Object.keys(manifest.dependencies ?? {})) wanted.set(name, true);
    for (const name of Object.keys(manifest.peerDependencies ?? {})) wanted.set(name, wanted.get(name) ?? false);
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) wanted.set(name, false);
    for (const [name, must] of wanted) {
      const dir = resolvePackage(root, from, name);
      if (dir === undefined) {
        if (must) missing.push(`${name} (needed by ${relative(root, from) || 'the project'})`);
        continue;
      }
      if (seen.has(dir)) continue;
      seen.add(dir);
      visit(dir, readManifest(dir));
    }
  };
  visit(root, readManifest(root));
  if (missing.length > 0) {
    throw new Error(`cannot bundle: not installed: ${missing.join(', ')}; run \`npm ci\` first`);
  }
  const topLevel = [...seen]
    .map((dir) => relative(root, dir).split(sep).join('/'))
    .filter((path) => path.split('/node_modules/').length === 1);
  return topLevel.sort();
}
