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
import type { BackendRegistry } from '../generated.js';
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
  /** The folder its spec file and docs/tools.md are relative to, when not the project root. */
  root?: string;
}

/** Where a backend comes from: its generated descriptors and, when it has one, its hand-written part. */
export interface BackendSource {
  load(): Promise<GeneratedBackend>;
  plugin?: BackendPlugin;
  /** The folder its spec file and docs/tools.md are relative to; the project root by default. */
  root?: string;
}

/**
 * The project's backends: those of `registry` (by default generated/index.gen.js, loaded from its computed path at
 * run time), each with its hand-written part from src/overrides/ when it has one.
 */
export async function projectBackendSources(registry?: BackendRegistry): Promise<Record<string, BackendSource>> {
  const { backendLoaders } = registry ?? (await (await import('../generated.js')).loadBackendRegistry());
  const { backendModules } = await import('../../overrides/index.js');
  const sources: Record<string, BackendSource> = {};
  for (const [name, load] of Object.entries(backendLoaders)) {
    const plugin = backendModules[name];
    sources[name] = plugin === undefined ? { load } : { load, plugin };
  }
  return sources;
}

/**
 * Loads the backends' descriptors and creates their overrides. `serviceTokens` is filled later (once the token
 * endpoint is known); overrides reach it through a lazy source. The project's backends are those of generated/
 * with the plugins of src/overrides/; an embedding program (e.g. a test) may add backends of its own in `extra`,
 * served exactly like them.
 */
export async function planBackends(
  config: ServeConfig,
  settings: Settings,
  logger: Logger,
  serviceTokens: Map<string, ServiceTokenSource>,
  extra: Readonly<Record<string, BackendSource>> = {},
): Promise<BackendPlan[]> {
  // A bundle (Cloudflare Workers) has no generated/ folder to load at run time: it brings every backend in `extra`.
  const fromProject = config.backendNames.some((name) => extra[name] === undefined);
  const sources = { ...(fromProject ? await projectBackendSources() : {}), ...extra };
  const plans: BackendPlan[] = [];
  for (const name of config.backendNames) {
    const source = sources[name];
    if (source === undefined) {
      throw new ConfigError(`unknown backend "${name}": available are ${Object.keys(sources).join(', ')}`);
    }
    const generated = await source.load();
    const configured = settings.readBackend(name, BACKEND_SETTINGS.backendUrl, config.backendUrlFlag);
    const backendUrl = config.sandbox ? undefined : configured;
    const module = source.plugin;
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
      ...(source.root === undefined ? {} : { root: source.root }),
    });
  }
  return plans;
}
