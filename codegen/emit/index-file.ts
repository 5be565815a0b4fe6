/**
 * `generated/<backend>/index.gen.ts` (one backend: spec metadata from OpenAPI 3.1 §4.8.2 Info, §4.8.5 Servers,
 * §4.8.7 Components `securitySchemes`, plus tools and validators) and `generated/index.gen.ts` (the registry, with lazy
 * `import()`s so a server only loads the backends it serves).
 */
import type { JsonSchema } from '../../src/descriptor.js';
import { jsonLiteral, tsHeader } from './header.js';

/** Spec metadata carried by a backend's index. */
export interface BackendMeta {
  name: string;
  title: string;
  version: string;
  specFile: string;
  servers: string[];
  securitySchemes: Record<string, JsonSchema>;
}

/** Renders `generated/<backend>/index.gen.ts`. */
export function renderBackendIndex(meta: BackendMeta): string {
  const field = (key: string, value: unknown): string => `  ${key}: ${jsonLiteral(value).replace(/\n/g, '\n  ')},`;
  return `${tsHeader(meta.specFile)}
import type { GeneratedBackend } from '../../src/descriptor.js';
import { tools } from './tools.gen.js';
import { validators } from './validators.gen.js';

/** The ${JSON.stringify(meta.name)} backend: tools and precompiled validators generated from ${meta.specFile}. */
export const backend: GeneratedBackend = {
${field('name', meta.name)}
${field('title', meta.title)}
${field('version', meta.version)}
${field('specFile', meta.specFile)}
${field('servers', meta.servers)}
${field('securitySchemes', meta.securitySchemes)}
  tools,
  validators,
};
`;
}

/** Renders `generated/index.gen.ts` for backends (sorted by the caller). */
export function renderRegistry(source: string, names: readonly string[]): string {
  const loaders = names
    .map((name) => `  ${JSON.stringify(name)}: async () => (await import('./${name}/index.gen.js')).backend,`)
    .join('\n');
  return `${tsHeader(source)}
import type { GeneratedBackend } from '../src/descriptor.js';

/** Names of the generated backends, sorted. */
export const backendNames: string[] = ${JSON.stringify(names)};

/** Loads one backend on demand (a lazy import keeps start-up to the backends actually served). */
export const backendLoaders: Record<string, () => Promise<GeneratedBackend>> = {${loaders === '' ? '' : `\n${loaders}\n`}};
`;
}
