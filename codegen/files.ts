/**
 * The generated file set as a plan (root-relative path → content), compared with the disk for `--check` and applied
 * for a normal run. Only files that carry the codegen header (or a `.gen.` name) count as generated, so a stray
 * hand-written file in `generated/` is never deleted.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { FileState } from './report/format.js';
import { hasGeneratedHeader } from './emit/header.js';

/** Root-relative `/`-separated path → file content. */
export type FilePlan = Map<string, string>;

/** `/`-separated path of `file` relative to `root`. */
export function toRelative(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** Every file below `dir` (absolute paths, sorted); none when it does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** Whether an existing file was written by the generator. */
function isGenerated(path: string): boolean {
  if (/\.gen\.(?:d\.)?[a-z]+$/.test(path)) return true;
  try {
    return hasGeneratedHeader(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Compares the plan with the disk: each planned file fresh/stale/missing, each unplanned generated file extra —
 * except below the `keep` prefixes (root-relative, ending in `/`), whose files are left as they are.
 */
export function compareWithDisk(
  root: string,
  plan: FilePlan,
  generatedDirs: readonly string[],
  keep: readonly string[] = [],
): FileState[] {
  const states: FileState[] = [];
  for (const [path, content] of plan) {
    const absolute = join(root, path);
    if (!existsSync(absolute)) states.push({ path, status: 'missing' });
    else states.push({ path, status: readFileSync(absolute, 'utf8') === content ? 'fresh' : 'stale' });
  }
  for (const dir of generatedDirs) {
    for (const file of listFiles(dir)) {
      const path = toRelative(root, file);
      if (!plan.has(path) && !keep.some((prefix) => path.startsWith(prefix)) && isGenerated(file)) {
        states.push({ path, status: 'extra' });
      }
    }
  }
  return states.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes stale and missing files, deletes extra ones (and folders they leave empty). */
export function applyPlan(root: string, plan: FilePlan, states: readonly FileState[]): void {
  for (const state of states) {
    const absolute = join(root, state.path);
    if (state.status === 'stale' || state.status === 'missing') {
      mkdirSync(dirname(absolute), { recursive: true });
      writeFileSync(absolute, plan.get(state.path) as string);
    } else if (state.status === 'extra') {
      rmSync(absolute);
      // Folders the deletion leaves empty go too (a removed backend's `tools/`, then the backend's own folder).
      for (let folder = dirname(absolute); folder.startsWith(root) && folder !== root; folder = dirname(folder)) {
        if (!existsSync(folder) || readdirSync(folder).length > 0) break;
        rmdirSync(folder);
      }
    }
  }
}
