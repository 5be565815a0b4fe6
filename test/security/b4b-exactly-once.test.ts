/**
 * Issue 21, part 1: a confirmed write happens exactly once. A 2026-07-28 client confirms `create_entity` once;
 * the retry carrying that confirmation (same `requestState`, same `inputResponses`) is then replayed 10 times in a
 * row and 10 times at once — to one instance with the memory store, to one with Redis, and spread over three
 * instances sharing one Redis (in-process servers, each with its own memory, connection and seal built from the
 * shared FINMCP_STATE_KEY). The recording B4B stub (b4b-backend.ts) counts the backend POSTs: exactly one per
 * confirmation, and every replay answers the first execution's result. Replays with the arguments' keys reordered
 * and from a client that no longer declares elicitation write nothing either.
 *
 * Sign-in pages live in the same store: a link made on one instance works on any other, and 40 parallel guesses on
 * one link reach the backend's login at most 5 times (each attempt is counted before the login is sent). A
 * 2025-11-25 confirmation whose answer POST reaches another instance than the waiting call is not lost.
 */
import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServers } from '../../src/cli/serve.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { createLogger } from '../../src/log.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub } from './b4b-backend.js';
import { modernCall, textOf, type ModernAnswer } from './modern-rpc.js';

const ENTITIES = '/api/v1/entities';
const FORM = { elicitation: { form: {} } };
const ACCEPT = { confirm_create_entity: { action: 'accept', content: { confirm: true } } };
const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const keys = Array.from({ length: 16 }, (_v, i) => `once${i}-${randomBytes(12).toString('hex')}`);
const settings = {
  FINMCP_API_KEYS: keys.map((k, i) => `caller${i}:${k}`).join(','),
  FINMCP_RATE_LIMIT_PER_MINUTE: '0',
};

let stub: B4bStub;
let redis: RedisServer;
let memory: RunningServers;
const shared: RunningServers[] = [];
let nextKey = 0;

beforeAll(async () => {
  [stub, redis] = await Promise.all([startB4bStub(), startRedisServer()]);
  const onRedis = { ...settings, FINMCP_STATE_STORE: redis.url, FINMCP_STATE_KEY: randomBytes(32).toString('base64') };
  const started = await Promise.all([
    serveB4bOverHttp(stub, settings, logger),
    ...[0, 1, 2].map(() => serveB4bOverHttp(stub, onRedis, logger)),
  ]);
  memory = started[0]!;
  shared.push(...started.slice(1));
}, 120_000);

afterAll(async () => {
  await Promise.all([memory?.close(), ...shared.map((s) => s.close())]);
  await Promise.all([stub?.close(), redis?.close()]);
});

const endpointOf = (server: RunningServers): string => server.endpoints['b4b']!;

/** A caller of its own (API key), signed in as a fresh stub user; returns its key. */
async function signedInCaller(endpoint: string): Promise<string> {
  const apiKey = keys[nextKey++]!;
  const u = stub.newUser(`once${nextKey}`);
  const login = await modernCall(endpoint, apiKey, 'login', { phone: u.phone, password: u.password });
  expect(login.result?.isError, textOf(login)).not.toBe(true);
  return apiKey;
}

/** The confirmation round trip: the question, then the confirmed retry. Returns the retry's options and its answer. */
async function confirmOnce(
  endpoint: string,
  apiKey: string,
  args: Record<string, unknown>,
): Promise<{ retry: { requestState: string; inputResponses: Record<string, unknown> }; first: ModernAnswer }> {
  const question = await modernCall(endpoint, apiKey, 'create_entity', args, { capabilities: FORM });
  expect(question.result?.resultType).toBe('input_required');
  const retry = { requestState: question.result!.requestState!, inputResponses: ACCEPT };
  const first = await modernCall(endpoint, apiKey, 'create_entity', args, { capabilities: FORM, ...retry });
  expect(first.result?.isError, textOf(first)).not.toBe(true);
  return { retry, first };
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

/** Reverses the member order of an object. */
function reordered(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).reverse());
}

