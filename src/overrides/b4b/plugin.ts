/**
 * B4B's entry in the backend registry: its settings, and its overrides loaded only when B4B is served. The
 * account credentials from the environment are used over stdio only (one user's own process).
 */
import type { BackendPlugin } from '../backend-plugin.js';
import { CREDENTIALS, LOGIN_INPUT, LOGIN_OUTPUT, LOGOUT_OUTPUT, NO_INPUT, WHOAMI_OUTPUT } from './schemas.js';
import { B4B_SETTINGS } from './settings.js';

export const b4bPlugin: BackendPlugin = {
  settings: Object.values(B4B_SETTINGS),
  schemas: [LOGIN_INPUT, LOGIN_OUTPUT, NO_INPUT, LOGOUT_OUTPUT, WHOAMI_OUTPUT, CREDENTIALS],
  create: async ({ settings, transport, backendUrl }) => {
    const { createB4bOverrides } = await import('./overrides.js');
    const phone = settings.read(B4B_SETTINGS.phone);
    const password = settings.read(B4B_SETTINGS.password);
    return createB4bOverrides({
      maxXmlBytes: settings.read(B4B_SETTINGS.maxXmlBytes),
      requireConfirmation: settings.read(B4B_SETTINGS.requireConfirmation),
      ...(backendUrl === undefined ? {} : { backendUrl }),
      ...(transport === 'stdio' && phone !== undefined && password !== undefined
        ? { credentials: { phone, password } }
        : {}),
    });
  },
};
