/**
 * B4B's session and security promises, end to end: the real server from `startServers` over Streamable HTTP, with
 * `B4B_BACKEND_URL` pointing at a stateful stub backend (b4b-backend.ts) that issues a distinct token per user and
 * records what it received. Prism cannot issue per-user tokens, and these tests must see what reached the backend.
 *
 * The MCP client is deliberately lean (raw JSON-RPC over an undici pool: initialize → Mcp-Session-Id →
 * tools/call), so that hundreds of sessions stay cheap on two cores. JSON-RPC ids are reused across sessions on
 * purpose. Every backend call is correlated with the session that made it through `X-Request-Id`, which the
 * server forwards upstream as `x-request-id`.
 *
 * The server's whole log stream (level trace) is captured in memory; the last test searches it for every password,
 * backend token, inbound API key and Mcp-Session-Id used anywhere in this file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { startServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { reply } from '../../testkit/fault-backend.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub, type StubUser } from './b4b-backend.js';

// ---------------------------------------------------------------------------------------------------------------
// Everything secret that this file uses, for the log search at the end.
const secrets = {
  passwords: new Set<string>(),
  sessionIds: new Set<string>(),
  apiKeys: new Set<string>(),
};
/** Every tool result text seen, to check that no backend token was ever returned. */
const resultTexts: string[] = [];

const logChunks: string[] = [];
const logger = createLogger({
  level: 'trace',
  destination: {
    write(chunk: string): void {
      logChunks.push(chunk);
    },
  },
});

const MCP_PATH = '/b4b/mcp';
const ENTITY_ID = '550e8400-e29b-41d4-a716-446655440000';
const SESSION_EXPIRED = /session expired\W+call `?login`? again/i;
const ASKS_FOR_LOGIN = /not logged in\W+call the `?login`? tool/i;

/** A fresh user of the stub whose password the log checks look for. */
function newUser(stub: B4bStub, tag: string, extra: Partial<StubUser> = {}): StubUser {
  const user = stub.newUser(tag, extra);
  secrets.passwords.add(user.password);
  return user;
}

// ---------------------------------------------------------------------------------------------------------------
// Lean Streamable HTTP client.

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
}

class LeanClient {
  constructor(private readonly pool: Pool) {}

