// finmcp's fetch handler served by the runtime's own HTTP server: Deno (`Deno.serve`) or Bun (`Bun.serve`).
// The same handler every runtime runs; see docs/serverless.md. Configuration
// comes from the environment as for `finmcp serve --transport http` (the README's table): FINMCP_PORT is where it
// listens (on 127.0.0.1), FINMCP_PUBLIC_URL the URL clients use, FINMCP_BACKENDS the backends (comma-separated).
//   deno run -A docs/examples/fetch-server.mjs      bun docs/examples/fetch-server.mjs
import { createServerlessHandler } from 'finmcp/serverless';

const env = globalThis.Deno?.env.toObject() ?? process.env;
const port = Number(env.FINMCP_PORT ?? 3000);
const mcp = await createServerlessHandler((env.FINMCP_BACKENDS ?? 'finopps').split(','), env);
const ready = (listening) => console.log(JSON.stringify({ listening, endpoints: mcp.endpoints }));

if (globalThis.Deno !== undefined) {
  const server = Deno.serve({ hostname: '127.0.0.1', port, onListen: ({ port: bound }) => ready(bound) }, (request) =>
    mcp.fetch(request),
  );
  Deno.addSignalListener(
    'SIGTERM',
    () =>
      void server
        .shutdown()
        .then(() => mcp.close())
        .then(() => Deno.exit(0)),
  );
} else if (globalThis.Bun !== undefined) {
  const server = Bun.serve({ hostname: '127.0.0.1', port, fetch: (request) => mcp.fetch(request) });
  ready(server.port);
  process.once(
    'SIGTERM',
    () =>
      void server
        .stop()
        .then(() => mcp.close())
        .then(() => process.exit(0)),
  );
} else {
  throw new Error('run this with deno or bun (on Node, `finmcp serve --transport http` serves the same handler)');
}
