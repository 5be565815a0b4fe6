/**
 * A server reads and compiles only the tools it serves, lists, describes or calls (issue 23): `finmcp serve b4b` run
 * from dist/ (`npm run build` first) over stdio, against a backend URL nothing answers (no call here reaches it: the
 * calls made are refused by their validator). A preloaded module answers SIGUSR2 by printing which tools the backend's
 * generated index has loaded (`loadedParts()`: descriptor files, validator modules), so each step's effect is seen
 * from inside the real process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

/** Preloaded (`--import`): on SIGUSR2, prints `LOADED <json>` with the b4b index's loadedParts() to stderr. */
const HARNESS = `import { pathToFileURL } from 'node:url';
process.on('SIGUSR2', async () => {
  const index = await import(pathToFileURL(${JSON.stringify(join(projectRoot(), 'generated', 'b4b', 'index.gen.js'))}).href);
  process.stderr.write('LOADED ' + JSON.stringify(index.loadedParts()) + '\\n');
});`;

interface Loaded {
  descriptors: string[];
  validators: string[];
}

interface Server {
  rpc(method: string, params: Record<string, unknown>): Promise<{ result?: Record<string, unknown> }>;
  loaded(): Promise<Loaded>;
  call(name: string, args: Record<string, unknown>): Promise<string>;
}

const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** Starts `serve b4b` with `args`, initialized; no timing assumptions beyond the test's own timeout. */
async function serve(args: readonly string[]): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(HARNESS)}`,
      join(projectRoot(), 'bin', 'finmcp.js'),
      'serve',
      'b4b',
      '--transport',
      'stdio',
      '--backend-url',
      'http://127.0.0.1:9',
      ...args,
    ],
    { cwd: projectRoot(), env: { ...process.env, FINMCP_LOG_LEVEL: 'error' } },
  );
  children.push(child);
  const pending = new Map<number, (message: { result?: Record<string, unknown> }) => void>();
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let end = out.indexOf('\n'); end >= 0; end = out.indexOf('\n')) {
      const message = JSON.parse(out.slice(0, end)) as { id: number; result?: Record<string, unknown> };
      out = out.slice(end + 1);
      pending.get(message.id)?.(message);
    }
  });
  const waiting: Array<(loaded: Loaded) => void> = [];
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (let match = /LOADED (.*)\n/.exec(err); match !== null; match = /LOADED (.*)\n/.exec(err)) {
      err = err.slice(match.index + match[0].length);
      waiting.shift()?.(JSON.parse(match[1] as string) as Loaded);
    }
  });
  let id = 0;
  const rpc: Server['rpc'] = (method, params) =>
    new Promise((resolve) => {
      id += 1;
      pending.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    rpc,
    loaded: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.kill('SIGUSR2');
      }),
    call: async (name, args) => {
      const { result } = await rpc('tools/call', { name, arguments: args });
      return ((result?.['content'] as Array<{ text: string }> | undefined) ?? [])[0]?.text ?? '';
    },
  };
}

const listedNames = async (server: Server): Promise<string[]> =>
  ((await server.rpc('tools/list', {})).result?.['tools'] as Array<{ name: string }>).map((tool) => tool.name);

describe('a server loads the tools it serves, and each on its first use', () => {
  it('--tools get_entity: lists and loads that one tool; its validator on its first call', async () => {
    const server = await serve(['--tools', 'get_entity']);
    expect(await listedNames(server)).toEqual(['get_entity']);
    expect(await server.loaded()).toEqual({ descriptors: ['get_entity'], validators: [] });
    expect(await server.call('get_entity', { bogus: 1 })).toMatch(/^Invalid arguments:\n- entity_id: is required/);
    expect(await server.loaded()).toEqual({ descriptors: ['get_entity'], validators: ['get_entity'] });
  }, 120_000);

  it('--dynamic: loads nothing to list or search; describe_tool and call_tool load one tool each', async () => {
    const server = await serve(['--dynamic']);
    expect(await listedNames(server)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
    expect(await server.call('search_tools', { query: 'vendor' })).toContain('"name":"get_vendor"');
    expect(await server.loaded()).toEqual({ descriptors: [], validators: [] });
    expect(await server.call('describe_tool', { name: 'list_vendors' })).toContain('"inputSchema"');
    expect(await server.loaded()).toEqual({ descriptors: ['list_vendors'], validators: [] });
    expect(await server.call('call_tool', { name: 'get_vendor', arguments: {} })).toMatch(/^Invalid arguments:/);
    expect(await server.loaded()).toEqual({ descriptors: ['list_vendors', 'get_vendor'], validators: ['get_vendor'] });
  }, 120_000);

  it('all tools: lists (and so loads) every descriptor, compiles no validator until a call', async () => {
    const server = await serve([]);
    const listed = new Set(await listedNames(server));
    // The generated tools listed: B4B's sign-in tools are hidden, and hand-written ones of the same names listed.
    const signIn = new Set(['login', 'logout', 'whoami']);
    const catalogue = JSON.parse(readFileSync(join(projectRoot(), 'generated/b4b/tools.gen.json'), 'utf8')) as {
      backend: { tools: Array<{ name: string }> };
    };
    const generated = catalogue.backend.tools
      .map((tool) => tool.name)
      .filter((name) => listed.has(name) && !signIn.has(name));
    expect(generated.length).toBeGreaterThan(10);
    const loaded = await server.loaded();
    expect([...loaded.descriptors].sort()).toEqual(generated.sort());
    expect(loaded.validators).toEqual([]);
  }, 120_000);
});
