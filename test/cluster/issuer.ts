/**
 * The sandbox authorization server in a process of its own (dist/: `npm run build` first). In the test process it
 * would share one event loop with the 16 clients of the rolling restart, and a restarted instance fetching the
 * JWKS could wait past its timeout on a busy machine: a slow test process, not a finding. The child exits with
 * its parent (prism.ts' watchdog).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/paths.js';
import type { SandboxAuthorizationServerOptions } from '../../src/sandbox/authorization-server.js';
import { parentWatchdogArgs } from '../../src/sandbox/prism.js';

/** A running authorization server process. */
export interface IssuerProcess {
  readonly issuer: string;
  stop(): Promise<void>;
}

/** What the child runs: start the server with the options in its environment, print the issuer, serve until SIGTERM. */
const CHILD = `
const { startSandboxAuthorizationServer } = await import(process.env.FINMCP_TEST_AS_MODULE);
const as = await startSandboxAuthorizationServer(JSON.parse(process.env.FINMCP_TEST_AS_OPTIONS));
process.stdout.write(JSON.stringify({ issuer: as.issuer }) + '\\n');
process.once('SIGTERM', () => void as.stop().then(() => process.exit(0)));
`;

/** Starts the sandbox authorization server with `options` (JSON-serialisable: no logger) in a child process. */
export async function startIssuerProcess(
  options: Omit<SandboxAuthorizationServerOptions, 'logger'>,
): Promise<IssuerProcess> {
  const child = spawn(process.execPath, [...parentWatchdogArgs(), '--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      FINMCP_TEST_AS_MODULE: pathToFileURL(join(projectRoot(), 'dist', 'src', 'sandbox', 'authorization-server.js'))
        .href,
      FINMCP_TEST_AS_OPTIONS: JSON.stringify(options),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const issuer = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /\{"issuer":"([^"]+)"\}/.exec(output);
      if (match === null) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(match[1]!);
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`the authorization server exited (${String(code)}) at start: ${output.slice(-1500)}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    issuer,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
