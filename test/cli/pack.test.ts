/**
 * `finmcp pack` end to end, with the real parts a user's host uses: the compiled CLI packs FinOpps and B4B; the
 * official MCPB CLI (`mcpb validate`, `mcpb unpack`) checks and unpacks each bundle outside the clone; the MCPB
 * library's own `getMcpConfigForManifest` (what Claude Desktop runs) turns the manifest's `mcp_config` and a user's
 * answers (the sandbox, so no real backend is needed) into the command; the official MCP client starts that command
 * over stdio, lists the tools and calls one, so the bundle's own node_modules serve the call through its Prism mock.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { backendLoaders } from '../../generated/index.gen.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
const root = projectRoot();
const mcpb = join(root, 'node_modules', '.bin', 'mcpb');
const scratch = mkdtempSync(join(tmpdir(), 'finmcp-pack-test-'));
const out = join(scratch, 'bundles');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const releaseUrl = 'https://github.com/example/finmcp/releases/download/v0.1.0';

const clients: Client[] = [];
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

let packOutput = '';
beforeAll(async () => {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      join(root, 'bin', 'finmcp.js'),
      'pack',
      'finopps',
      'b4b',
      '--out',
      out,
      '--registry-namespace',
      'io.github.example',
      '--bundle-base-url',
      releaseUrl,
    ],
    { cwd: scratch, env: { ...process.env, FINOPPS_CLIENT_SECRET: 'packer-secret-must-not-ship' } },
  );
  packOutput = stdout;
  await Promise.all(['finopps', 'b4b'].map((backend) => unpack(backend)));
}, 300_000);

function bundleFile(backend: string): string {
  return join(out, backend, `finmcp-${backend}-${version}.mcpb`);
}

/** How a manifest passes the user's answer to `key` on (MCPB's `${user_config.<key>}`). */
function answer(key: string): string {
  return `$\{user_config.${key}}`;
}

/** Where a bundle is unpacked: outside the clone, so nothing resolves from the project's node_modules. */
function unpacked(backend: string): string {
  return join(scratch, `unpacked-${backend}`);
}

/** Unpacks a bundle with the MCPB CLI. */
async function unpack(backend: string): Promise<void> {
  await execFileAsync(mcpb, ['unpack', bundleFile(backend), unpacked(backend)]);
}

/** The unpacked bundle's manifest, as JSON. */
function manifestOf(backend: string): any {
  return JSON.parse(readFileSync(join(unpacked(backend), 'manifest.json'), 'utf8'));
}

/** Starts the unpacked bundle as its manifest says, with the user's answers, and connects the MCP client. */
async function startBundle(dir: string, manifest: McpbManifestAny, answers: Record<string, boolean>): Promise<Client> {
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath: dir,
    systemDirs: {},
    userConfig: answers,
    pathSeparator: sep,
  });
  if (config === undefined) throw new Error('the manifest has no mcp_config for these answers');
  const client = new Client({ name: 'finmcp-pack-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(
    new StdioClientTransport({
      command: config.command,
      args: config.args ?? [],
      // The host's environment (PATH) plus the bundle's own variables, as an MCPB host starts a server.
      env: { PATH: process.env['PATH'] ?? '', ...config.env },
      cwd: scratch,
      stderr: 'ignore',
    }),
  );
  return client;
}

