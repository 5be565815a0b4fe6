/**
 * `finmcp token` against a sandbox authorization server already running for another MCP server URL (issue 14
 * item 8): the refusal names the resource asked for and points at `--public-url`; with the right URL a token comes.
 * Without `--backend` the token is for the only backend whose users sign in with OAuth (decided by the overrides).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runToken } from '../../src/cli/token.js';
import {
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';
import { specScopes } from '../../src/auth/scopes.js';
import { backendLoaders } from '../../generated/index.gen.js';

const SERVED = 'http://localhost:39171';
let as: SandboxAuthorizationServer;
const savedPort = process.env['FINMCP_SANDBOX_AUTH_PORT'];

beforeAll(async () => {
  const finopps = await backendLoaders['finopps']!();
  as = await startSandboxAuthorizationServer({
    resources: [{ url: `${SERVED}/finopps/mcp`, scopes: specScopes(finopps) }],
  });
  // runToken finds the running sandbox on this port.
  process.env['FINMCP_SANDBOX_AUTH_PORT'] = new URL(as.issuer).port;
});

afterAll(async () => {
  if (savedPort === undefined) delete process.env['FINMCP_SANDBOX_AUTH_PORT'];
  else process.env['FINMCP_SANDBOX_AUTH_PORT'] = savedPort;
  await as?.stop();
});

describe('finmcp token', () => {
  it('for another port: an error naming the resource asked for and --public-url', async () => {
    await expect(
      runToken({ sandbox: true, user: 'alice', backend: 'finopps', publicUrl: 'http://localhost:39999' }),
    ).rejects.toThrow(/does not issue tokens for http:\/\/localhost:39999\/finopps\/mcp.*--public-url/);
  });

  it.each([
    { given: '--backend finopps', backend: 'finopps' as string | undefined },
    { given: 'no --backend (the only OAuth backend)', backend: undefined },
  ])('with the public URL of the running server and $given: prints a token for it', async ({ backend }) => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await runToken({
        sandbox: true,
        user: 'alice',
        ...(backend === undefined ? {} : { backend }),
        publicUrl: SERVED,
      });
    } finally {
      spy.mockRestore();
    }
    const token = written.join('').trim();
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(payload['aud']).toBe(`${SERVED}/finopps/mcp`);
  });

  it.each([
    { given: '--port (as serve takes it)', options: { port: new URL(SERVED).port } },
    {
      given: '--host 127.0.0.1 --port (serve names a loopback bind address localhost)',
      options: { host: '127.0.0.1', port: new URL(SERVED).port },
    },
  ])('with $given instead of --public-url: the same resource serve derives', async ({ options }) => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await runToken({ sandbox: true, user: 'alice', backend: 'finopps', ...options });
    } finally {
      spy.mockRestore();
    }
    const payload = JSON.parse(
      Buffer.from(written.join('').trim().split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(payload['aud']).toBe(`${SERVED}/finopps/mcp`);
  });

  it('an unknown backend: an error naming it and the available ones', async () => {
    await expect(runToken({ sandbox: true, user: 'alice', backend: 'nope', publicUrl: SERVED })).rejects.toThrow(
      /unknown backend "nope": available are .*finopps/,
    );
  });
});
