/**
 * The registry of per-backend modules the CLI (`finmcp serve`, `finmcp token`) looks up by backend name. Each
 * backend with hand-written parts is one folder, `src/overrides/<backend>/`, holding its overrides, settings and
 * guards; its `plugin.ts` is listed here. A backend without an entry is served with no overrides.
 */
import type { BackendPlugin } from './backend-plugin.js';
import { b4bPlugin } from './b4b/plugin.js';
import { finoppsPlugin } from './finopps/plugin.js';

/** Backend modules by backend name. */
export const backendModules: Readonly<Record<string, BackendPlugin>> = {
  b4b: b4bPlugin,
  finopps: finoppsPlugin,
};
