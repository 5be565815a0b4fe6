/**
 * A throw-away copy of the project as a fresh clone has it after `npm ci` (package.json, the launcher, the compiled
 * dist/, node_modules), plus chosen spec files, for driving the real CLI the way a new user does. dist/ is copied,
 * not linked: the runtime finds its project (and so `generated/`) from where its own modules are.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { projectRoot } from '../../src/paths.js';

/** A scratch project; `remove()` deletes it. */
export interface ScratchProject {
  root: string;
  remove(): void;
}

/** Copies the project's runnable parts; `withCommitted` also copies specs/ and generated/ as a clone has them. */
export function scratchProject(prefix: string, withCommitted: boolean): ScratchProject {
  const repo = projectRoot();
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const part of ['package.json', 'bin', 'dist']) cpSync(join(repo, part), join(root, part), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  if (withCommitted) {
    for (const part of ['specs', 'generated']) cpSync(join(repo, part), join(root, part), { recursive: true });
  } else {
    mkdirSync(join(root, 'specs'));
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** An SDK client on `finmcp serve <backend> --transport stdio --sandbox` run in the scratch project. */
export async function connectStdio(root: string, backend: string, extraArgs: readonly string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(root, 'bin', 'finmcp.js'), 'serve', backend, '--transport', 'stdio', '--sandbox', ...extraArgs],
    env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'error' },
    stderr: 'ignore',
    cwd: root,
  });
  const client = new Client({ name: 'finmcp-corpus', version: '1.0.0' });
  await client.connect(transport);
  return client;
}
