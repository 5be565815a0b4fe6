/**
 * Issue 16: B4B writes confirmed by the user, and a sign-in whose password never passes through the model.
 * Real SDK 2.x clients (pinned to 2026-07-28, and in the 2025-11-25 era over stdio and HTTP) answer the
 * confirmation with accept, decline and cancel; the recording stub backend (b4b-backend.ts) proves that on accept
 * it receives exactly what was shown and on decline or cancel nothing. URL-mode sign-in end to end: the client gets
 * the URL, fetch drives the page (GET, POST the form), the following calls are signed in, and the password appears
 * in no MCP message, no log line and no tool result.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServers } from '../../src/cli/serve.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub, type StubUser } from './b4b-backend.js';

const KEY = `eli-${randomBytes(12).toString('hex')}`;
const ENTITIES = '/api/v1/entities';
type Answer = 'accept' | 'decline' | 'cancel';
type ElicitParams = { mode?: string; message: string; url?: string; requestedSchema?: Record<string, unknown> };

let stub: B4bStub;
let running: RunningServers;
let strict: RunningServers;
const logLines: string[] = [];
/** Every MCP message body sent or received over HTTP by the clients of this file. */
const wire: string[] = [];
/** Bodies still being read into {@link wire}. */
const recording: Array<Promise<void>> = [];
const opened: Client[] = [];

const sink = (): Writable =>
  new Writable({
    write: (chunk: Buffer, _e, done) => {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });

beforeAll(async () => {
  stub = await startB4bStub();
  const settings = { FINMCP_API_KEYS: `eli:${KEY}`, FINMCP_RATE_LIMIT_PER_MINUTE: '0' };
  const logger = createLogger({ level: 'debug', destination: sink() });
  running = await serveB4bOverHttp(stub, settings, logger);
  strict = await serveB4bOverHttp(stub, { ...settings, B4B_REQUIRE_CONFIRMATION: 'true' }, logger);
}, 120_000);

afterAll(async () => {
  for (const client of opened) await client.close().catch(() => undefined);
  await running?.close();
  await strict?.close();
  await stub?.close();
});

const user = (tag: string): StubUser => stub.newUser(tag);

/** fetch that records every MCP message body in {@link wire}. */
const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  if (typeof init?.body === 'string') wire.push(init.body);
  const res = await fetch(input, init);
  // Not awaited: an SSE answer ends only after the client has answered the request it carries.
  recording.push(
    res
      .clone()
      .text()
      .then(
        (text) => void wire.push(text),
        () => undefined,
      ),
  );
  return res;
};

interface Connected {
  client: Client;
  asked: ElicitParams[];
}

/** An SDK 2.x client over HTTP whose elicitation handler answers with `respond`. */
async function connect(
  era: 'modern' | 'legacy',
  capabilities: Record<string, unknown> | undefined,
  respond: (params: ElicitParams) => Promise<{ action: Answer; content?: Record<string, boolean> }>,
  server: RunningServers = running,
): Promise<Connected> {
  const asked: ElicitParams[] = [];
  const client = new Client(
    { name: `elicit-${era}`, version: '0' },
    {
      ...(capabilities === undefined ? {} : { capabilities }),
      ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  if (capabilities !== undefined) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as ElicitParams;
      asked.push(params);
      return respond(params);
    });
  }
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.endpoints['b4b']!), {
      requestInit: { headers: { authorization: `Bearer ${KEY}` } },
      fetch: recordingFetch,
    }),
  );
  opened.push(client);
  expect(client.getProtocolEra()).toBe(era);
  return { client, asked };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

function entity(tag: string): Record<string, unknown> {
  return {
    name: `Entity ${tag}`,
    entity_type: 'COMPANY',
    tax_code: '0312345678',
    address: '1 Lê Lợi',
    city: 'Hồ Chí Minh',
    country: 'VN',
  };
}

const confirmAs = (answer: Answer) => async (): Promise<{ action: Answer; content?: Record<string, boolean> }> =>
  answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: answer };

