/**
 * Public entry for serverless deployments (`finmcp/serverless`): the backends served by a web-standard handler,
 * `(request: Request) => Promise<Response>` (WHATWG Fetch), e.g. on AWS Lambda behind API Gateway
 * (docs/serverless.md). Configuration comes from the environment, exactly as for `finmcp serve --transport http`
 * (the README's table); `FINMCP_PUBLIC_URL` must be the URL clients use, since it names the OAuth resource and the
 * accepted `Host`.
 */
import type { JsonSchema, PrecompiledValidator } from '../contract/descriptor.js';
import type { BackendRegistry } from './cli/generated.js';
import { startServers } from './cli/serve.js';
import { projectBackendSources } from './cli/serve/backend-plans.js';
import { SETTINGS, Settings } from './config.js';
import { usePrecompiledValidators } from './core/validation.js';
import { createLogger } from './log.js';

export { createFetchHandler, type FetchHandler, type FetchHandlerOptions } from './transport/http/fetch-handler.js';

/** A started serverless handler. */
export interface ServerlessHandler {
  /** Serves one request. */
  fetch(request: Request): Promise<Response>;
  /** Stops what the handler started (backend pools, a sandbox when `FINMCP_SANDBOX` is set). */
  close(): Promise<void>;
  /** MCP endpoint URL per backend. */
  endpoints: Record<string, string>;
  /** Issuer of the sandbox authorization server, when `FINMCP_SANDBOX` started one (local trials). */
  sandboxIssuer?: string;
}

/** Options of {@link createServerlessHandler}. */
export interface ServerlessOptions {
  /**
   * The generated backends (`generated/index.gen.js`'s exports) when the handler is bundled (Cloudflare Workers):
   * a bundle has no generated/ folder to load them from at run time, so it imports the registry statically.
   */
  registry?: BackendRegistry;
  /**
   * Validators compiled at build time for the backend plugins' hand-written schemas (their `schemas`), for runtimes
   * that compile no code at run time (Cloudflare Workers): scripts/build-worker.mjs writes them.
   */
  validators?: Iterable<readonly [JsonSchema, PrecompiledValidator]>;
}

/**
 * Builds the handler for `backends` (e.g. `['acme']`) from `env`: call it once per instance (cold start) and
 * reuse it for every request.
 */
export async function createServerlessHandler(
  backends: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: ServerlessOptions = {},
): Promise<ServerlessHandler> {
  if (options.validators !== undefined) usePrecompiledValidators(options.validators);
  const settings = new Settings(env);
  const logger = createLogger({ level: settings.read(SETTINGS.logLevel) });
  const sources = options.registry === undefined ? undefined : await projectBackendSources(options.registry);
  const running = await startServers(backends, { transport: 'http', fetchHandler: true }, settings, logger, sources);
  const fetch = running.fetch;
  if (fetch === undefined) throw new Error('the servers started without a fetch handler');
  return {
    fetch,
    close: () => running.close(),
    endpoints: running.endpoints,
    ...(running.sandboxIssuer === undefined ? {} : { sandboxIssuer: running.sandboxIssuer }),
  };
}
