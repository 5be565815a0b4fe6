/**
 * One fetch handler for every runtime (issue 26): the real Deno and Bun from npm (pinned devDependencies) run
 * docs/examples/fetch-server.mjs, which serves `finmcp/serverless` with the runtime's own HTTP server, and the
 * official SDK client talks to it: FinOpps with a bearer token from the sandbox authorization server (the server
 * verifies it and calls the backend with its own client-credentials token), B4B with an API key (list, call, sign
 * in, a write the user confirms through elicitation). The backends are the Prism mocks of the specs, started here on
 * Node; every backend call goes through the runtime's fetch (backend-http.ts picks it off Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendLoaders } from '../../generated/index.gen.js';
import { specScopes } from '../../src/auth/scopes.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { findFreePort } from '../../src/free-port.js';
import { createLogger } from '../../src/log.js';
import { sandboxOrganisationClaims } from '../../src/overrides/finopps/organization.js';
import { projectRoot } from '../../src/paths.js';
import {
  obtainSandboxToken,
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';
import { SANDBOX_IDENTITIES, SANDBOX_SERVICE_CLIENT, withBackendClaims } from '../../src/sandbox/sandbox-identities.js';
import { descendants, waitUntilGone, type ProcessInfo } from '../helpers/process-tree.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const API_KEY = 'runtime-test-key-0123456789abcdef';
/** Each runtime's command, from its npm package. */
const RUNTIMES = {
  deno: [join(projectRoot(), 'node_modules', '.bin', 'deno'), 'run', '-A'],
  bun: [join(projectRoot(), 'node_modules', '.bin', 'bun')],
} as const;
type Runtime = keyof typeof RUNTIMES;

let prism: { finopps: PrismServer; b4b: PrismServer };
let as: SandboxAuthorizationServer;
const ports = new Map<Runtime, number>();
const children: ChildProcess[] = [];

beforeAll(async () => {
  const [finopps, b4b] = await Promise.all([backendLoaders['finopps']!(), backendLoaders['b4b']!()]);
  const [finoppsMock, b4bMock] = await Promise.all([
    startPrism({ specFile: join(projectRoot(), finopps.specFile), logger, startTimeoutMs: 120_000 }),
    startPrism({ specFile: join(projectRoot(), b4b.specFile), logger, startTimeoutMs: 120_000 }),
  ]);
  prism = { finopps: finoppsMock, b4b: b4bMock };
  for (const runtime of Object.keys(RUNTIMES) as Runtime[]) ports.set(runtime, await findFreePort());
  const scopes = specScopes(finopps);
  as = await startSandboxAuthorizationServer({
    resources: [
      ...[...ports.values()].map((port) => ({ url: `http://127.0.0.1:${port}/finopps/mcp`, scopes })),
      // The server's own client-credentials token is for the backend API (the spec's first server URL).
      { url: finopps.servers[0]!, scopes },
    ],
    identities: withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]),
    logger,
  });
}, 180_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await as?.stop();
  await Promise.all([prism?.finopps.stop(), prism?.b4b.stop()]);
});

