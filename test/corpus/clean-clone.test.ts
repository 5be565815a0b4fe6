/**
 * The README's promise, as a new user meets it: in a clone as `npm ci` leaves it (committed specs/ and generated/,
 * compiled dist/), copy a public spec the repository does not contain into specs/, run `finmcp generate`, then
 * `finmcp serve <it> --transport stdio --sandbox` — nothing else in between (no build) — and list and call its
 * tools. `finmcp` is the package's bin, `bin/finmcp.js`, which is what `npx finmcp` runs (npx itself needs the
 * clone's own node_modules, which the scratch copy links instead).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { projectRoot } from '../../src/paths.js';
import { type ScratchProject, scratchProject } from './project.js';

const execFileAsync = promisify(execFile);
const spec = join(projectRoot(), 'node_modules/@readme/oas-examples/3.1/yaml/train-travel.yaml');
let project: ScratchProject;

function finmcp(args: string[]): Promise<{ stdout: string }> {
  return execFileAsync(join(project.root, 'bin', 'finmcp.js'), args, {
    cwd: project.root,
    maxBuffer: 16 * 1024 * 1024,
  });
}

beforeAll(() => {
  project = scratchProject('finmcp-clone-', true);
});
afterAll(() => project?.remove());

describe('a spec dropped into specs/ is servable right after generate', () => {
  it('finmcp generate writes it as plain modules, keeping the committed backends', async () => {
    expect(existsSync(join(project.root, 'specs', 'train-travel.yaml'))).toBe(false);
    cpSync(spec, join(project.root, 'specs', 'train-travel.yaml'));
    const { stdout } = await finmcp(['generate']);
    expect(stdout).toContain('train-travel: new backend, 7 tools');
    expect(existsSync(join(project.root, 'generated/train-travel/tools.gen.json'))).toBe(true);
  }, 180_000);

  it('finmcp serve train-travel --transport stdio --sandbox lists and calls its tools', async () => {
    const transport = new StdioClientTransport({
      command: join(project.root, 'bin', 'finmcp.js'),
      args: ['serve', 'train-travel', '--transport', 'stdio', '--sandbox'],
      env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'error' },
      stderr: 'ignore',
      cwd: project.root,
    });
    const client = new Client({ name: 'finmcp-clone', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(7);
      expect(tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['get-stations', 'get-bookings', 'create-booking']),
      );
      const result = await client.callTool({ name: 'get-stations', arguments: {} });
      expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
      expect(JSON.stringify(result.structuredContent)).toContain('Berlin Hauptbahnhof');
    } finally {
      await client.close();
    }
  }, 180_000);
});
