/**
 * Step 2 of `finmcp serve`: what each named backend is — its generated descriptors, its overrides (created before
 * the sandbox starts: whether a backend signs users in with OAuth, or calls its API with the server's own
 * client credentials, decides what the sandbox runs) and where its API is (a real URL, or the Prism mock).
 */
import type { ServiceTokenSource } from '../../auth/client-credentials.js';
import { BACKEND_SETTINGS, ConfigError, type Settings } from '../../config.js';
import type { BackendOverrides } from '../../core/backend-overrides.js';
import type { GeneratedBackend } from '../../../contract/descriptor.js';
import type { Logger } from '../../log.js';
import type { BackendPlugin } from '../../overrides/backend-plugin.js';
import { clientCredentialsScheme, lazyServiceToken } from '../service-tokens.js';
import type { ServeConfig } from './serve-config.js';

/** One backend to serve, before anything is started for it. */
export interface BackendPlan {
  name: string;
  generated: GeneratedBackend;
  /** Its hand-written part, when it has one. */
  module?: BackendPlugin;
  overrides: BackendOverrides;
  /** Users sign in with OAuth: the MCP endpoint is a resource server. */
  oauth: boolean;
  /** The backend API is called with the server's own client-credentials token. */
  serviceCredential: boolean;
  /** The real API's base URL; undefined when the Prism mock serves it. */
  backendUrl?: string;
}

/**
 * Loads the backends' descriptors and creates their overrides. `serviceTokens` is filled later (once the token
 * endpoint is known); overrides reach it through a lazy source.
 */
export async function planBackends(config: ServeConfig, settings: Settings, logger: Logger, serviceTokens: Map<string, ServiceTokenSource>): Promise<BackendPlan[]> {
  const { backendLoaders } = await (await import('../generated.js')).loadBackendRegistry();
  const { backendModules } = await import('../../overrides/index.js');
  const plans: BackendPlan[] = [];
  for (const name of config.backendNames) {
    const load = backendLoaders[name];
    if (load === undefined) {
      throw new ConfigError(`unknown backend "${name}": available are ${Object.keys(backendLoaders).join(', ')}`);
    }
    const generated = await load();
    const configured = settings.readBackend(name, BACKEND_SETTINGS.backendUrl, config.backendUrlFlag);
    const backendUrl = config.sandbox ? undefined : configured;
    const module = backendModules[name];
    const overrides =
      (await module?.create({
        settings,
        logger,
        serviceToken: lazyServiceToken(serviceTokens, name),
        transport: config.transport,
        ...(backendUrl === undefined ? {} : { backendUrl }),
      })) ?? {};
    plans.push({
      name,
      generated,
      ...(module === undefined ? {} : { module }),
      overrides,
      oauth: overrides.inboundAuth === 'oauth',
      serviceCredential: clientCredentialsScheme(generated) !== undefined,
      ...(backendUrl === undefined ? {} : { backendUrl }),
    });
  }
  return plans;
}
