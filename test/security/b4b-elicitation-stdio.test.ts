/**
 * Issue 16 over stdio: the SDK 2.x client in both eras answers the B4B write confirmation with accept, decline and
 * cancel — in 2025-11-25 as a live `elicitation/create` request from the server, in 2026-07-28 as an
 * `input_required` round trip — and the recording stub backend (b4b-backend.ts) receives exactly what was shown, or
 * nothing. URL-mode sign-in over stdio: the first call of a URL-capable client starts a loopback page listener; the
 * page signs the process in and the password shows up in no MCP message and no log line. Spawns dist/.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { projectRoot } from '../../src/paths.js';
import { startB4bStub, type B4bStub } from './b4b-backend.js';

const cli = join(projectRoot(), 'bin', 'finmcp.js');
const ENTITIES = '/api/v1/entities';
type Answer = 'accept' | 'decline' | 'cancel';

let stub: B4bStub;
const opened: Client[] = [];

beforeAll(async () => {
  stub = await startB4bStub();
});

afterAll(async () => {
  for (const client of opened) await client.close().catch(() => undefined);
  await stub?.close();
});

async function connect(era: 'modern' | 'legacy', answer: { current: Answer }, asked: string[]): Promise<Client> {
  const client = new Client(
    { name: `stdio-elicit-${era}`, version: '0' },
    {
      capabilities: { elicitation: { form: {} } },
      ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push((request.params as { message: string }).message);
    return answer.current === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: answer.current };
  });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'serve', 'b4b', '--transport', 'stdio'],
      env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'warn', B4B_BACKEND_URL: stub.url },
      stderr: 'ignore',
      cwd: projectRoot(),
    }),
  );
  opened.push(client);
  expect(client.getProtocolEra()).toBe(era);
  return client;
}

describe.each(['legacy', 'modern'] as const)('B4B write confirmation over stdio, %s era', (era) => {
  it('accept sends exactly what was shown; decline and cancel send nothing', async () => {
    const u = stub.newUser(`stdio-${era}`);
    const answer = { current: 'decline' as Answer };
    const asked: string[] = [];
    const client = await connect(era, answer, asked);
    const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> =>
      (await client.callTool({ name, arguments: args })) as ToolResult;

    // This client declares no URL mode: the password must be passed.
    const noPassword = await call('login', {});
    expect(noPassword.isError).toBe(true);
    expect(noPassword.content[0]?.text).toMatch(/password: is required/);
    expect((await call('login', { phone: u.phone, password: u.password })).isError).not.toBe(true);

    for (const current of ['decline', 'cancel', 'accept'] as const) {
      answer.current = current;
      const args = {
        name: `Stdio ${era} ${current}`,
        entity_type: 'COMPANY',
        tax_code: '0312345678',
        address: '1 Lê Lợi',
        city: 'Hồ Chí Minh',
        country: 'VN',
      };
      const before = stub.requestsTo('POST', ENTITIES).length;
      const askedBefore = asked.length;
      const result = await call('create_entity', args);
      const sent = stub.requestsTo('POST', ENTITIES).slice(before);
      expect(asked.length).toBe(askedBefore + 1);
      expect(asked.at(-1)).toContain(JSON.stringify(args, null, 2));
      expect(asked.at(-1)).toContain(u.email);
      if (current === 'accept') {
        expect(result.isError).not.toBe(true);
        expect(sent.map((r) => JSON.parse(r.body) as unknown)).toEqual([args]);
      } else {
        expect(result.isError).toBe(true);
        expect(result.content[0]?.text).toMatch(/Nothing was sent to B4B/);
        expect(sent).toEqual([]);
      }
    }
  }, 60_000);
});

describe.each(['legacy', 'modern'] as const)('URL-mode sign-in over stdio, %s era', (era) => {
  it('the page on the loopback listener signs the process in; the password is in no MCP message and no log line', async () => {
    const u = stub.newUser(`stdio-url-${era}`);
    const messages: string[] = [];
    let stderr = '';
    const client = new Client(
      { name: `stdio-url-${era}`, version: '0' },
      {
        capabilities: { elicitation: { url: {} } },
        ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
      },
    );
    const signIn = async (url: string): Promise<void> => {
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(await (await fetch(url)).text()).toContain(`Finizi B4B at ${stub.url}`);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ phone: u.phone, password: u.password }).toString(),
      });
      expect(await res.text()).toContain(u.email);
    };
    client.setRequestHandler('elicitation/create', async (request) => {
      await signIn((request.params as { url: string }).url);
      return { action: 'accept' };
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'serve', 'b4b', '--transport', 'stdio'],
      env: { ...(process.env as Record<string, string>), FINMCP_LOG_LEVEL: 'debug', B4B_BACKEND_URL: stub.url },
      stderr: 'pipe',
      cwd: projectRoot(),
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const onmessage = (message: unknown): void => void messages.push(JSON.stringify(message));
    await client.connect(transport);
    opened.push(client);
    const previous = transport.onmessage;
    transport.onmessage = (message) => {
      onmessage(message);
      previous?.(message);
    };

    if (era === 'modern') {
      const login = (await client.callTool({ name: 'login', arguments: {} })) as ToolResult;
      expect(login.structuredContent).toMatchObject({ success: true, email: u.email });
    } else {
      const error = await client.callTool({ name: 'login', arguments: {} }).then(
        () => undefined,
        (e: { code?: number; data?: { elicitations?: Array<{ url: string }> } }) => e,
      );
      expect(error?.code).toBe(-32042);
      await signIn(error!.data!.elicitations![0]!.url);
    }
    const me = (await client.callTool({ name: 'whoami', arguments: {} })) as ToolResult;
    expect(me.structuredContent).toMatchObject({ user: { email: u.email } });
    expect(messages.length).toBeGreaterThan(0);
    for (const text of [...messages, stderr]) expect(text).not.toContain(u.password);
  }, 60_000);
});
