/**
 * OAuth from `localhost` and `127.0.0.1` alike (issue 26: mcp-remote and the Python SDK refused the metadata of a
 * server reached at 127.0.0.1, because its `resource` named localhost; RFC 9728 §3.3 requires them to). Without a
 * `--public-url`, the protected-resource metadata, the 401 challenge and the required token audience follow the
 * `Host` the client used, among the allowed hosts. Real parts: `finmcp serve finopps --transport http --sandbox` as
 * `npm start` assembles it (Prism mock, sandbox authorization server on an OS-chosen port), the official SDK's OAuth
 * client, and mcp-remote (pinned devDependency) running its own OAuth flow as the stdio bridge; the test plays the
 * user's browser on the sandbox sign-in pages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { findFreePort } from '../../src/free-port.js';
import { createLogger } from '../../src/log.js';
import { completeSandboxAuthorization } from '../../src/sandbox/authorization-server.js';
import { InMemoryOAuthProvider } from '../helpers/oauth-client-provider.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const mcpRemote = createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js');
let running: RunningServers;
let port: number;
const children: ChildProcess[] = [];
const configDir = mkdtempSync(join(tmpdir(), 'finmcp-mcp-remote-'));

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  running = await startServers(
    ['finopps'],
    { transport: 'http', port: '0', sandbox: true, sandboxAuthPort: '0' },
    new Settings({}),
    logger,
  );
  port = Number(new URL(running.url!).port);
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await running?.close();
  rmSync(configDir, { recursive: true, force: true });
});

/**
 * The browser's landing on mcp-remote's callback listener: it starts that listener just after printing the URL
 * (a user takes seconds to sign in; the test takes milliseconds), so a refused connection is tried again.
 */
async function landOn(callback: URL, log: string[]): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(callback);
    } catch (error) {
      if (attempt === 300) throw new Error(`${String(error)}: ${callback.href}\n${log.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe.each(['localhost', '127.0.0.1'])('OAuth at http://%s:<port>/finopps/mcp', (host) => {
  const endpoint = (): string => `http://${host}:${port}/finopps/mcp`;

  it('the metadata and the 401 challenge name the resource by the host used', async () => {
    const metadata = (await (
      await fetch(`http://${host}:${port}/.well-known/oauth-protected-resource/finopps/mcp`)
    ).json()) as Record<string, unknown>;
    expect(metadata['resource']).toBe(endpoint());
    const refused = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain(
      `resource_metadata="http://${host}:${port}/.well-known/oauth-protected-resource/finopps/mcp"`,
    );
  });

  it('the official SDK client signs in (DCR, PKCE, resource indicator) and calls a tool', async () => {
    const provider = new InMemoryOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(endpoint()), { authProvider: provider });
    await expect(new Client({ name: 'oauth-hosts', version: '1' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(endpoint());
    const callback = await completeSandboxAuthorization(provider.authorizationUrl!, 'alice');
    await first.finishAuth(callback.searchParams.get('code')!);
    expect(jwtPayload(provider.savedTokens!.access_token)['aud']).toBe(endpoint());
    const client = new Client({ name: 'oauth-hosts', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint()), { authProvider: provider }));
    const result = await client.callTool({ name: 'get_business', arguments: {} });
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
    await client.close();
  }, 60_000);

  it('a token for the other name of the server is refused here (the audience is the resource the client uses)', async () => {
    const other = host === 'localhost' ? '127.0.0.1' : 'localhost';
    const provider = new InMemoryOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(`http://${other}:${port}/finopps/mcp`), {
      authProvider: provider,
    });
    await expect(new Client({ name: 'oauth-hosts', version: '1' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await first.finishAuth(
      (await completeSandboxAuthorization(provider.authorizationUrl!, 'alice')).searchParams.get('code')!,
    );
    const answer = await fetch(endpoint(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${provider.savedTokens!.access_token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('token audience is not this resource');
  }, 60_000);

  it('mcp-remote (the stdio bridge of the README) completes its OAuth flow and calls a tool', async () => {
    const callbackPort = await findFreePort();
    const child = spawn(process.execPath, [mcpRemote, endpoint(), String(callbackPort)], {
      env: { ...process.env, MCP_REMOTE_CONFIG_DIR: join(configDir, host), BROWSER: 'none', DISPLAY: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const log: string[] = [];
    const answers = new Map<number, Record<string, unknown>>();
    const waiters = new Map<number, (answer: Record<string, unknown>) => void>();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      const id = message['id'] as number;
      answers.set(id, message);
      waiters.get(id)?.(message);
    });
    const answer = (id: number): Promise<Record<string, unknown>> =>
      answers.has(id) ? Promise.resolve(answers.get(id)!) : new Promise((resolve) => waiters.set(id, resolve));
    // mcp-remote prints the authorization URL on the line after this one; the test is the browser.
    const authorizationUrl = new Promise<string>((resolve, reject) => {
      let next = false;
      createInterface({ input: child.stderr! }).on('line', (line) => {
        log.push(line);
        if (next && line.startsWith('http')) resolve(line.trim());
        next ||= line.includes('Please authorize this client by visiting');
      });
      child.once('exit', (code) =>
        reject(new Error(`mcp-remote exited (${code}) before asking to authorize:\n${log.join('\n')}`)),
      );
    });
    const url = new URL(await authorizationUrl);
    expect(url.searchParams.get('resource')).toBe(endpoint());
    const callback = await completeSandboxAuthorization(url, 'alice');
    // The browser lands on mcp-remote's own callback listener, which completes the token request.
    const landed = await landOn(callback, log);
    expect(landed.status).toBe(200);
    const send = (message: object): void => void child.stdin!.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'oauth-hosts', version: '1' } },
    });
    expect((await answer(1))['result'], log.join('\n')).toBeDefined();
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_business', arguments: {} } });
    const result = (await answer(2))['result'] as { isError?: boolean; content: unknown[] };
    expect(result.isError, JSON.stringify(result)).not.toBe(true);
    child.stdin!.end();
  }, 90_000);
});