const setups: Array<[string, () => string[]]> = [
  ['one instance, memory store', () => [endpointOf(memory)]],
  ['one instance, Redis store', () => [endpointOf(shared[0]!)]],
  ['three instances sharing one Redis', () => shared.map(endpointOf)],
];

describe.each(setups)('a confirmed create_entity replayed, %s', (_label, endpoints) => {
  it('10 sequential and 10 parallel replays make exactly one backend POST; each gets the first result', async () => {
    const spread = endpoints();
    const apiKey = await signedInCaller(spread[0]!);
    const args = entity(randomBytes(4).toString('hex'));
    const before = stub.requestsTo('POST', ENTITIES).length;
    const { retry, first } = await confirmOnce(spread[0]!, apiKey, args);
    expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(1);

    const sequential: ModernAnswer[] = [];
    for (let i = 0; i < 10; i++)
      sequential.push(
        await modernCall(spread[(i + 1) % spread.length]!, apiKey, 'create_entity', args, {
          capabilities: FORM,
          ...retry,
        }),
      );
    const parallel = await Promise.all(
      Array.from({ length: 10 }, (_v, i) =>
        modernCall(spread[i % spread.length]!, apiKey, 'create_entity', args, { capabilities: FORM, ...retry }),
      ),
    );
    for (const replay of [...sequential, ...parallel]) {
      expect(replay.status).toBe(200);
      expect(replay.result).toEqual(first.result);
    }
    // Keys reordered, and a client that no longer declares elicitation: the same claimed state, nothing written.
    const shuffled = await modernCall(spread.at(-1)!, apiKey, 'create_entity', reordered(args), {
      capabilities: FORM,
      ...retry,
    });
    const undeclared = await modernCall(spread.at(-1)!, apiKey, 'create_entity', args, retry);
    expect(shuffled.result).toEqual(first.result);
    expect(undeclared.result).toEqual(first.result);
    expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(1);
  }, 120_000);

  it('10 parallel first retries of one confirmation make exactly one backend POST; all get its result', async () => {
    const spread = endpoints();
    const apiKey = await signedInCaller(spread[0]!);
    const args = entity(randomBytes(4).toString('hex'));
    const question = await modernCall(spread[0]!, apiKey, 'create_entity', args, { capabilities: FORM });
    const retry = { requestState: question.result!.requestState!, inputResponses: ACCEPT };
    const before = stub.requestsTo('POST', ENTITIES).length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_v, i) =>
        modernCall(spread[i % spread.length]!, apiKey, 'create_entity', args, { capabilities: FORM, ...retry }),
      ),
    );
    expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(1);
    const first = answers.find((a) => a.result?.isError !== true);
    expect(first, JSON.stringify(answers[0])).toBeDefined();
    for (const answer of answers) expect(answer.result).toEqual(first!.result);
  }, 120_000);
});

describe('what a replay cannot do', () => {
  it('a state sealed for one caller opens for no other; a fresh confirmation writes again (once per confirmation)', async () => {
    const endpoint = endpointOf(shared[1]!);
    const [alice, bob] = [await signedInCaller(endpoint), await signedInCaller(endpoint)];
    const args = entity(randomBytes(4).toString('hex'));
    const before = stub.requestsTo('POST', ENTITIES).length;
    const { retry } = await confirmOnce(endpoint, alice, args);
    // Bob presenting Alice's confirmation is refused (-32602: state that fails verification); nothing is written for him.
    const stolen = await modernCall(endpoint, bob, 'create_entity', args, { capabilities: FORM, ...retry });
    expect(stolen.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/requestState failed verification/),
    });
    // Without it, he is asked himself.
    const asked = await modernCall(endpoint, bob, 'create_entity', args, { capabilities: FORM });
    expect(asked.result?.resultType).toBe('input_required');
    expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(1);
    await confirmOnce(endpoint, alice, args);
    expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(2);
  }, 120_000);
});

/** POSTs the sign-in form to `pageUrl`, moved to `origin` (another instance serving the same page). */
async function submitPage(
  pageUrl: string,
  origin: string,
  phone: string,
  password: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(new URL(pageUrl).pathname, origin);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin },
    body: new URLSearchParams({ phone, password }).toString(),
  });
  return { status: res.status, text: await res.text() };
}