// 2026-07-28: an input_required round trip; 2025-11-25 over HTTP: elicitation/create on the POST's SSE stream, the
// client's answer in a POST of its own.
describe.each(['modern', 'legacy-http'] as const)('write confirmation, %s', (variant) => {
  it.each(['accept', 'decline', 'cancel'] as const)('create_entity answered %s', async (answer) => {
    const era = variant === 'modern' ? 'modern' : 'legacy';
    const u = user(`${variant}-${answer}`);
    const { client, asked } = await connect(era, { elicitation: { form: {} } }, confirmAs(answer));
    expect((await call(client, 'login', { phone: u.phone, password: u.password })).isError).not.toBe(true);
    const args = entity(`${variant}-${answer}-${randomBytes(4).toString('hex')}`);
    const before = stub.requestsTo('POST', ENTITIES).length;
    const result = await call(client, 'create_entity', args);
    const sent = stub.requestsTo('POST', ENTITIES).slice(before);

    expect(asked).toHaveLength(1);
    const question = asked[0]!;
    expect(question.mode ?? 'form').toBe('form');
    expect(question.requestedSchema).toMatchObject({
      properties: { confirm: { type: 'boolean' } },
      required: ['confirm'],
    });
    // Which backend, which account, which request and exactly what will be written.
    expect(question.message).toContain(`Finizi B4B at ${stub.url}`);
    expect(question.message).toContain(u.email);
    expect(question.message).toContain('POST /api/v1/entities');
    expect(question.message).toContain(JSON.stringify(args, null, 2));
    if (answer === 'accept') {
      expect(result.isError).not.toBe(true);
      expect(sent).toHaveLength(1);
      expect(JSON.parse(sent[0]!.body)).toEqual(args);
      expect(sent[0]!.token).toBe(stub.tokensOf(u.phone)[0]);
    } else {
      expect(sent).toEqual([]);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(
        answer === 'decline' ? /declined.*Nothing was sent/ : /without answering.*Nothing was sent/,
      );
    }
  });
});

describe('write confirmation, other writes (2026-07-28)', () => {
  it('update_entity and import_invoice_xml show their request and send nothing when declined, exactly it when accepted', async () => {
    const u = user('others');
    let answer: Answer = 'decline';
    const { client, asked } = await connect('modern', { elicitation: {} }, async () => confirmAs(answer)());
    await call(client, 'login', { phone: u.phone, password: u.password });
    const id = '550e8400-e29b-41d4-a716-446655440000';
    const update = { entity_id: id, name: 'Renamed' };
    const xml =
      '<?xml version="1.0"?><Invoice><InvoiceNumber>INV-1</InvoiceNumber><Date>2024-05-01</Date><Total>100</Total></Invoice>';
    const importArgs = { entity_id: id, xml_content: xml };
    const before = stub.requests.length;
    expect((await call(client, 'update_entity', update)).content[0]?.text).toMatch(/declined/);
    expect((await call(client, 'import_invoice_xml', importArgs)).content[0]?.text).toMatch(/declined/);
    expect(stub.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(asked[0]?.message).toContain(`PUT /api/v1/entities/${id}`);
    expect(asked[1]?.message).toContain(`POST /api/v1/entities/${id}/invoices/import-xml`);
    expect(asked[1]?.message).toContain(JSON.stringify(xml));

    answer = 'accept';
    expect((await call(client, 'update_entity', update)).isError).not.toBe(true);
    expect((await call(client, 'import_invoice_xml', importArgs)).isError).not.toBe(true);
    expect(JSON.parse(stub.requestsTo('PUT', `${ENTITIES}/${id}`).at(-1)!.body)).toEqual({ name: 'Renamed' });
    expect(stub.requestsTo('POST', `${ENTITIES}/${id}/invoices/import-xml`).at(-1)!.body).toBe(xml);
  });
});

describe('clients that cannot be asked', () => {
  it('without elicitation a write proceeds as before (the tool call is the request)', async () => {
    const u = user('unasked');
    const { client } = await connect('modern', undefined, confirmAs('accept'));
    await call(client, 'login', { phone: u.phone, password: u.password });
    const args = entity(`unasked-${randomBytes(4).toString('hex')}`);
    expect((await call(client, 'create_entity', args)).isError).not.toBe(true);
    expect(JSON.parse(stub.requestsTo('POST', ENTITIES).at(-1)!.body)).toEqual(args);
  });

  it.each(['modern', 'legacy'] as const)(
    'with B4B_REQUIRE_CONFIRMATION a %s client that cannot be asked is refused and nothing is sent',
    async (era) => {
      const u = user(`strict-${era}`);
      const { client } = await connect(era, undefined, confirmAs('accept'), strict);
      await call(client, 'login', { phone: u.phone, password: u.password });
      const before = stub.requestsTo('POST', ENTITIES).length;
      const result = await call(client, 'create_entity', entity('strict'));
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(/B4B_REQUIRE_CONFIRMATION.*cannot ask the user.*Nothing was sent/);
      expect(stub.requestsTo('POST', ENTITIES).length).toBe(before);
    },
  );

  it('with B4B_REQUIRE_CONFIRMATION a client that can be asked still writes once the user accepts', async () => {
    const u = user('strict-ok');
    const { client } = await connect('modern', { elicitation: { form: {} } }, confirmAs('accept'), strict);
    await call(client, 'login', { phone: u.phone, password: u.password });
    const args = entity('strict-ok');
    expect((await call(client, 'create_entity', args)).isError).not.toBe(true);
    expect(JSON.parse(stub.requestsTo('POST', ENTITIES).at(-1)!.body)).toEqual(args);
  });
});

/** Plays the user in a browser: opens the page, types phone and password, submits. */
async function signInOnPage(url: string, phone: string, password: string): Promise<{ page: string; done: string }> {
  const page = await (await fetch(url)).text();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
    body: new URLSearchParams({ phone, password }).toString(),
  });
  expect(res.status).toBe(200);
  return { page, done: await res.text() };
}