  async send(method: 'POST' | 'DELETE', headers: Record<string, string>, message?: unknown): Promise<HttpAnswer> {
    const res = await this.pool.request({
      method,
      path: MCP_PATH,
      headers: {
        accept: 'application/json, text/event-stream',
        ...(message === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(message === undefined ? {} : { body: JSON.stringify(message) }),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /** `initialize`; returns the new session's id. */
  async initialize(headers: Record<string, string> = {}): Promise<string> {
    const answer = await this.send('POST', headers, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'b4b-security-test', version: '1.0.0' },
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body?.['id']).toBe(1);
    const sid = answer.headers['mcp-session-id'];
    expect(typeof sid).toBe('string');
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secrets.sessionIds.add(sid as string);
    return sid as string;
  }

  /** A JSON-RPC request in a session; the raw HTTP answer. */
  async request(
    sid: string,
    id: number,
    method: string,
    params: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    return this.send(
      'POST',
      { 'mcp-session-id': sid, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, ...headers },
      { jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) },
    );
  }

  /** `tools/call`; expects HTTP 200 and a result with the same JSON-RPC id. */
  async call(
    sid: string,
    id: number,
    name: string,
    args: Record<string, unknown>,
    requestId?: string,
    headers: Record<string, string> = {},
  ): Promise<ToolResult> {
    const answer = await this.request(
      sid,
      id,
      'tools/call',
      { name, arguments: args },
      {
        ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
        ...headers,
      },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body?.['id']).toBe(id);
    const result = answer.body?.['result'] as ToolResult | undefined;
    expect(result, JSON.stringify(answer.body)).toBeDefined();
    resultTexts.push(JSON.stringify(result));
    return result as ToolResult;
  }
}

function text(result: ToolResult): string {
  return result.content.map((c) => c.text).join('\n');
}

function expectOk(result: ToolResult): Record<string, unknown> {
  expect(result.isError, text(result)).not.toBe(true);
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------

let stub: B4bStub;
let served: Served;
let client: LeanClient;

/** A b4b server against the stub and a lean client over a pool of its connections. */
interface Served {
  client: LeanClient;
  close(): Promise<void>;
}

async function serveWithClient(settings: Record<string, string>, connections: number): Promise<Served> {
  const running = await serveB4bOverHttp(stub, settings, logger);
  const pool = new Pool(running.url!, { connections });
  return {
    client: new LeanClient(pool),
    async close() {
      await pool.close();
      await running.close();
    },
  };
}

beforeAll(async () => {
  stub = await startB4bStub();
  // Every caller here is anonymous from 127.0.0.1, i.e. one rate-limit bucket; the limiter is not under test.
  // 48 connections: the 200 sessions interleave over these.
  served = await serveWithClient({ B4B_MAX_XML_BYTES: '2048', FINMCP_RATE_LIMIT_PER_MINUTE: '60000000' }, 48);
  client = served.client;
}, 120_000);

afterAll(async () => {
  await served?.close();
  await stub?.close();
});

/** A session logged in as a fresh user; returns its id, the user and the backend token issued for it. */
async function loggedIn(
  tag: string,
  extra: Partial<StubUser> = {},
): Promise<{ sid: string; user: StubUser; token: string }> {
  const user = newUser(stub, tag, extra);
  const sid = await client.initialize();
  const login = await client.call(sid, 2, 'login', { phone: user.phone, password: user.password });
  expect(expectOk(login)['email']).toBe(user.email);
  const tokens = stub.tokensOf(user.phone);
  expect(tokens).toHaveLength(1);
  return { sid, user, token: tokens[0]! };
}

describe('B4B per-session backend tokens', () => {
  it('200 concurrent sessions, each logged in as a different user: every backend call carries its own token, whoami answers its own user', async () => {
    const N = 200;
    const users = Array.from({ length: N }, () => newUser(stub, 'crowd'));
    const before = stub.requests.length;

    await Promise.all(
      users.map(async (user, i) => {
        const rid = (step: string): string => `crowd-s${i}-${step}`;
        const sid = await client.initialize();
        // The same JSON-RPC ids (1..5) in every session.
        const login = await client.call(sid, 2, 'login', { phone: user.phone, password: user.password }, rid('login'));
        expect(expectOk(login)).toMatchObject({ success: true, email: user.email });
        const who = await client.call(sid, 3, 'whoami', {}, rid('whoami'));
        expect(expectOk(who)['user']).toMatchObject({ id: user.id, email: user.email, phone: user.phone });
        const list = await client.call(sid, 4, 'list_entities', {}, rid('list'));
        expect((expectOk(list)['items'] as Array<Record<string, unknown>>).map((e) => e['name'])).toEqual([
          `Entity of ${user.email}`,
        ]);
        const one = await client.call(sid, 5, 'get_entity', { entity_id: ENTITY_ID }, rid('get'));
        expect(expectOk(one)).toMatchObject({ id: ENTITY_ID, email: user.email });
      }),
    );

    // What the backend received, session by session.
    const received = stub.requests.slice(before);
    expect(received).toHaveLength(N * 4);
    const allTokens = new Set<string>();
    for (const [i, user] of users.entries()) {
      const tokens = stub.tokensOf(user.phone);
      expect(tokens, `one login for session ${i}`).toHaveLength(1);
      const token = tokens[0]!;
      allTokens.add(token);
      const mine = received.filter((r) => r.requestId?.startsWith(`crowd-s${i}-`));
      expect(mine.map((r) => `${r.requestId} ${r.method} ${r.path}`).sort()).toEqual(
        [
          `crowd-s${i}-get GET /api/v1/entities/${ENTITY_ID}`,
          `crowd-s${i}-list GET /api/v1/entities`,
          `crowd-s${i}-login POST /api/v1/auth/login`,
          `crowd-s${i}-whoami GET /api/v1/auth/me`,
        ].sort(),
      );
      for (const r of mine) {
        if (r.path === '/api/v1/auth/login') {
          expect(r.headers['authorization'], 'login is sent without a bearer token').toBeUndefined();
          expect(JSON.parse(r.body)).toEqual({ phone: user.phone, password: user.password });
        } else {
          expect(r.headers['authorization'], `${r.requestId}`).toBe(`Bearer ${token}`);
        }
      }
    }
    expect(allTokens.size).toBe(N);
  }, 120_000);
});

describe('XML import gate', () => {
  const LIMIT = 2048;
  const importPath = `/api/v1/entities/${ENTITY_ID}/invoices/import-xml`;

  const XXE =
    '<?xml version="1.0"?>\n' +
    '<!DOCTYPE Invoice [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n' +
    '<Invoice><InvoiceNumber>&xxe;</InvoiceNumber><Date>2024-01-15</Date><Total>1500.00</Total></Invoice>\n';
  const LAUGHS =
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol "lol">\n' +
    Array.from({ length: 9 }, (_, k) => `  <!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">\n`).join(
      '',
    ) +
    ']>\n<lolz>&lol9;</lolz>\n';
  const MALFORMED = '<?xml version="1.0"?>\n<Invoice><InvoiceNumber>INV-2024-001</Invoice>\n';

  /** A well-formed invoice of exactly `bytes` UTF-8 bytes, padded with 3-byte characters (so far fewer characters). */
  function invoiceOfBytes(bytes: number): string {
    const head =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice><InvoiceNumber>INV-2024-001</InvoiceNumber><Date>2024-01-15</Date><Total>1500.00</Total><Note>';
    const tail = '</Note></Invoice>\n';
    const room = bytes - Buffer.byteLength(head + tail);
    const doc = head + 'ệ'.repeat(Math.floor(room / 3)) + 'x'.repeat(room % 3) + tail;
    expect(Buffer.byteLength(doc)).toBe(bytes);
    return doc;
  }

  it('refuses XXE, billion laughs, malformed XML and a document just over the size limit, naming xml_content and the rule; the backend receives nothing', async () => {
    const { sid } = await loggedIn('xml');
    const overLimit = invoiceOfBytes(LIMIT + 1);
    expect(overLimit.length, 'fewer characters than the byte limit: only a byte count catches it').toBeLessThan(LIMIT);
    expect(Buffer.byteLength(LAUGHS)).toBeLessThan(LIMIT);
    const cases: Array<{ name: string; xml: string; rule: RegExp }> = [
      { name: 'XXE', xml: XXE, rule: /DOCTYPE declarations are not allowed/ },
      { name: 'billion laughs', xml: LAUGHS, rule: /DOCTYPE declarations are not allowed/ },
      { name: 'malformed', xml: MALFORMED, rule: /not well-formed XML/ },
      { name: 'over the limit', xml: overLimit, rule: new RegExp(`${LIMIT + 1} bytes.*the limit is ${LIMIT} bytes`) },
    ];
    const before = stub.requests.length;
    for (const c of cases) {
      const result = await client.call(sid, 7, 'import_invoice_xml', { entity_id: ENTITY_ID, xml_content: c.xml });
      expect(result.isError, c.name).toBe(true);
      expect(text(result), c.name).toMatch(/xml_content/);
      expect(text(result), c.name).toMatch(c.rule);
      expect(text(result), c.name).not.toMatch(/root:|lollol/);
    }
    expect(stub.requests.slice(before), 'no backend request for a refused document').toEqual([]);
  });

  it('forwards a well-formed document (up to exactly the limit) once, as application/xml', async () => {
    const { sid, user, token } = await loggedIn('xml-ok');
    for (const xml of [invoiceOfBytes(200), invoiceOfBytes(LIMIT)]) {
      const before = stub.requestsTo('POST', importPath).length;
      const result = await client.call(sid, 8, 'import_invoice_xml', { entity_id: ENTITY_ID, xml_content: xml });
      expect(expectOk(result)['invoice_number']).toBe(`INV imported by ${user.email}`);
      const sent = stub.requestsTo('POST', importPath).slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.headers['content-type']).toMatch(/^application\/xml\b/);
      expect(sent[0]!.body).toBe(xml);
      expect(sent[0]!.token).toBe(token);
    }
  });
});

describe('writes are never retried automatically', () => {
  it('annotates the writes: none read-only or destructive; update_entity idempotent, create_entity and import_invoice_xml not', async () => {
    const sid = await client.initialize();
    const answer = await client.request(sid, 2, 'tools/list', {});
    expect(answer.status).toBe(200);
    const tools = (answer.body?.['result'] as { tools: ListedTool[] }).tools;
    const byName = new Map(tools.map((t) => [t.name, t]));
    const hints = (name: string): Record<string, unknown> => {
      const tool = byName.get(name);
      expect(tool, name).toBeDefined();
      return (tool!.annotations ?? {}) as Record<string, unknown>;
    };
    expect(hints('update_entity')).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(hints('create_entity')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(hints('import_invoice_xml')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
  });

  it('create_entity answered 503 reaches the backend once; import_invoice_xml with a reset connection once; an idempotent GET 503 → 200 twice', async () => {
    const { sid, token } = await loggedIn('writes');
    try {
      // 503 with Retry-After: 0 invites an immediate retry; a write must not take it.
      stub.script(
        'POST',
        '/api/v1/entities',
        reply.json(503, { title: 'Service Unavailable', status: 503 }, { 'retry-after': '0' }),
      );
      const entity = {
        name: 'Retry Probe JSC',
        entity_type: 'COMPANY',
        tax_code: '0312345678',
        address: '1 Lê Lợi',
        city: 'Hồ Chí Minh',
        country: 'VN',
      };
      const created = await client.call(sid, 10, 'create_entity', entity);
      expect(created.isError).toBe(true);
      expect(text(created)).toMatch(/HTTP 503/);
      expect(stub.requestsTo('POST', '/api/v1/entities').filter((r) => r.token === token)).toHaveLength(1);

      const importPath = `/api/v1/entities/${ENTITY_ID}/invoices/import-xml`;
      stub.script('POST', importPath, reply.reset());
      const imported = await client.call(sid, 11, 'import_invoice_xml', {
        entity_id: ENTITY_ID,
        xml_content:
          '<Invoice><InvoiceNumber>INV-9</InvoiceNumber><Date>2024-01-15</Date><Total>1.00</Total></Invoice>',
      });
      expect(imported.isError).toBe(true);
      // The connection was reset after the request went out: the outcome is unknown, said plainly, not retried.
      expect(text(imported)).toMatch(/^Outcome unknown: POST was sent to the backend, .* it was not retried/);
      expect(stub.requestsTo('POST', importPath).filter((r) => r.token === token)).toHaveLength(1);

      const entityPath = `/api/v1/entities/${ENTITY_ID}`;
      stub.script(
        'GET',
        entityPath,
        reply.json(503, { title: 'Service Unavailable', status: 503 }, { 'retry-after': '0' }),
        reply.fallback(),
      );
      const got = await client.call(sid, 12, 'get_entity', { entity_id: ENTITY_ID });
      expectOk(got);
      expect(stub.requestsTo('GET', entityPath).filter((r) => r.token === token)).toHaveLength(2);

      // update_entity is an idempotent write (PUT): retried like a GET.
      stub.script(
        'PUT',
        entityPath,
        reply.json(503, { title: 'Service Unavailable', status: 503 }, { 'retry-after': '0' }),
        reply.fallback(),
      );
      const updated = await client.call(sid, 13, 'update_entity', {
        entity_id: ENTITY_ID,
        name: 'Tech Innovations Inc',
      });
      expect(expectOk(updated)['name']).toBe('Tech Innovations Inc');
      expect(stub.requestsTo('PUT', entityPath).filter((r) => r.token === token)).toHaveLength(2);
    } finally {
      stub.clearScripts();
    }
  });
});

describe('expired backend token', () => {
  it('a backend 401 says "session expired, call login again"; the next call asks for login without reaching the backend', async () => {
    const { sid, user, token } = await loggedIn('expired-401');
    stub.revoke(token);
    const before = stub.requests.length;
    const expired = await client.call(sid, 20, 'list_entities', {});
    expect(expired.isError).toBe(true);
    expect(text(expired)).toMatch(SESSION_EXPIRED);
    // One attempt with the token, answered 401; never replayed.
    expect(stub.requests.slice(before).map((r) => [r.path, r.token])).toEqual([['/api/v1/entities', token]]);

    for (const tool of ['list_entities', 'whoami']) {
      const next = await client.call(sid, 21, tool, {});
      expect(next.isError, tool).toBe(true);
      expect(text(next), tool).toMatch(ASKS_FOR_LOGIN);
    }
    expect(stub.requests.length - before, 'no backend request once the login is forgotten').toBe(1);

    // Logging in again works, with a new token.
    const again = await client.call(sid, 22, 'login', { phone: user.phone, password: user.password });
    expectOk(again);
    const fresh = stub.tokensOf(user.phone)[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(token);
    expectOk(await client.call(sid, 23, 'whoami', {}));
    expect(stub.requests.at(-1)?.token).toBe(fresh);
  });

  it('a token past its expiry is not sent: "session expired", then "not logged in"', async () => {
    // expires_in 1 s is inside the server's expiry leeway: expired as soon as it is stored.
    const { sid } = await loggedIn('expired-local', { expiresIn: 1 });
    const before = stub.requests.length;
    const expired = await client.call(sid, 30, 'get_entity', { entity_id: ENTITY_ID });
    expect(expired.isError).toBe(true);
    expect(text(expired)).toMatch(SESSION_EXPIRED);
    const next = await client.call(sid, 31, 'get_entity', { entity_id: ENTITY_ID });
    expect(text(next)).toMatch(ASKS_FOR_LOGIN);
    expect(stub.requests.length).toBe(before);
  });
});

describe('sessions are not authentication', () => {
  let keyed: Served;
  let keyedClient: LeanClient;
  const KEY_A = 'key-a';
  const KEY_B = 'key-b';
  const as = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    secrets.apiKeys.add(KEY_A).add(KEY_B);
    keyed = await serveWithClient({ FINMCP_API_KEYS: `alice:${KEY_A},bob:${KEY_B}` }, 4);
    keyedClient = keyed.client;
  }, 60_000);

  afterAll(async () => {
    await keyed?.close();
  });

  it('a session created with key A: 404 with key B, 401 with no key, 404 for an unknown id; DELETE ends it', async () => {
    const sid = await keyedClient.initialize(as(KEY_A));
    const list = (key: string | undefined, id = sid): Promise<{ status: number }> =>
      keyedClient.request(id, 2, 'tools/list', {}, key === undefined ? {} : as(key));

    expect((await list(KEY_A)).status).toBe(200);
    expect((await list(KEY_B)).status).toBe(404);
    expect((await list(undefined)).status).toBe(401);
    expect((await list('key-c')).status).toBe(401);
    const unknown = randomBytes(32).toString('base64url');
    expect((await list(KEY_A, unknown)).status).toBe(404);
    expect((await list(KEY_A, `${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}`)).status).toBe(404);

    // Bob cannot use Alice's logged-in session: nothing reaches the backend.
    const user = newUser(stub, 'alice-session');
    expectOk(
      await keyedClient.call(sid, 3, 'login', { phone: user.phone, password: user.password }, undefined, as(KEY_A)),
    );
    const before = stub.requests.length;
    const stolen = await keyedClient.request(sid, 4, 'tools/call', { name: 'whoami', arguments: {} }, as(KEY_B));
    expect(stolen.status).toBe(404);
    expect(JSON.stringify(stolen.body)).not.toContain(user.email);
    expect(stub.requests.length).toBe(before);

    // DELETE by another principal is refused and leaves the session alive.
    expect((await keyedClient.send('DELETE', { 'mcp-session-id': sid, ...as(KEY_B) })).status).toBe(404);
    expect((await list(KEY_A)).status).toBe(200);
    expect((await keyedClient.send('DELETE', { 'mcp-session-id': sid, ...as(KEY_A) })).status).toBe(204);
    expect((await list(KEY_A)).status).toBe(404);
    const afterDelete = await keyedClient.request(sid, 5, 'tools/call', { name: 'whoami', arguments: {} }, as(KEY_A));
    expect(afterDelete.status).toBe(404);
  });

  // Fails today: createSessionHandle (src/state/session-store.ts) writes the whole record back with store.set on
  // every state change, which re-creates a session deleted meanwhile; the late login then revives it, token included.
  it('a session DELETEd while a login is in flight stays ended: the login does not bring it back', async () => {
    const sid = await keyedClient.initialize(as(KEY_A));
    const user = newUser(stub, 'deleted-mid-login');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    stub.script('POST', '/api/v1/auth/login', reply.after(gate), reply.fallback());
    try {
      const pending = keyedClient.call(
        sid,
        2,
        'login',
        { phone: user.phone, password: user.password },
        undefined,
        as(KEY_A),
      );
      // Bounded wait (20 s: a loaded machine is slow) until the login is at the backend.
      for (
        let i = 0;
        i < 2_000 && stub.requestsTo('POST', '/api/v1/auth/login').every((r) => !r.body.includes(user.phone));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(stub.requestsTo('POST', '/api/v1/auth/login').some((r) => r.body.includes(user.phone))).toBe(true);
      expect((await keyedClient.send('DELETE', { 'mcp-session-id': sid, ...as(KEY_A) })).status).toBe(204);
      release();
      await pending;
    } finally {
      release();
      stub.clearScripts();
    }
    const before = stub.requests.length;
    const after = await keyedClient.request(sid, 3, 'tools/call', { name: 'whoami', arguments: {} }, as(KEY_A));
    expect(after.status, 'the ended session must stay ended').toBe(404);
    expect(stub.requests.length - before, 'no backend call through an ended session').toBe(0);
  });

  it('refuses to listen on 0.0.0.0 or behind a public URL without an inbound credential, saying why; starts with API keys', async () => {
    await expect(serveB4bOverHttp(stub, { FINMCP_HOST: '0.0.0.0' }, logger)).rejects.toThrow(
      /sessions are not authentication: configure an inbound credential to listen on 0\.0\.0\.0/,
    );
    // Loopback behind a proxy is no better: the public URL is what clients reach.
    await expect(
      startServers(
        ['b4b'],
        { transport: 'http', port: '0', publicUrl: 'https://b4b-mcp.example.com' },
        new Settings({ B4B_BACKEND_URL: stub.url }),
        logger,
      ),
    ).rejects.toThrow(/configure an inbound credential to be served at https:\/\/b4b-mcp\.example\.com/);

    const exposed = await serveB4bOverHttp(stub, { FINMCP_HOST: '0.0.0.0', FINMCP_API_KEYS: `alice:${KEY_A}` }, logger);
    try {
      const port = new URL(exposed.url!).port;
      // Talk to it over loopback only: without the key it answers 401.
      const res = await fetch(`http://127.0.0.1:${port}${MCP_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
      });
      expect(res.status).toBe(401);
      await res.body?.cancel();
    } finally {
      await exposed.close();
    }
  });
});

describe('secrets stay out of logs and results', () => {
  it('no password, backend token, API key or Mcp-Session-Id in the log stream (level trace) or in any tool result', async () => {
    // Its own scenario (so it is meaningful alone): good and bad login, calls, a backend 401, logout.
    const user = newUser(stub, 'logs');
    const sid = await client.initialize();
    const badPassword = `Wrong!${randomBytes(9).toString('base64url')}`;
    secrets.passwords.add(badPassword);
    const bad = await client.call(sid, 2, 'login', { phone: user.phone, password: badPassword });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/Login failed/);
    expect(text(bad)).not.toContain(badPassword);

    const good = await client.call(sid, 3, 'login', { phone: user.phone, password: user.password });
    expect(expectOk(good)['email']).toBe(user.email);
    expectOk(await client.call(sid, 4, 'whoami', {}));
    expectOk(await client.call(sid, 5, 'list_entities', {}));
    const [first] = stub.tokensOf(user.phone);
    stub.revoke(first!);
    expect(text(await client.call(sid, 6, 'get_entity', { entity_id: ENTITY_ID }))).toMatch(SESSION_EXPIRED);
    expectOk(await client.call(sid, 7, 'login', { phone: user.phone, password: user.password }));
    expect(expectOk(await client.call(sid, 8, 'logout', {}))['backend_revoked']).toBe(true);
    expect(stub.tokensOf(user.phone)).toHaveLength(2);

    // Let pino flush anything buffered.
    await new Promise((resolve) => setImmediate(resolve));
    logger.flush();
    const logs = logChunks.join('');
    // The capture works and holds the calls (so a leak would be seen).
    expect(logs).toContain('"tool":"login"');
    expect(logs).toContain('"tool":"logout"');
    expect(logs).toContain(`"session":"${createHash('sha256').update(sid).digest('hex').slice(0, 12)}"`);

    const tokens = stub.issued.map((i) => i.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const needles: Array<[string, string]> = [
      ...[...secrets.passwords].map((p): [string, string] => ['password', p]),
      // Whole tokens, and their payload and signature parts (a truncated or split token still leaks them).
      ...tokens.flatMap((t): Array<[string, string]> => {
        const [, payload, signature] = t.split('.');
        return [
          ['token', t],
          ['token payload', payload!],
          ['token signature', signature!],
        ];
      }),
      ...[...secrets.sessionIds].map((s): [string, string] => ['Mcp-Session-Id', s]),
      ...[...secrets.apiKeys].map((k): [string, string] => ['API key', k]),
    ];
    const results = resultTexts.join('\n');
    const leaks: string[] = [];
    for (const [kind, needle] of needles) {
      if (logs.includes(needle)) leaks.push(`${kind} in logs: ${needle.slice(0, 12)}…`);
      if (results.includes(needle)) leaks.push(`${kind} in a tool result: ${needle.slice(0, 12)}…`);
    }
    expect(leaks).toEqual([]);
  });
});
