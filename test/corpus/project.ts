/**
 * A throw-away copy of the project as a fresh clone has it after `npm ci` (package.json, the launcher, the compiled
 * dist/, node_modules), plus chosen spec files, for driving the real CLI the way a new user does. dist/ is copied,
 * not linked: the runtime finds its project (and so `generated/`) from where its own modules are.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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

/**
 * Copies the project's runnable parts; `withCommitted` also copies specs/ and generated/ as a clone has them.
 * `omit` names installed packages the copy goes without (as after `npm ci --omit=dev`).
 */
export function scratchProject(prefix: string, withCommitted: boolean, omit: readonly string[] = []): ScratchProject {
  const repo = projectRoot();
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const part of ['package.json', 'bin', 'dist']) cpSync(join(repo, part), join(root, part), { recursive: true });
  if (omit.length === 0) symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  else linkPackages(join(repo, 'node_modules'), join(root, 'node_modules'), omit);
  if (withCommitted) {
    for (const part of ['specs', 'generated']) cpSync(join(repo, part), join(root, part), { recursive: true });
  } else {
    mkdirSync(join(root, 'specs'));
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Links every package of `from` into `to` but the omitted ones (a scope folder is linked package by package). */
function linkPackages(from: string, to: string, omit: readonly string[], scope = ''): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const name = `${scope}${entry}`;
    if (omit.includes(name)) continue;
    if (entry.startsWith('@') && omit.some((pkg) => pkg.startsWith(`${entry}/`))) {
      linkPackages(join(from, entry), join(to, entry), omit, `${entry}/`);
    } else {
      symlinkSync(join(from, entry), join(to, entry));
    }
  }
}

/** An SDK client on `finmcp serve <backend> --transport stdio [--sandbox]` run in the scratch project. */
export async function connectStdio(
  root: string,
  backend: string,
  extraArgs: readonly string[] = [],
  sandbox = true,
): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(root, 'bin', 'finmcp.js'),
      'serve',
      backend,
      '--transport',
      'stdio',
      ...(sandbox ? ['--sandbox'] : []),
      ...extraArgs,
    ],
    env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'error' },
    stderr: 'ignore',
    cwd: root,
  });
  const client = new Client({ name: 'finmcp-corpus', version: '1.0.0' });
  await client.connect(transport);
  return client;
}
