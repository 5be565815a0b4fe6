/**
 * FinOpps' entry in the backend registry: its settings, its overrides loaded only when FinOpps is served, and
 * the organisations the sandbox users' tokens carry.
 */
import type { BackendPlugin } from '../backend-plugin.js';
import { sandboxOrganisationClaims } from './organization.js';
import { FINOPPS_SETTINGS } from './settings.js';

export const finoppsPlugin: BackendPlugin = {
  settings: Object.values(FINOPPS_SETTINGS),
  create: async ({ settings, serviceToken }) => {
    const { createFinoppsOverrides } = await import('./overrides.js');
    return createFinoppsOverrides({
      organizationClaim: settings.read(FINOPPS_SETTINGS.orgClaim),
      serviceToken: () => serviceToken.getToken(),
      invalidateServiceToken: () => serviceToken.invalidate(),
    });
  },
  sandboxClaims: (settings) => sandboxOrganisationClaims(settings.read(FINOPPS_SETTINGS.orgClaim)),
};
