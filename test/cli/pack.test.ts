/**
 * `finmcp pack` end to end, with the real parts a user's host uses: the compiled CLI packs FinOpps; the official
 * MCPB CLI (`mcpb validate`, `mcpb unpack`) checks and unpacks the bundle outside the clone; the MCPB library's own
 * `getMcpConfigForManifest` (what Claude Desktop runs) turns the manifest's `mcp_config` and a user's answers (the
 * sandbox, so no real backend is needed) into the command; the official MCP client starts that command over stdio,
 * lists the tools and calls one, so the bundle's own node_modules serve the call through its Prism mock. B4B's
 * manifest (one zip is enough CPU for one test file) is described as `pack` describes it, validated by `mcpb
 * validate`, and its `mcp_config` run against the clone, whose layout is the bundle's.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { planBundle } from '../../src/cli/pack/bundle-plan.js';
import { projectRoot } from '../../src/paths.js';

const execFileAsync = promisify(execFile);
const root = projectRoot();
const mcpb = join(root, 'node_modules', '.bin', 'mcpb');
const scratch = mkdtempSync(join(tmpdir(), 'finmcp-pack-test-'));
const out = join(scratch, 'bundles');
const unpacked = join(scratch, 'unpacked-finopps');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const bundleFile = join(out, 'finopps', `finmcp-finopps-${version}.mcpb`);
const releaseUrl = 'https://github.com/example/finmcp/releases/download/v0.1.0';

const clients: Client[] = [];
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

let packOutput = '';
beforeAll(async () => {
  const args = ['pack', 'finopps', '--out', out, '--registry-namespace', 'io.github.example'];
  const { stdout } = await execFileAsync(
    process.execPath,
    [join(root, 'bin', 'finmcp.js'), ...args, '--bundle-base-url', releaseUrl],
    // A secret in the packer's environment: it must not reach the bundle.
    { cwd: scratch, env: { ...process.env, FINOPPS_CLIENT_SECRET: 'packer-secret-must-not-ship' } },
  );
  packOutput = stdout;
  // Unpacked outside the clone: nothing resolves from the project's node_modules.
  await execFileAsync(mcpb, ['unpack', bundleFile, unpacked]);
}, 300_000);

/** How a manifest passes the user's answer to `key` on (MCPB's `${user_config.<key>}`). */
function answer(key: string): string {
  return `$\{user_config.${key}}`;
}

/** The unpacked FinOpps manifest, as JSON. */
function finoppsManifest(): any {
  return JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
}

/** Starts a server as a manifest's mcp_config says, with the user's answers, and connects the MCP client. */
async function startAsManifestSays(
  dir: string,
  manifest: McpbManifestAny,
  answers: Record<string, string | boolean>,
): Promise<Client> {
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
      // The host's PATH plus the bundle's own variables, as an MCPB host starts a server; and a generous limit for
      // the Prism mock to start on a loaded machine (a host's environment may carry any FINMCP_* setting).
      env: { PATH: process.env['PATH'] ?? '', FINMCP_SANDBOX_START_TIMEOUT_MS: '100000', ...config.env },
      cwd: scratch,
      stderr: 'ignore',
    }),
  );
  return client;
}

