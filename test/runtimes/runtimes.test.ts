/**
 * One fetch handler for every runtime (issue 26): the real Deno and Bun from npm (pinned devDependencies) run
 * docs/examples/fetch-server.mjs, which serves `finmcp/serverless` with the runtime's own HTTP server, and workerd
 * from npm runs the Cloudflare Worker bundle (docs/examples/cloudflare-worker.mjs built by scripts/build-worker.mjs,
 * configured as wrangler.toml deploys it). The official SDK client talks to each: FinOpps with a bearer token from
 * the sandbox authorization server (the server verifies it and calls the backend with its own client-credentials
 * token), B4B with an API key (list, call, sign in, a write the user confirms through elicitation). The backends are
 * the Prism mocks of the specs, started here on Node; every backend call goes through the runtime's fetch
 * (backend-http.ts picks it off Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { buildWorkerBundle, WORKERD, writeWorkerdConfig } from '../helpers/workerd.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const API_KEY = 'runtime-test-key-0123456789abcdef';
const FETCH_SERVER = 'docs/examples/fetch-server.mjs';
/** Deno's and Bun's commands running the fetch-server example, from their npm packages. */
const FETCH_SERVER_RUNTIMES = {
  deno: [join(projectRoot(), 'node_modules', '.bin', 'deno'), 'run', '-A', FETCH_SERVER],
  bun: [join(projectRoot(), 'node_modules', '.bin', 'bun'), FETCH_SERVER],
} as const;
type Runtime = keyof typeof FETCH_SERVER_RUNTIMES | 'workerd';
const RUNTIMES: Runtime[] = ['deno', 'bun', 'workerd'];

/** A runtime's process serving the handler, and the output line that says it listens. */
interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  ready: string;
}

/** The Worker bundle, built once into a temporary folder (every workerd started here serves it). */
let workerBundle: Promise<{ dir: string; files: string[] }> | undefined;

/** How `runtime` serves `settings` (the README's variables) on 127.0.0.1:`port`. */
async function launch(runtime: Runtime, port: number, settings: Record<string, string>): Promise<Launch> {
  const base = { PATH: process.env['PATH'], HOME: process.env['HOME'] };
  if (runtime !== 'workerd') {
    const [command, ...args] = FETCH_SERVER_RUNTIMES[runtime];
    return { command, args, env: { ...base, FINMCP_PORT: String(port), ...settings }, ready: '"listening"' };
  }
  workerBundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finmcp-worker-'));
    return { dir, files: await buildWorkerBundle(dir) };
  })();
  const { dir, files } = await workerBundle;
  // --verbose: workerd says when it listens, and logs uncaught exceptions with their stack.
  const config = writeWorkerdConfig(dir, files, port, settings);
  return { command: WORKERD, args: ['serve', config, '--verbose'], env: base, ready: 'Listening on' };
}

/** Starts `runtime` serving `settings`; resolves once it listens, with its output so far (and to come). */
async function start(runtime: Runtime, port: number, settings: Record<string, string>): Promise<string[]> {
  const { command, args, env, ready } = await launch(runtime, port, settings);
  const child = spawn(command, args, { cwd: projectRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        if (line.includes(ready)) resolve();
      });
    }
    child.once('exit', (code) => reject(new Error(`${runtime} exited (${code}) before listening:\n${log.join('\n')}`)));
  });
  return log;
}

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
  for (const runtime of RUNTIMES) ports.set(runtime, await findFreePort());
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
  if (workerBundle !== undefined) rmSync((await workerBundle).dir, { recursive: true, force: true });
});

/** Starts `runtime` serving both backends against the mocks; resolves with its public URL and output once it listens. */
async function serve(runtime: Runtime): Promise<{ publicUrl: string; log: string[] }> {
  const port = ports.get(runtime)!;
  const publicUrl = `http://127.0.0.1:${port}`;
  const log = await start(runtime, port, {
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
  });
  return { publicUrl, log };
}

function text(result: ToolResult): string {
  return result.content.map((c) => ('text' in c ? c.text : '')).join('\n');
}

describe.each(RUNTIMES)('%s runs the fetch handler', (runtime) => {
  let publicUrl: string;
  let log: string[];
  const clients: Client[] = [];
  beforeAll(async () => {
    ({ publicUrl, log } = await serve(runtime));
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
    // Read from the spec file at run time (a Worker: from the bundle's modules, under /bundle).
    const { contents } = await client.readResource({ uri: 'finmcp://b4b/openapi' });
    expect(contents[0]).toMatchObject({ mimeType: 'application/yaml', text: expect.stringMatching(/^openapi: 3/m) });
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

  it('checked every result against its output schema (a Worker compiles none: they come precompiled)', () => {
    expect(log.filter((line) => line.includes('does not compile'))).toEqual([]);
  });
});

describe.each(Object.keys(FETCH_SERVER_RUNTIMES) as Runtime[])('%s with the sandbox', (runtime) => {
  it('its Prism child (run by Node, with the watchdog) does not outlive it when it is killed outright', async () => {
    const port = await findFreePort();
    const [command, ...args] = FETCH_SERVER_RUNTIMES[runtime as keyof typeof FETCH_SERVER_RUNTIMES];
    const child = spawn(command, args, {
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

describe('workerd without a backend URL', () => {
  it('refuses to start the sandbox (a Worker runs no child process), naming the setting to give', async () => {
    const port = await findFreePort();
    const log = await start('workerd', port, {
      FINMCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
      FINMCP_BACKENDS: 'b4b',
      FINMCP_API_KEYS: `tester:${API_KEY}`,
    });
    const response = await fetch(`http://127.0.0.1:${port}/b4b/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(503);
    for (let waited = 0; !log.some((line) => line.includes('B4B_BACKEND_URL')) && waited < 30_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(log.join('\n')).toMatch(/no backend URL for b4b, and Cloudflare Workers cannot run .*set B4B_BACKEND_URL/);
  }, 120_000);
});
