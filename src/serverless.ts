/**
 * Public entry for serverless deployments (`finmcp/serverless`): the backends served by a web-standard handler,
 * `(request: Request) => Promise<Response>` (WHATWG Fetch), e.g. on AWS Lambda behind API Gateway
 * (docs/serverless.md). Configuration comes from the environment, exactly as for `finmcp serve --transport http`
 * (the README's table); `FINMCP_PUBLIC_URL` must be the URL clients use, since it names the OAuth resource and the
 * accepted `Host`.
 */
import { startServers } from './cli/serve.js';
import { SETTINGS, Settings } from './config.js';
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

/**
 * Builds the handler for `backends` (e.g. `['acme']`) from `env`: call it once per instance (cold start) and
 * reuse it for every request.
 */
export async function createServerlessHandler(
  backends: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerlessHandler> {
  const settings = new Settings(env);
  const logger = createLogger({ level: settings.read(SETTINGS.logLevel) });
  const running = await startServers(backends, { transport: 'http', fetchHandler: true }, settings, logger);
  const fetch = running.fetch;
  if (fetch === undefined) throw new Error('the servers started without a fetch handler');
  return {
    fetch,
    close: () => running.close(),
    endpoints: running.endpoints,
    ...(running.sandboxIssuer === undefined ? {} : { sandboxIssuer: running.sandboxIssuer }),
  };
}