describe('the FinOpps bundle', () => {
  it('passes `mcpb validate`, names the backend from its spec and runs `serve finopps` over stdio', async () => {
    const { stdout } = await execFileAsync(mcpb, ['validate', join(unpacked, 'manifest.json')]);
    expect(stdout).toContain('Manifest schema validation passes!');
    const manifest = finoppsManifest();
    expect(manifest).toMatchObject({ name: 'finmcp-finopps', version, display_name: 'FinOpps API' });
    expect(manifest.server).toMatchObject({ type: 'node', entry_point: 'bin/finmcp.js' });
    expect(manifest.server.mcp_config.args).toEqual(
      expect.arrayContaining([`$\{__dirname}/bin/finmcp.js`, 'serve', 'finopps', '--transport', 'stdio']),
    );
    expect(packOutput).toMatch(/^finopps: .*finmcp-finopps-.*\.mcpb \(\d+\.\d MB, \d+ packages\)$/m);
  });

  it('asks for the settings FinOpps reads, credentials as sensitive, and passes each to its variable', () => {
    const manifest = finoppsManifest();
    expect(manifest.server.mcp_config.env).toMatchObject({
      FINMCP_SANDBOX: answer('sandbox'),
      FINOPPS_BACKEND_URL: answer('backend_url'),
      FINOPPS_ACCESS_TOKEN: answer('access_token'),
      FINOPPS_CLIENT_SECRET: answer('client_secret'),
      FINOPPS_ORG_CLAIM: answer('org_claim'),
    });
    // Every variable the bundle sets is filled from the user's answers: nothing of the packer's environment ships.
    for (const [name, value] of Object.entries(manifest.server.mcp_config.env ?? {}))
      expect(value, name).toMatch(/^\$\{user_config\.[a-z_]+\}$/);
    expect(readFileSync(bundleFile).includes('packer-secret-must-not-ship')).toBe(false);
    expect(manifest.user_config.access_token).toMatchObject({ type: 'string', sensitive: true, required: false });
    expect(manifest.user_config.client_secret).toMatchObject({ sensitive: true, default: '' });
    expect(manifest.user_config.backend_url.sensitive).toBeUndefined();
    expect(manifest.user_config.sandbox).toMatchObject({ type: 'boolean', default: false });
    expect(manifest.user_config.org_claim).toMatchObject({ default: 'cognito:groups' });
  });

  it('writes a server.json for the MCP Registry naming the bundle by URL and SHA-256', () => {
    const entry = JSON.parse(readFileSync(join(out, 'finopps', 'server.json'), 'utf8')) as Record<string, unknown>;
    expect(entry).toMatchObject({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: 'io.github.example/finmcp-finopps',
      title: 'FinOpps API',
      version,
      packages: [
        {
          registryType: 'mcpb',
          identifier: `${releaseUrl}/finmcp-finopps-${version}.mcpb`,
          version,
          fileSha256: createHash('sha256').update(readFileSync(bundleFile)).digest('hex'),
          transport: { type: 'stdio' },
        },
      ],
    });
    // The schema's limits: a reverse-DNS name with one slash; title and description of 1 to 100 characters.
    expect(entry['name']).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(String(entry['description']).length).toBeGreaterThan(0);
    expect(String(entry['description']).length).toBeLessThanOrEqual(100);
  });

  it('started as its manifest says (sandbox on) answers tools/list and serves a call through its own Prism', async () => {
    const manifest = finoppsManifest();
    const client = await startAsManifestSays(unpacked, manifest, { sandbox: true });
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual((manifest.tools as Array<{ name: string }>).map((tool) => tool.name).sort());
    expect(names).toContain('list_invoices');
    const result = (await client.callTool({ name: 'list_invoices', arguments: {} })) as ToolResult;
    expect(result.isError, result.content[0]?.text).not.toBe(true);
    expect(result.structuredContent).toBeDefined();
  }, 120_000);

  it('keeps what code mode needs of TypeScript: its compiler API checks a program against the ES library', async () => {
    const compile = pathToFileURL(join(unpacked, 'dist', 'src', 'code', 'compile.js')).href;
    const script = `const { createProgramCompiler } = await import(${JSON.stringify(compile)});
      const compiler = createProgramCompiler('declare const api: { total(): Promise<number> };');
      const good = compiler.compile('const n = await api.total(); return [n].map((x) => x + 1).at(0);', 'typescript');
      const bad = compiler.compile('const s: string = await api.total(); return s;', 'typescript');
      process.stdout.write(JSON.stringify({ good: good.ok, bad: bad.ok ? [] : bad.errors }));`;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch });
    const { good, bad } = JSON.parse(stdout) as { good: boolean; bad: string[] };
    expect(good).toBe(true);
    expect(bad.join('\n')).toMatch(/number.*string/);
  }, 60_000);
});

describe('the B4B bundle manifest', () => {
  it('passes `mcpb validate`; its mcp_config, run against the clone, serves the tools it lists', async () => {
    const { manifest } = await planBundle('b4b', root);
    const dir = join(scratch, 'b4b-manifest');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const { stdout } = await execFileAsync(mcpb, ['validate', join(dir, 'manifest.json')]);
    expect(stdout).toContain('Manifest schema validation passes!');
    // B4B's own settings (declared in its override folder) are asked for; the password is sensitive.
    expect(manifest.server.mcp_config.env).toMatchObject({
      B4B_BACKEND_URL: answer('backend_url'),
      B4B_PHONE: answer('phone'),
      B4B_PASSWORD: answer('password'),
      B4B_MAX_XML_BYTES: answer('max_xml_bytes'),
    });
    expect(manifest.user_config['password']).toMatchObject({ sensitive: true });
    expect(manifest.user_config['phone']?.sensitive).toBeUndefined();
    expect(manifest.user_config['max_xml_bytes']).toMatchObject({ type: 'number', default: 5_242_880, min: 0 });
    // A backend URL that nothing answers: tools/list needs no backend, and no mock is started.
    const client = await startAsManifestSays(root, manifest as McpbManifestAny, { backend_url: 'http://127.0.0.1:9' });
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual(manifest.tools.map((tool) => tool.name).sort());
    expect(names).toEqual(expect.arrayContaining(['login', 'logout', 'whoami']));
  }, 60_000);
});
