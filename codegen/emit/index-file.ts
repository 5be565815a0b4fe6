/**
 * `generated/<backend>/index.gen.js` (one backend: its descriptors, read as data from `tools.gen.json`, and its
 * precompiled validators from `validators.gen.js`) and `generated/index.gen.js` (the registry, with lazy `import()`s
 * so a server only loads the backends it serves). Plain ES modules, loadable without a compile step; each has a
 * `.d.ts` beside it for TypeScript callers.
 */
import { type BackendMeta, DESCRIPTORS_FILE } from './descriptors-file.js';
import { tsHeader } from './header.js';
import { VALIDATORS_FILE } from './validators-file.js';

/** Renders `generated/<backend>/index.gen.js`: two reads, nothing per tool. */
export function renderBackendIndex(meta: BackendMeta): string {
  return `${tsHeader(meta.specFile)}
import { readFileSync } from 'node:fs';
import { validators } from './${VALIDATORS_FILE}';

/** @type {import('../../contract/descriptor.js').GeneratedBackend} The ${JSON.stringify(meta.name)} backend. */
export const backend = { ...JSON.parse(readFileSync(new URL('./${DESCRIPTORS_FILE}', import.meta.url), 'utf8')).backend, validators };
`;
}

/** Renders `generated/<backend>/index.gen.d.ts`. */
export function renderBackendTypes(meta: BackendMeta): string {
  return `${tsHeader(meta.specFile)}
import type { GeneratedBackend } from '../../contract/descriptor.js';

/** The ${JSON.stringify(meta.name)} backend generated from ${meta.specFile}. */
export declare const backend: GeneratedBackend;
`;
}

/** Renders `generated/index.gen.js` for backends (sorted by the caller). */
export function renderRegistry(source: string, names: readonly string[]): string {
  const loaders = names
    .map((name) => `  ${JSON.stringify(name)}: async () => (await import('./${name}/index.gen.js')).backend,`)
    .join('\n');
  return `${tsHeader(source)}

/** Names of the generated backends, sorted. */
export const backendNames = ${JSON.stringify(names)};

/** Loads one backend on demand (a lazy import keeps start-up to the backends actually served). */
export const backendLoaders = {${loaders === '' ? '' : `\n${loaders}\n`}};
`;
}

/** Renders `generated/index.gen.d.ts`. */
export function renderRegistryTypes(source: string): string {
  return `${tsHeader(source)}
import type { GeneratedBackend } from '../contract/descriptor.js';

/** Names of the generated backends, sorted. */
export declare const backendNames: string[];

/** Loads one backend on demand. */
export declare const backendLoaders: Record<string, () => Promise<GeneratedBackend>>;
`;
}
