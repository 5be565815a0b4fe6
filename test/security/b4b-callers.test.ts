/**
 * B4B sign-in without sessions (MCP 2026-07-28 has none): over Streamable HTTP with two API keys
 * (FINMCP_API_KEYS), each caller's `login` belongs to that caller alone, is kept in the state store keyed by the
 * principal, and never serves the other caller. The recording stub backend (b4b-backend.ts) proves which backend
 * JWT each call carried. Clients: the SDK 2.x client pinned to 2026-07-28, and a 2025-11-25 client whose
 * legacy session keeps its own sign-in as before.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServers } from '../../src/cli/serve.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub, type StubUser } from './b4b-backend.js';

const KEYS = { ann: `ann-${randomBytes(12).toString('hex')}`, ben: `ben-${randomBytes(12).toString('hex')}` };
const ENTITIES = '/api/v1/entities';

let stub: B4bStub;
let running: RunningServers;
const opened: Client[] = [];

beforeAll(async () => {
  stub = await startB4bStub();
  running = await serveB4bOverHttp(
    stub,
    { FINMCP_API_KEYS: `ann:${KEYS.ann},ben:${KEYS.ben}`, FINMCP_RATE_LIMIT_PER_MINUTE: '0' },
    createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) }),
  );
}, 120_000);

afterAll(async () => {
  for (const client of opened) await client.close().catch(() => undefined);
  await running?.close();
  await stub?.close();
});

const user = (tag: string): StubUser => stub.newUser(tag);

async function connect(key: string, era: 'modern' | 'legacy'): Promise<Client> {
  const client = new Client(
    { name: `callers-${era}`, version: '0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(running.endpoints['b4b']!), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  opened.push(client);
  expect(client.getProtocolEra()).toBe(era);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** The token of the last request the stub received on `path`. */
function lastToken(path: string): string | undefined {
  return stub.requestsTo('GET', path).at(-1)?.token;
}

describe('B4B over 2026-07-28 HTTP with two API keys', () => {
  it("one caller's sign-in never serves the other, and every backend call carries its own caller's JWT", async () => {
    const annUser = user('ann');
    const benUser = user('ben');
    const ann = await connect(KEYS.ann, 'modern');
    const ben = await connect(KEYS.ben, 'modern');

    expect((await call(ann, 'login', { phone: annUser.phone, password: annUser.password })).isError).not.toBe(true);
    const annToken = stub.tokensOf(annUser.phone)[0];
    expect(annToken).toBeDefined();

    // Ben has not signed in: ann's sign-in is not his.
    const before = stub.requests.length;
    const refused = await call(ben, 'list_entities');
    expect(refused.isError).toBe(true);
    expect(refused.content[0]?.text).toMatch(/not logged in/i);
    expect(stub.requests.slice(before).filter((r) => r.path === ENTITIES)).toEqual([]);

    expect((await call(ben, 'login', { phone: benUser.phone, password: benUser.password })).isError).not.toBe(true);
    const benToken = stub.tokensOf(benUser.phone)[0];
    expect(benToken).toBeDefined();
    expect(benToken).not.toBe(annToken);

    // Interleaved calls: each reaches the backend with its own caller's token, whoami answers its own user.
    for (let i = 0; i < 3; i++) {
      expect((await call(ann, 'list_entities')).isError).not.toBe(true);
      expect(lastToken(ENTITIES)).toBe(annToken);
      expect((await call(ben, 'list_entities')).isError).not.toBe(true);
      expect(lastToken(ENTITIES)).toBe(benToken);
    }
    expect((await call(ann, 'whoami')).structuredContent).toMatchObject({ user: { email: annUser.email } });
    expect((await call(ben, 'whoami')).structuredContent).toMatchObject({ user: { email: benUser.email } });

    // A second connection of the same caller is the same caller: ann's sign-in serves it, no new login.
    const annAgain = await connect(KEYS.ann, 'modern');
    expect((await call(annAgain, 'list_entities')).isError).not.toBe(true);
    expect(lastToken(ENTITIES)).toBe(annToken);

    // Ann logs out: ann (every connection) is signed out, ben is not.
    expect((await call(ann, 'logout')).isError).not.toBe(true);
    expect((await call(annAgain, 'list_entities')).content[0]?.text).toMatch(/not logged in/i);
    expect((await call(ben, 'list_entities')).isError).not.toBe(true);
    expect(lastToken(ENTITIES)).toBe(benToken);

    // Every backend request after sign-in carried a token its own user was issued.
    for (const request of stub.requests.filter((r) => r.path === ENTITIES)) {
      expect([annToken, benToken]).toContain(request.token);
    }
  });

  it('a 2025-11-25 session of the same API key keeps its own sign-in, as before', async () => {
    const carol = user('carol');
    const modern = await connect(KEYS.ann, 'modern');
    const legacy = await connect(KEYS.ann, 'legacy');
    expect((await call(legacy, 'login', { phone: carol.phone, password: carol.password })).isError).not.toBe(true);
    const carolToken = stub.tokensOf(carol.phone)[0];
    expect((await call(legacy, 'list_entities')).isError).not.toBe(true);
    expect(lastToken(ENTITIES)).toBe(carolToken);
    // The session's sign-in is the session's: the same principal's 2026-07-28 calls do not get it.
    expect((await call(modern, 'list_entities')).content[0]?.text).toMatch(/not logged in/i);
    expect((await call(legacy, 'logout')).isError).not.toBe(true);
    expect((await call(legacy, 'list_entities')).content[0]?.text).toMatch(/not logged in/i);
  });
});
