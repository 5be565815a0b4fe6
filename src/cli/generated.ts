/**
 * The registry of generated backends, loaded at run time from `<project>/generated/index.gen.js`: plain ES modules
 * (and the JSON descriptors they read) written by `finmcp generate`, so a backend generated a moment ago is servable
 * without compiling anything.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { projectRoot } from '../paths.js';

/** What `generated/index.gen.js` exports. */
export interface BackendRegistry {
  backendNames: string[];
  backendLoaders: Record<string, () => Promise<GeneratedBackend>>;
}

/** Loads the registry; a project that was never generated has no backends. */
export async function loadBackendRegistry(): Promise<BackendRegistry> {
  const file = join(projectRoot(), 'generated', 'index.gen.js');
  try {
    return (await import(pathToFileURL(file).href)) as BackendRegistry;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(file)) {
      return { backendNames: [], backendLoaders: {} };
    }
    throw error;
  }
}
