/**
 * The registry of per-backend overrides the CLI (`finmcp serve`) looks up by backend name. Each factory reads
 * its own settings (README settings table: `B4B_MAX_XML_BYTES`, `<BACKEND>_ORG_CLAIM`) and gets the server's
 * service credential lazily (it exists only once the sandbox or the real token endpoint is known).
 */
import type { BackendOverrides } from '../contracts.js';
import type { Settings } from '../config.js';
import type { Logger } from '../log.js';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import { createB4bOverrides } from './b4b.js';
import { createFinoppsOverrides } from './finopps.js';
import { DEFAULT_MAX_XML_BYTES } from './xml-guard.js';


/** What the CLI passes to every override factory. */
export interface OverrideFactoryDeps {
  settings: Settings;
  logger: Logger;
  /** The backend's service credential; calling `getToken` fails when none is configured. */
  serviceToken: ServiceTokenSource;
  /** How the backend is served: stdio is one user's process, so it may take that user's credentials from the environment. */
  transport: 'stdio' | 'http';
}

/** Creates one backend's overrides. */
export type OverrideFactory = (deps: OverrideFactoryDeps) => BackendOverrides;

/** Override factories by backend name; a backend without an entry is served with no overrides. */
export const overrideFactories: Readonly<Record<string, OverrideFactory>> = {
  b4b: ({ settings, transport }) => {
    const phone = settings.optional('B4B_PHONE');
    const password = settings.optional('B4B_PASSWORD');
    return createB4bOverrides({
      maxXmlBytes: settings.int('B4B_MAX_XML_BYTES', DEFAULT_MAX_XML_BYTES),
      requireConfirmation: settings.bool('B4B_REQUIRE_CONFIRMATION'),
      ...backendUrl(settings.backend('b4b', 'BACKEND_URL')),
      ...(transport === 'stdio' && phone !== undefined && password !== undefined ? { credentials: { phone, password } } : {}),
    });
  },
  finopps: ({ settings, serviceToken }) =>
    createFinoppsOverrides({
      ...orgClaim(settings.backend('finopps', 'ORG_CLAIM')),
      serviceToken: () => serviceToken.getToken(),
      invalidateServiceToken: () => serviceToken.invalidate(),
    }),
};

function backendUrl(value: string | undefined): { backendUrl?: string } {
  return value === undefined ? {} : { backendUrl: value };
}

function orgClaim(value: string | undefined): { organizationClaim?: string } {
  return value === undefined ? {} : { organizationClaim: value };
}
