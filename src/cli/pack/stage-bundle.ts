/**
 * Lays out one bundle's folder before it is zipped: the manifest, a package.json for the bundle, the CLI script, the
 * compiled runtime (`dist/src`, `dist/contract`, `dist/generated`), the backend's generated descriptors, its spec (the
 * sandbox mocks it and serves it as a resource), docs/tools.md (served as a resource) and the production packages.
 * Large folders are linked, not copied: the packer reads through the links, so staging costs no copy of
 * `node_modules`. The layout is the clone's, so the runtime finds its files from the bundle root as it does from the
 * project root (src/paths.ts).
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { GeneratedBackend } from '../../../contract/descriptor.js';
import { productionPackages } from './production-packages.js';

/** Compiled folders the server loads (not the generator, benchmarks or tests). */
const RUNTIME_FOLDERS = ['dist/src', 'dist/contract', 'dist/generated'];

/**
 * Packer exclusions beyond mcpb's own (`*.d.ts`, `*.map`, `node_modules/.bin`, …; gitignore syntax): command links
 * inside packages, and of TypeScript (loaded by code mode) all but its compiler API and the standard library
 * declarations programs are checked against — not its command-line compiler, language server or translations.
 */
const IGNORE_FILE = [
  '.bin',
  'node_modules/typescript/lib/*',
  '!node_modules/typescript/lib/typescript.js',
  '!node_modules/typescript/lib/lib.*.d.ts',
  '',
].join('\n');

/** What goes into one bundle's folder. */
export interface StageInputs {
  /** The project root. */
  root: string;
  /** The empty folder to fill. */
  dir: string;
  generated: GeneratedBackend;
  manifest: object;
  /** The bundle's package.json. */
  packageJson: object;
  /** The CLI script, relative to the root. */
  entryPoint: string;
}

/** Fills `dir`; returns the production packages linked in. */
export function stageBundle(inputs: StageInputs): string[] {
  const { root, dir, generated } = inputs;
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(inputs.manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(inputs.packageJson, null, 2)}\n`);
  writeFileSync(join(dir, '.mcpbignore'), IGNORE_FILE);
  copyInto(root, dir, inputs.entryPoint);
  copyInto(root, dir, 'docs/tools.md');
  copyInto(root, dir, 'generated/index.gen.js');
  // The backend's descriptors and validators, per-tool folders included (the .ts files are types for hand-written
  // tools, compiled into dist/).
  const generatedDir = join('generated', generated.name);
  const files = readdirSync(join(root, generatedDir), { recursive: true, encoding: 'utf8' });
  for (const file of files.filter((name) => /\.(c?js|json)$/.test(name))) copyInto(root, dir, join(generatedDir, file));
  // A spec split over files lives in its own folder (specs/<name>/openapi.yaml): all of it is needed.
  const specDir = dirname(generated.specFile);
  if (basename(specDir) === generated.name) cpSync(join(root, specDir), join(dir, specDir), { recursive: true });
  else copyInto(root, dir, generated.specFile);
  const packages = productionPackages(root);
  for (const folder of [...RUNTIME_FOLDERS, ...packages]) linkInto(root, dir, folder);
  return packages;
}

function copyInto(root: string, dir: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  copyFileSync(join(root, path), join(dir, path));
}

/** Links a folder of the root into the bundle's folder ('junction': a folder link Windows allows without rights). */
function linkInto(root: string, dir: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  symlinkSync(join(root, path), join(dir, path), 'junction');
}