describe.each(['finopps', 'b4b'])('the %s bundle', (backend) => {
  it('passes `mcpb validate` and lists, in its manifest, the tools the server serves', async () => {
    const manifest = manifestOf(backend) as McpbManifestAny;
    const { stdout } = await execFileAsync(mcpb, ['validate', join(unpacked(backend), 'manifest.json')]);
    expect(stdout).toContain('Manifest schema validation passes!');
    expect(manifest.name).toBe(`finmcp-${backend}`);
    expect(manifest.version).toBe(version);
    const generated = await backendLoaders[backend]!();
    expect(manifest.display_name).toBe(generated.title);
    expect(manifest.server.mcp_config.args).toEqual(
      expect.arrayContaining([`$\{__dirname}/bin/finmcp.js`, 'serve', backend, '--transport', 'stdio']),
    );
    // Every variable the bundle sets is filled from the user's answers: nothing of the packer's environment ships.
    for (const [name, value] of Object.entries(manifest.server.mcp_config.env ?? {}))
      expect(value, name).toMatch(/^\$\{user_config\.[a-z_]+\}$/);
    expect(readFileSync(bundleFile(backend)).includes('packer-secret-must-not-ship')).toBe(false);
  });

  it('writes a server.json for the MCP Registry naming the bundle by URL and SHA-256', () => {
    const entry = JSON.parse(readFileSync(join(out, backend, 'server.json'), 'utf8')) as Record<string, unknown>;
    const file = bundleFile(backend);
    expect(entry).toMatchObject({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: `io.github.example/finmcp-${backend}`,
      version,
      packages: [
        {
          registryType: 'mcpb',
          identifier: `${releaseUrl}/finmcp-${backend}-${version}.mcpb`,
          version,
          fileSha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
          transport: { type: 'stdio' },
        },
      ],
    });
    // The schema's limits: a reverse-DNS name with one slash, a title and description of 1-100 characters.
    expect(entry['name']).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    for (const field of ['title', 'description']) expect(String(entry[field]).length).toBeLessThanOrEqual(100);
    expect(packOutput).toContain(`${backend}: `);
  });
});

describe('user configuration', () => {
  it('maps FinOpps credentials to their variables, secrets marked sensitive', async () => {
    const manifest = manifestOf('finopps');
    expect(manifest.server.mcp_config.env).toMatchObject({
      FINOPPS_BACKEND_URL: answer('backend_url'),
      FINOPPS_ACCESS_TOKEN: answer('access_token'),
      FINOPPS_CLIENT_SECRET: answer('client_secret'),
      FINMCP_SANDBOX: answer('sandbox'),
    });
    expect(manifest.user_config.access_token).toMatchObject({ type: 'string', sensitive: true, required: false });
    expect(manifest.user_config.client_secret).toMatchObject({ sensitive: true });
    expect(manifest.user_config.backend_url.sensitive).toBeUndefined();
    expect(manifest.user_config.sandbox).toMatchObject({ type: 'boolean', default: false });
  });

  it("maps B4B's own settings (declared in its override folder), the password sensitive", async () => {
    const manifest = manifestOf('b4b');
    expect(manifest.server.mcp_config.env).toMatchObject({
      B4B_BACKEND_URL: answer('backend_url'),
      B4B_PHONE: answer('phone'),
      B4B_PASSWORD: answer('password'),
    });
    expect(manifest.user_config.password).toMatchObject({ sensitive: true });
    expect(manifest.user_config.phone.sensitive).toBeUndefined();
    expect(manifest.user_config.max_xml_bytes).toMatchObject({ type: 'number', default: 5_242_880 });
  });
});

describe('the unpacked bundle, started as its manifest says (sandbox on)', () => {
  it('FinOpps answers tools/list with its tools and serves a call through the bundled Prism mock', async () => {
    const manifest = manifestOf('finopps') as McpbManifestAny;
    const client = await startBundle(unpacked('finopps'), manifest, { sandbox: true });
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual((manifest.tools ?? []).map((tool) => tool.name).sort());
    expect(names).toContain('list_invoices');
    const result = (await client.callTool({ name: 'list_invoices', arguments: {} })) as ToolResult;
    expect(result.isError, result.content[0]?.text).not.toBe(true);
  }, 120_000);

  it('B4B answers tools/list with its tools, login included, and signs in against the bundled mock', async () => {
    const manifest = manifestOf('b4b') as McpbManifestAny;
    const client = await startBundle(unpacked('b4b'), manifest, { sandbox: true });
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual((manifest.tools ?? []).map((tool) => tool.name).sort());
    expect(names).toContain('login');
    const login = (await client.callTool({
      name: 'login',
      arguments: { phone: '+84909495665', password: 'SecurePassword123@' },
    })) as ToolResult;
    expect(login.isError, login.content[0]?.text).not.toBe(true);
  }, 120_000);
});