/** Starts the example under `runtime`; resolves with its public URL once it listens. */
async function serve(runtime: Runtime): Promise<string> {
  const port = ports.get(runtime)!;
  const publicUrl = `http://127.0.0.1:${port}`;
  const [command, ...args] = RUNTIMES[runtime];
  const child = spawn(command, [...args, 'docs/examples/fetch-server.mjs'], {
    cwd: projectRoot(),
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      FINMCP_PORT: String(port),
      FINMCP_PUBLIC_URL: publicUrl,
      FINMCP_BACKENDS: 'finopps,b4b',
      FINMCP_API_KEYS: `tester:${API_KEY}`,
      FINMCP_LOG_LEVEL: 'warn',
      FINOPPS_BACKEND_URL: prism.finopps.url,
      FINOPPS_OAUTH_ISSUER: as.issuer,
      FINOPPS_TOKEN_URL: `${as.issuer}/token`,
      FINOPPS_CLIENT_ID: SANDBOX_SERVICE_CLIENT.id,
      FINOPPS_CLIENT_SECRET: SANDBOX_SERVICE_CLIENT.secret,
      B4B_BACKEND_URL: prism.b4b.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => void log.push(line));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${runtime} exited (${code}) before listening:\n${log.join('\n')}`)));
  });
  return publicUrl;
}

function text(result: ToolResult): string {
  return result.content.map((c) => ('text' in c ? c.text : '')).join('\n');
}

describe.each(Object.keys(RUNTIMES) as Runtime[])('%s runs the fetch handler', (runtime) => {
  let publicUrl: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    publicUrl = await serve(runtime);
  }, 120_000);
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
  });

  async function connect(
    backend: string,
    token: string,
    onElicit?: () => Promise<{ action: 'accept'; content: Record<string, boolean> }>,
  ): Promise<Client> {
    const client = new Client(
      { name: `runtime-${runtime}`, version: '1' },
      onElicit === undefined ? {} : { capabilities: { elicitation: { form: {} } } },
    );
    if (onElicit !== undefined) client.setRequestHandler('elicitation/create', onElicit);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${publicUrl}/${backend}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(client);
    return client;
  }

  it('FinOpps with a bearer token: lists its tools and calls one (the backend through the runtime fetch)', async () => {
    const finopps = await backendLoaders['finopps']!();
    const token = await obtainSandboxToken({
      issuer: as.issuer,
      user: 'alice',
      resource: `${publicUrl}/finopps/mcp`,
      scopes: specScopes(finopps),
    });
    const client = await connect('finopps', token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_invoices');
    const result = (await client.callTool({ name: 'get_business', arguments: {} })) as ToolResult;
    expect(result.isError, text(result)).not.toBe(true);
    expect(result.structuredContent).toBeDefined();
  }, 60_000);

  it('B4B with an API key: lists, signs in, reads, and writes once the user confirmed', async () => {
    const asked: unknown[] = [];
    const client = await connect('b4b', API_KEY, async () => {
      asked.push(true);
      return { action: 'accept', content: { confirm: true } };
    });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['login', 'list_entities', 'create_entity']));
    const login = (await client.callTool({
      name: 'login',
      arguments: { phone: '+84909495665', password: 'SecurePassword123@' },
    })) as ToolResult;
    expect(login.isError, text(login)).not.toBe(true);
    const listed = (await client.callTool({ name: 'list_entities', arguments: {} })) as ToolResult;
    expect(listed.isError, text(listed)).not.toBe(true);
    const entity = {
      name: 'Runtime Co',
      entity_type: 'COMPANY',
      tax_code: '0312345678',
      address: '1 Lê Lợi',
      city: 'Hồ Chí Minh',
      country: 'VN',
    };
    const written = (await client.callTool({ name: 'create_entity', arguments: entity })) as ToolResult;
    expect(written.isError, text(written)).not.toBe(true);
    expect(asked).toHaveLength(1);
  }, 60_000);
});

describe.each(Object.keys(RUNTIMES) as Runtime[])('%s with the sandbox', (runtime) => {
  it('its Prism child (run by Node, with the watchdog) does not outlive it when it is killed outright', async () => {
    const port = await findFreePort();
    const [command, ...args] = RUNTIMES[runtime];
    const child = spawn(command, [...args, 'docs/examples/fetch-server.mjs'], {
      cwd: projectRoot(),
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        FINMCP_PORT: String(port),
        FINMCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
        FINMCP_BACKENDS: 'b4b',
        FINMCP_API_KEYS: `tester:${API_KEY}`,
        FINMCP_SANDBOX: '1',
        FINMCP_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(child);
    let prisms: ProcessInfo[] = [];
    for (let waited = 0; prisms.length === 0 && waited < 120_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      prisms = descendants(child.pid!).filter((p) => p.cmdline.includes('prism'));
    }
    expect(prisms.length, 'a Prism child started').toBeGreaterThan(0);
    expect(prisms[0]!.cmdline).toMatch(/^\S*node /);
    child.kill('SIGKILL');
    const { survivors } = await waitUntilGone(prisms, 30_000);
    expect(survivors).toEqual([]);
  }, 180_000);
});
