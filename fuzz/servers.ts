/**
 * The servers under fuzz, started from the CLI as a user starts them, on the sandbox (Prism mocks of the
 * specs and the sandbox OAuth server): one `finmcp serve finopps b4b --transport http --sandbox` on free
 * loopback ports, and one `finmcp serve <backend> --transport stdio --sandbox` per backend. FinOpps over HTTP
 * is called with a real sandbox access token for alice (authorization code + PKCE, as `finmcp token
 * --sandbox` does); over stdio the server signs in as the sandbox user itself. B4B signs in with the `login`
 * tool and the README's sandbox credentials. Every log line the servers write goes to `onLog`.
 */
import { freePort } from '../bench/ports.js';
import { finmcpCommand, type ServeProcess, spawnServe } from '../testkit/serve-process.js';
import { McpHttpSession, type McpHttpEndpoint } from '../bench/clients/mcp-http.js';
import { StdioFuzzClient } from './stdio-client.js';

/** The README's B4B sandbox credentials (Prism answers any well-formed login with the spec's example). */
export const B4B_SANDBOX_LOGIN = { phone: '+84909495665', password: 'SecurePassword123@' } as const;

/** Environment of every server under fuzz: logs at info (scanned for secrets), no rate limit in the way. */
const SERVER_ENV: Record<string, string> = {
  FINMCP_LOG_LEVEL: 'info',
  FINMCP_RATE_LIMIT_PER_MINUTE: '0',
};

/** A running HTTP server serving both backends. */
export interface HttpServerUnderFuzz {
  pid: number;
  endpoint(backend: string): McpHttpEndpoint;
  /** Why it exited, once it has. */
  exit(): string | undefined;
  /** Secrets it was given (the user token), to look for in answers. */
  secrets: string[];
  stop(): Promise<void>;
}

/** Waits until an MCP `initialize` succeeds on the endpoint (Prism takes seconds to start on a loaded machine). */
async function waitReady(endpoint: McpHttpEndpoint, server: ServeProcess, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  let last = 'not started';
  while (performance.now() < deadline) {
    if (server.exit() !== undefined) throw new Error(`the server exited during start-up: ${server.output()}`);
    const session = new McpHttpSession(endpoint);
    try {
      await session.initialize(5000);
      await session.close();
      return;
    } catch (error) {
      session.disconnect();
      last = error instanceof Error ? error.message : String(error);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the server was not ready within ${limitMs / 1000} s: ${last}\n${server.output()}`);
}

/** Starts `finmcp serve finopps b4b --transport http --sandbox` and obtains alice's FinOpps token. */
export async function startHttpServer(onLog: (line: string) => void): Promise<HttpServerUnderFuzz> {
  const port = await freePort();
  const authPort = await freePort();
  const server = spawnServe({
    backends: ['finopps', 'b4b'],
    args: ['--transport', 'http', '--sandbox', '--host', '127.0.0.1', '--port', String(port)],
    env: { ...SERVER_ENV, FINMCP_SANDBOX_AUTH_PORT: String(authPort) },
    onLine: onLog,
  });
  // The resource as the client names it: requests go to 127.0.0.1, so the token is for that host (the resource
  // follows the Host the client used).
  const publicUrl = `http://127.0.0.1:${port}`;
  const endpointOf = (backend: string, headers?: Record<string, string>): McpHttpEndpoint => ({
    host: '127.0.0.1',
    port,
    path: `/${backend}/mcp`,
    ...(headers === undefined ? {} : { headers }),
  });
  try {
    await waitReady(endpointOf('b4b'), server, 180_000);
    // The same modules the CLI's `token --sandbox` uses, compiled alongside this one.
    // Generated backends are loaded at run time from generated/ (never compiled into dist/), as the CLI does.
    const [{ obtainSandboxToken }, { specScopes }, { backendLoaders }] = await Promise.all([
      import('../src/sandbox/authorization-server.js'),
      import('../src/auth/scopes.js'),
      import('../src/cli/generated.js').then(({ loadBackendRegistry }) => loadBackendRegistry()),
    ]);
    const finopps = await backendLoaders.finopps!();
    const token = await obtainSandboxToken({
      issuer: `http://127.0.0.1:${authPort}`,
      user: 'alice',
      resource: `${publicUrl}/finopps/mcp`,
      scopes: specScopes(finopps),
    });
    return {
      pid: server.child.pid ?? -1,
      endpoint: (backend) =>
        endpointOf(backend, backend === 'finopps' ? { Authorization: `Bearer ${token}` } : undefined),
      exit: server.exit,
      secrets: [token],
      stop: async () => {
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Starts `finmcp serve <backend> --transport stdio --sandbox`. */
export function startStdioServer(root: string, backend: string, onLog: (line: string) => void): StdioFuzzClient {
  return StdioFuzzClient.spawn({
    ...finmcpCommand('serve', backend, '--transport', 'stdio', '--sandbox'),
    cwd: root,
    env: SERVER_ENV,
    onLog,
  });
}
