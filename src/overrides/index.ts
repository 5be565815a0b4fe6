/**
 * The registry of per-backend modules the CLI (`finmcp serve`, `finmcp token`) looks up by backend name. Each
 * declares the settings it reads beyond every backend's `<BACKEND>_*` ones (merged into the README's table by
 * `documentedSettings`, so a new backend adds settings without touching generic code), creates its overrides,
 * and may say what its sandbox users' tokens must carry. The server's service credential reaches the factory
 * lazily (it exists only once the sandbox or the real token endpoint is known).
 */
import type { BackendOverrides } from '../contracts.js';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import type { SettingDef, Settings } from '../config.js';
import type { Logger } from '../log.js';
import type { SandboxClaims } from '../sandbox/sandbox-identities.js';
import { B4B_SETTINGS } from './b4b-settings.js';
import { FINOPPS_SETTINGS } from './finopps-settings.js';
import { sandboxOrganisationClaims } from './organization.js';

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
export interface BackendModule {
  /** The settings {@link create} reads besides `BACKEND_SETTINGS`: rows of the README's table. */
  settings: readonly SettingDef[];
  /** Creates the backend's overrides; their module is loaded only then (serving one backend loads no other's). */
  create(deps: OverrideFactoryDeps): Promise<BackendOverrides>;
  /** Claims the sandbox users' tokens carry for this backend, by user id (e.g. their organisations). */
  sandboxClaims?(settings: Settings): SandboxClaims;
}

/** Backend modules by backend name; a backend without an entry is served with no overrides. */
export const backendModules: Readonly<Record<string, BackendModule>> = {
  b4b: {
    settings: Object.values(B4B_SETTINGS),
    create: async ({ settings, transport, backendUrl }) => {
      const { createB4bOverrides } = await import('./b4b.js');
      const phone = settings.read(B4B_SETTINGS.phone);
      const password = settings.read(B4B_SETTINGS.password);
      return createB4bOverrides({
        maxXmlBytes: settings.read(B4B_SETTINGS.maxXmlBytes),
        requireConfirmation: settings.read(B4B_SETTINGS.requireConfirmation),
        ...(backendUrl === undefined ? {} : { backendUrl }),
        ...(transport === 'stdio' && phone !== undefined && password !== undefined ? { credentials: { phone, password } } : {}),
      });
    },
  },
  finopps: {
    settings: Object.values(FINOPPS_SETTINGS),
    create: async ({ settings, serviceToken }) => {
      const { createFinoppsOverrides } = await import('./finopps.js');
      return createFinoppsOverrides({
        organizationClaim: settings.read(FINOPPS_SETTINGS.orgClaim),
        serviceToken: () => serviceToken.getToken(),
        invalidateServiceToken: () => serviceToken.invalidate(),
      });
    },
    sandboxClaims: (settings) => sandboxOrganisationClaims(settings.read(FINOPPS_SETTINGS.orgClaim)),
  },
};
