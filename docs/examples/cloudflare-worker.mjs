// finmcp's fetch handler as a Cloudflare Worker (workerd): the Worker's `fetch` serves every backend named in
// FINMCP_BACKENDS (comma-separated) with configuration from the Worker's vars and secrets, the same names as the
// README's table (FINMCP_PUBLIC_URL, B4B_BACKEND_URL, FINMCP_API_KEYS, ...). Bundled by scripts/build-worker.mjs
// (`wrangler deploy` runs it, see wrangler.toml); docs/serverless.md says what differs on Workers.
import { createServerlessHandler } from 'finmcp/serverless';
// A bundle has no generated/ folder to load the backends from at run time: they are imported here, statically.
import * as registry from '../../generated/index.gen.js';

/** The handler of this isolate, made on its first request (Workers allow no random values or I/O at start-up). */
let handler;

export default {
  async fetch(request, env) {
    handler ??= start(env);
    return (await handler).fetch(request);
  },
};

/** Builds the handler from the Worker's text bindings (vars and secrets); a failed start is retried next request. */
function start(env) {
  const settings = Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === 'string'));
  const started = createServerlessHandler((settings.FINMCP_BACKENDS ?? 'finopps').split(','), settings, { registry });
  started.catch(() => {
    handler = undefined;
  });
  return started;
}
