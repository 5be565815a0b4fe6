/**
 * An installation that only serves (`npm ci --omit=dev`): without the generator's libraries (devDependencies),
 * `finmcp serve` still starts and lists its tools, and `finmcp generate` says in one line what to install instead of
 * crashing. The copy's node_modules links every installed package but those.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, type ScratchProject, scratchProject } from './project.js';

const execFileAsync = promisify(execFile);
const GENERATOR_LIBRARIES = ['openapi-typescript', '@redocly/openapi-core', '@hey-api/json-schema-ref-parser'];
let project: ScratchProject;

beforeAll(() => {
  project = scratchProject('finmcp-served-', true, GENERATOR_LIBRARIES);
});
afterAll(() => project?.remove());

describe('an installation without the generator libraries', () => {
  it('serves: finmcp serve b4b --transport stdio lists the tools', async () => {
    const client = await connectStdio(project.root, 'b4b', ['--backend-url', 'http://127.0.0.1:9/'], false);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('list_invoices');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('finmcp generate names what to install in one line, with no stack trace', async () => {
    const failure = await execFileAsync(
      process.execPath,
      [join(project.root, 'bin', 'finmcp.js'), 'generate', '--check'],
      {
        cwd: project.root,
      },
    ).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toBe('');
    const lines = failure?.stderr.trimEnd().split('\n') ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^finmcp generate: the generator's library \S+ is not installed; install the devDependencies/,
    );
    for (const library of GENERATOR_LIBRARIES) expect(lines[0]).toContain(library);
  }, 60_000);
});
