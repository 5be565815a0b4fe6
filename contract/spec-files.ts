/**
 * Where the API descriptions of a project are, for the generator and for `finmcp mock`: `specs/<name>.{yaml,yml,json}`
 * (one file), or `specs/<name>/openapi.{yaml,yml,json}` (a folder holding a description split over several files,
 * whose parts are read only through references from that entry file — never taken for specs of their own).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** A single-file description's name pattern. */
const SPEC_FILE = /\.(ya?ml|json)$/;
/** Entry file names of a folder description, in the order they are looked for. */
const ENTRY_FILES = ['openapi.yaml', 'openapi.yml', 'openapi.json'];

/** The entry files of the descriptions in `specsDir`, sorted by backend name. */
export function listSpecs(specsDir: string): string[] {
  if (!existsSync(specsDir)) return [];
  const specs: string[] = [];
  for (const entry of readdirSync(specsDir, { withFileTypes: true })) {
    if (entry.isFile() && SPEC_FILE.test(entry.name)) specs.push(join(specsDir, entry.name));
    else if (entry.isDirectory()) {
      const file = ENTRY_FILES.find((name) => existsSync(join(specsDir, entry.name, name)));
      if (file !== undefined) specs.push(join(specsDir, entry.name, file));
    }
  }
  return specs.sort((a, b) => (specName(specsDir, a) < specName(specsDir, b) ? -1 : 1));
}

/** The backend name of a spec entry file of `specsDir`: the file name without extension, or the folder's name. */
export function specName(specsDir: string, file: string): string {
  return resolve(dirname(file)) === resolve(specsDir) ? basename(file, extname(file)) : basename(dirname(file));
}

/** The entry file of backend `name`, if `specsDir` has one. */
export function findSpec(specsDir: string, name: string): string | undefined {
  return listSpecs(specsDir).find((file) => specName(specsDir, file) === name);
}
