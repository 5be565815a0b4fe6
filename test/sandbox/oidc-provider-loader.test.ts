/**
 * Issue 14 item 8: oidc-provider prints "Unsupported runtime" on Node 20 although the README promises Node ≥ 20.19.
 * Checked in fresh processes (the warning is printed once, at import) running the built dist/ (`npm run build`).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

const run = promisify(execFile);
const SERVER = join(projectRoot(), 'dist', 'src', 'sandbox', 'authorization-server.js');

async function stderrOf(script: string): Promise<string> {
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: projectRoot(),
    timeout: 60_000,
  });
  return stderr;
}

describe('the sandbox authorization server on this Node.js', () => {
  it('starts without the "Unsupported runtime" warning, and other warnings still pass', async () => {
    const stderr = await stderrOf(`
      const { startSandboxAuthorizationServer } = await import(${JSON.stringify(SERVER)});
      const as = await startSandboxAuthorizationServer({ resources: [{ url: 'http://localhost:1/x/mcp', scopes: ['x:read'] }] });
      await as.stop();
      console.warn('another warning');
    `);
    expect(stderr).not.toContain('Unsupported runtime');
    expect(stderr).toContain('another warning');
  });

  it('the warning exists on this runtime when oidc-provider is imported directly (what the loader filters)', async () => {
    const lts = process.release.lts;
    const olderThan22 = lts === undefined || lts < 'Jod';
    const stderr = await stderrOf("await import('oidc-provider');");
    if (olderThan22) expect(stderr).toContain('oidc-provider WARNING: Unsupported runtime.');
    else expect(stderr).not.toContain('Unsupported runtime');
  });
});
