/**
 * What one backend's folder under `src/overrides/<backend>/` hands the CLI: the settings it reads beyond every
 * backend's `<BACKEND>_*` ones (merged into the README's table by `documentedSettings`, so a new backend adds
 * settings without touching generic code), a factory for its overrides, and what its sandbox users' tokens must
 * carry. The server's service credential reaches the factory lazily (it exists only once the sandbox or the real
 * token endpoint is known).
 */
import type { JsonSchema } from '../../contract/descriptor.js';
import type { BackendOverrides } from '../core/backend-overrides.js';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import type { SettingDef, Settings } from '../config.js';
import type { Logger } from '../log.js';
import type { SandboxClaims } from '../sandbox/sandbox-identities.js';

/** What the CLI passes to every override factory. */
interface OverrideFactoryDeps {
  settings: Settings;
  logger: Logger;
  /** The backend's service credential; calling `getToken` fails when none is configured. */
  serviceToken: ServiceTokenSource;
  /** How the backend is served: stdio is one user's process, so it may take that user's credentials from the environment. */
  transport: 'stdio' | 'http';
  /** The real backend's base URL (flag or `<BACKEND>_BACKEND_URL`); undefined when the sandbox mock serves it. */
  backendUrl?: string;
}

/** One backend's hand-written part. */
export interface BackendPlugin {
  /** The settings {@link create} reads besides `BACKEND_SETTINGS`: rows of the README's table. */
  settings: readonly SettingDef[];
  /** Creates the backend's overrides; their module is loaded only then (serving one backend loads no other's). */
  create(deps: OverrideFactoryDeps): Promise<BackendOverrides>;
  /**
   * Every JSON Schema its hand-written code is checked with (its tools' inputs and outputs, its forms). ajv compiles them on first
   * use; a build for a runtime that compiles no code (the Cloudflare Worker bundle, scripts/build-worker.mjs)
   * precompiles them from this list instead.
   */
  schemas?: readonly JsonSchema[];
  /** Claims the sandbox users' tokens carry for this backend, by user id (e.g. their organisations). */
  sandboxClaims?(settings: Settings): SandboxClaims;
}