describe('URL-mode sign-in', () => {
  it('2026-07-28: login without a password answers with the page, the page signs the caller in, the password is never on the wire, in a log or a result', async () => {
    const u = user('url-modern');
    wire.length = 0;
    const pages: string[] = [];
    const { client, asked } = await connect('modern', { elicitation: { url: {} } }, async (params) => {
      expect(params.mode).toBe('url');
      const { page, done } = await signInOnPage(params.url!, u.phone, u.password);
      pages.push(page);
      expect(done).toContain(u.email);
      return { action: 'accept' };
    });
    // Every 2026-07-28 caller of this file is the one API key's principal: start signed out.
    await call(client, 'logout');
    const login = await call(client, 'login', {});
    expect(login.isError).not.toBe(true);
    expect(login.structuredContent).toMatchObject({ success: true, email: u.email });
    expect(asked).toHaveLength(1);
    const url = new URL(asked[0]!.url!);
    expect(url.pathname).toMatch(/^\/b4b\/elicitation\/[A-Za-z0-9_-]{43}$/);
    expect(pages[0]).toContain(`Finizi B4B at ${stub.url}`);
    expect(pages[0]).toContain('<strong>eli</strong>');

    // The following calls are signed in with the token the page obtained.
    expect((await call(client, 'whoami')).structuredContent).toMatchObject({ user: { email: u.email } });
    expect(stub.requestsTo('GET', '/api/v1/auth/me').at(-1)?.token).toBe(stub.tokensOf(u.phone)[0]);
    // One-time: the link is gone once used.
    expect((await fetch(url)).status).toBe(404);

    await Promise.all(recording);
    expect(wire.length).toBeGreaterThan(0);
    for (const text of [...wire, ...logLines, JSON.stringify(login)]) expect(text).not.toContain(u.password);
    expect(stub.requestsTo('POST', '/api/v1/auth/login').filter((r) => r.body.includes(u.password))).toHaveLength(1);
  });

  it('2025-11-25: login without a password ends with URLElicitationRequiredError naming the page; after it the session is signed in', async () => {
    const u = user('url-legacy');
    wire.length = 0;
    const { client } = await connect('legacy', { elicitation: { url: {} } }, async () => ({ action: 'accept' }));
    const error = await call(client, 'login', {}).then(
      () => undefined,
      (e: unknown) =>
        e as { code?: number; data?: { elicitations?: Array<{ mode: string; url: string; elicitationId: string }> } },
    );
    expect(error?.code).toBe(-32042);
    const elicitation = error?.data?.elicitations?.[0];
    expect(elicitation?.mode).toBe('url');
    await signInOnPage(elicitation!.url, u.phone, u.password);
    expect((await call(client, 'whoami')).structuredContent).toMatchObject({ user: { email: u.email } });
    const again = await call(client, 'login', {});
    expect(again.structuredContent).toMatchObject({ success: true, email: u.email });
    await Promise.all(recording);
    for (const text of [...wire, ...logLines]) expect(text).not.toContain(u.password);
  });

  it('a client without URL mode must pass the password, and is told how', async () => {
    const { client } = await connect('modern', { elicitation: { form: {} } }, confirmAs('accept'));
    const result = await call(client, 'login', {});
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/password: is required: this MCP client cannot open a sign-in page/);
  });

  it('the page refuses a wrong password (page kept, password not echoed), a foreign origin, and a reused or unknown link', async () => {
    const u = user('url-page');
    let pageUrl = '';
    const { client } = await connect('legacy', { elicitation: { url: {} } }, async () => ({ action: 'accept' }));
    await call(client, 'login', { phone: u.phone }).catch((e: { data?: { elicitations?: Array<{ url: string }> } }) => {
      pageUrl = e.data?.elicitations?.[0]?.url ?? '';
    });
    expect(pageUrl).not.toBe('');
    const page = await fetch(pageUrl);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain(`value="${u.phone}"`);

    const wrong = `Wrong-${randomBytes(6).toString('hex')}`;
    const refused = await fetch(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ phone: u.phone, password: wrong }).toString(),
    });
    const refusedText = await refused.text();
    expect(refusedText).toMatch(/Login failed/);
    expect(refusedText).not.toContain(wrong);

    const foreign = await fetch(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ phone: u.phone, password: u.password }).toString(),
    });
    expect(foreign.status).toBe(403);

    const { done } = await signInOnPage(pageUrl, u.phone, u.password);
    expect(done).toContain('Signed in');
    expect((await fetch(pageUrl)).status).toBe(404);
    expect((await fetch(new URL(`/b4b/elicitation/${'A'.repeat(43)}`, pageUrl))).status).toBe(404);
    for (const line of logLines) expect(line).not.toContain(wrong);
  });
});
