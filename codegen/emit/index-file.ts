/**
 * `generated/<backend>/index.gen.js` (one backend: spec metadata from OpenAPI 3.1 §4.8.2 Info, §4.8.5 Servers,
 * §4.8.7 Components `securitySchemes`, plus its tools and validators, imported from one module per tool) and
 * `generated/index.gen.js` (the registry, with lazy `import()`s so a server only loads the backends it serves).
 * Plain ES modules, loadable without a compile step; each has a `.d.ts` beside it for TypeScript callers.
 */
import type { JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';
import { jsonLiteral, tsHeader } from './header.js';
import { toolModuleName } from './tool-module.js';

/** Spec metadata carried by a backend's index. */
export interface BackendMeta {
  name: string;
  title: string;
  version: string;
  specFile: string;
  servers: string[];
  securitySchemes: Record<string, JsonSchema>;
}

/** Renders `generated/<backend>/index.gen.js`. */
export function renderBackendIndex(meta: BackendMeta, tools: ReadonlyArray<Pick<ToolDescriptor, 'name'>>): string {
  const field = (key: string, value: unknown): string => `  ${key}: ${jsonLiteral(value).replace(/\n/g, '\n  ')},`;
  const imports = tools.map((tool, i) => `import * as t${i} from './tools/${toolModuleName(tool)}';`);
  const list = tools.map((_, i) => `t${i}.tool`).join(', ');
  const validators = tools.map((tool, i) => `    ${JSON.stringify(tool.name)}: t${i}.validate,`);
  return `${[tsHeader(meta.specFile), ...imports].join('\n')}

/** The ${JSON.stringify(meta.name)} backend: tools and precompiled validators generated from ${meta.specFile}. */
/** @type {import('../../contract/descriptor.js').GeneratedBackend} */
export const backend = {
${field('name', meta.name)}
${field('title', meta.title)}
${field('version', meta.version)}
${field('specFile', meta.specFile)}
${field('servers', meta.servers)}
${field('securitySchemes', meta.securitySchemes)}
  tools: [${list}],
  validators: {${validators.length === 0 ? '' : `\n${validators.join('\n')}\n  `}},
};
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