/** `login` without a password from a URL-mode client: the page's URL. */
async function signInLink(endpoint: string, apiKey: string): Promise<string> {
  const asked = await modernCall(endpoint, apiKey, 'login', {}, { capabilities: { elicitation: { url: {} } } });
  expect(asked.result?.resultType).toBe('input_required');
  const request = (asked.result!['inputRequests'] as Record<string, { params: { url: string } }>)['sign_in']!;
  return request.params.url;
}

describe.each(setups)('a sign-in link, %s', (_label, endpoints) => {
  it('40 parallel guesses reach the backend login at most 5 times; the link is then gone everywhere', async () => {
    const spread = endpoints();
    const apiKey = keys[nextKey++]!;
    const u = stub.newUser(`guess${nextKey}`);
    const link = await signInLink(spread[0]!, apiKey);
    const before = stub.requestsTo('POST', '/api/v1/auth/login').length;
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_v, i) =>
        submitPage(link, new URL(spread[i % spread.length]!).origin, u.phone, `Wrong-guess-${i}`),
      ),
    );
    expect(stub.requestsTo('POST', '/api/v1/auth/login').length - before).toBeLessThanOrEqual(5);
    expect(guesses.filter((g) => g.status === 200 && /Login failed/.test(g.text)).length).toBeLessThanOrEqual(5);
    for (const guess of guesses) expect(guess.text).not.toMatch(/Wrong-guess/);
    // Used up: even the right password no longer signs in through it, on any instance.
    for (const endpoint of spread)
      expect((await submitPage(link, new URL(endpoint).origin, u.phone, u.password)).status).toBe(404);
  }, 120_000);

  it('a link made on one instance signs the caller in through another; the retry on a third is signed in', async () => {
    const spread = endpoints();
    const apiKey = keys[nextKey++]!;
    const u = stub.newUser(`link${nextKey}`);
    const link = await signInLink(spread[0]!, apiKey);
    const done = await submitPage(link, new URL(spread.at(-1)!).origin, u.phone, u.password);
    expect(done.status).toBe(200);
    expect(done.text).toContain(u.email);
    const retried = await modernCall(
      spread[1 % spread.length]!,
      apiKey,
      'login',
      {},
      { capabilities: { elicitation: { url: {} } } },
    );
    expect(retried.result?.structuredContent).toMatchObject({ success: true, email: u.email });
  }, 120_000);
});

describe('a 2025-11-25 confirmation over HTTP, every request to the next of three instances', () => {
  it('the answer POST lands on another instance than the waiting call and is not lost; exactly one write', async () => {
    const origins = shared.map((s) => new URL(endpointOf(s)).origin);
    let turn = 0;
    // Round robin, no stickiness: initialize, the call (and its SSE answer) and the elicitation answer each go elsewhere.
    const roundRobin = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input);
      const target = new URL(url.pathname + url.search, origins[turn++ % origins.length]);
      return fetch(target, init);
    };
    const apiKey = keys[nextKey++]!;
    const u = stub.newUser(`legacy${nextKey}`);
    const asked: string[] = [];
    const client = new Client({ name: 'legacy-rr', version: '0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push((request.params as { message: string }).message);
      return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(endpointOf(shared[0]!)), {
        requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
        fetch: roundRobin,
      }),
    );
    try {
      expect(client.getProtocolEra()).toBe('legacy');
      expect(
        ((await client.callTool({ name: 'login', arguments: { phone: u.phone, password: u.password } })) as ToolResult)
          .isError,
      ).not.toBe(true);
      const before = stub.requestsTo('POST', ENTITIES).length;
      const args = entity(randomBytes(4).toString('hex'));
      const result = (await client.callTool({ name: 'create_entity', arguments: args })) as ToolResult;
      expect(result.isError, result.content[0]?.text).not.toBe(true);
      expect(asked).toHaveLength(1);
      expect(stub.requestsTo('POST', ENTITIES).length - before).toBe(1);
      expect(JSON.parse(stub.requestsTo('POST', ENTITIES).at(-1)!.body)).toEqual(args);
    } finally {
      await client.close();
    }
  }, 120_000);
});
