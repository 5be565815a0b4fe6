// finmcp's fetch handler as a Cloudflare Worker (workerd): the Worker's `fetch` serves every backend named in
// FINMCP_BACKENDS (comma-separated) with configuration from the Worker's vars and secrets, under the names of the
// README's table (FINMCP_PUBLIC_URL, B4B_BACKEND_URL, FINMCP_API_KEYS, ...). Bundled by scripts/build-worker.mjs,
// which `wrangler deploy` runs (wrangler.toml); docs/serverless.md says what differs on Workers.
import { createServerlessHandler } from 'finmcp/serverless';
// A bundle has no generated/ folder to load the backends from at run time: they are imported here, statically.
import * as registry from '../../generated/index.gen.js';
// Validators of the hand-written schemas, compiled at build time: a Worker may compile no code (no eval).
import { precompiled } from 'finmcp-worker:precompiled-validators';

/** This isolate's handler, made on its first request (Workers allow no random values or I/O at start-up). */
let handler;

export default {
  async fetch(request, env) {
    handler ??= createServerlessHandler(backendsOf(env), settingsOf(env), { registry, validators: precompiled });
    let mcp;
    try {
      mcp = await handler;
    } catch (error) {
      // A configuration error: said in the Worker's logs, not to callers; the next request tries again.
      handler = undefined;
      console.error(`finmcp could not start: ${error instanceof Error ? error.message : String(error)}`);
      return new Response("finmcp could not start: see the Worker's logs\n", { status: 503 });
    }
    return mcp.fetch(request);
  },
};

/** The Worker's text bindings (vars and secrets): the settings, as environment variables are elsewhere. */
function settingsOf(env) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === 'string'));
}

function backendsOf(env) {
  return (typeof env.FINMCP_BACKENDS === 'string' ? env.FINMCP_BACKENDS : 'finopps').split(',');
}
