/**
 * `generated/<backend>/index.gen.js` (one backend, exported as `backend`) and `generated/index.gen.js` (the registry,
 * with lazy `import()`s so a server only loads the backends it serves). Plain ES modules, loadable without a compile
 * step; each has a `.d.ts` beside it for TypeScript callers.
 *
 * A backend's module reads its catalogue (`tools.gen.json`, descriptors-file.ts) and nothing per tool: each tool's
 * descriptor members beyond the catalogue's are getters that read its file (`tools/<stem>.gen.json`) on first use,
 * and each validator is a getter that `require()`s its module (`validators/<stem>.gen.cjs`, validators-file.ts) on
 * first use, synchronously. So a server reads and compiles only the tools it lists, describes or calls: memory at
 * start-up grows with the tools served, not with the spec (issue 23: Stripe's 22 MB of descriptors and Xero's
 * validators did not fit the launcher's 256 MB heap with `--tools` or `--dynamic`, which need one tool). Each
 * `require` names its file literally, so that a bundler (scripts/build-worker.mjs) finds every module.
 * `loadedParts()` says which tools have been loaded so far (a diagnostic for tests and measurements).
 */
import { type BackendMeta, DESCRIPTOR_KEYS, DESCRIPTORS_FILE, SUMMARY_KEYS, toolFile } from './descriptors-file.js';
import { tsHeader } from './header.js';
import { toolFileStems } from './tool-files.js';
import { validatorFile } from './validators-file.js';

/** The module's code after its per-tool table: the same for every backend. */
const LAZY_BACKEND = `/** What has been loaded so far, tool names in order of loading: a diagnostic for tests and measurements. */
const loaded = { descriptors: [], validators: [] };

const DESCRIPTOR_KEYS = ${JSON.stringify(DESCRIPTOR_KEYS)};
const SUMMARY_KEYS = new Set(${JSON.stringify(SUMMARY_KEYS)});

/** A descriptor: the catalogue's members now, the others (schemas, bindings) read from the tool's file on first use. */
function lazyDescriptor(summary) {
  let detail;
  const load = () => {
    if (detail === undefined) {
      detail = read(files.get(summary.name)[0]).tool;
      loaded.descriptors.push(summary.name);
    }
    return detail;
  };
  const tool = {};
  for (const key of DESCRIPTOR_KEYS) {
    if (!SUMMARY_KEYS.has(key)) {
      const get = () => load()[key];
      const set = (value) => {
        load()[key] = value;
      };
      Object.defineProperty(tool, key, { enumerable: true, configurable: true, get, set });
    } else if (key in summary) tool[key] = summary[key];
  }
  return tool;
}

/** Input validator per tool name, each module required on first use. */
const validators = {};
for (const [name, [, load]] of files) {
  const get = () => {
    const validate = load();
    loaded.validators.push(name);
    Object.defineProperty(validators, name, { value: validate, enumerable: true, configurable: true, writable: true });
    return validate;
  };
  Object.defineProperty(validators, name, { enumerable: true, configurable: true, get });
}`;

/** Renders `generated/<backend>/index.gen.js` for a backend whose tools are named `toolNames` (spec order). */
export function renderBackendIndex(meta: BackendMeta, toolNames: readonly string[]): string {
  const rows = [...toolFileStems(toolNames)].map(
    ([name, stem]) =>
      `  [${JSON.stringify(name)}, [${JSON.stringify(`./${toolFile(stem)}`)}, () => require(${JSON.stringify(`./${validatorFile(stem)}`)})]],`,
  );
  return `${tsHeader(meta.specFile)}
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const read = (file) => JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8'));
const { tools: summaries, ...meta } = read('./${DESCRIPTORS_FILE}').backend;

/** Per tool: its descriptor file and its validator's loader. */
const files = new Map([${rows.length === 0 ? '' : `\n${rows.join('\n')}\n`}]);

${LAZY_BACKEND}

/** @type {import('../../contract/descriptor.js').GeneratedBackend} The ${JSON.stringify(meta.name)} backend. */
export const backend = { ...meta, tools: summaries.map(lazyDescriptor), validators };

/** Tool names whose descriptor file, and whose validator, this process has loaded, in order of loading. */
export function loadedParts() {
  return { descriptors: [...loaded.descriptors], validators: [...loaded.validators] };
}
`;
}

/** Renders `generated/<backend>/index.gen.d.ts`. */
export function renderBackendTypes(meta: BackendMeta): string {
  return `${tsHeader(meta.specFile)}
import type { GeneratedBackend } from '../../contract/descriptor.js';

/** The ${JSON.stringify(meta.name)} backend generated from ${meta.specFile}. */
export declare const backend: GeneratedBackend;

/** Tool names whose descriptor file, and whose validator, this process has loaded, in order of loading. */
export declare function loadedParts(): { descriptors: string[]; validators: string[] };
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
