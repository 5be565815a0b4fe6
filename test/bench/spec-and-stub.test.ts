/**
 * Spec reading and the stub backend: examples through $refs, id variants that keep their format, the echo of
 * the requested id, per-login tokens and the refusal of unknown tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  idTag,
  listOperations,
  loginBodyTag,
  taggedLoginBody,
  taggedVariant,
  variantOf,
  type OpenApiDoc,
} from '../../bench/spec.js';
import { startStub, tokenFromLoginAnswer, type RunningStub } from '../../bench/stub/server.js';
import { checkAnswer, Tally } from '../../bench/check.js';
import { percentileSorted, summarize } from '../../bench/stats.js';

const DOC: OpenApiDoc = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  servers: [{ url: 'https://api.example/v1' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    parameters: {
      ThingId: {
        name: 'thingId',
        in: 'path',
        required: true,
        schema: { type: 'string', format: 'uuid' },
        example: '8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61',
      },
    },
    examples: { Thing: { value: { id: '8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', name: 'widget' } } },
  },
  paths: {
    '/auth/login': {
      post: {
        operationId: 'login',
        security: [],
        requestBody: {
          content: { 'application/json': { examples: { a: { value: { phone: '+84909495665', password: 'pw' } } } } },
        },
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': { examples: { a: { value: { access_token: 'abc.def.ghi123', expires_in: 3600 } } } },
            },
          },
        },
      },
    },
    '/things/{thingId}': {
      parameters: [{ $ref: '#/components/parameters/ThingId' }],
      get: {
        operationId: 'get_thing',
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { examples: { first: { $ref: '#/components/examples/Thing' } } } },
          },
        },
      },
    },
  },
};

describe('spec reading', () => {
  it('lists operations with merged parameters and the first named example', () => {
    const ops = listOperations(DOC);
    const get = ops.find((op) => op.operationId === 'get_thing');
    expect(get?.parameters.map((p) => p.name)).toEqual(['thingId']);
    expect(get?.success.example).toEqual({ id: '8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', name: 'widget' });
    expect(ops.find((op) => op.operationId === 'login')?.requestBody?.example).toEqual({
      phone: '+84909495665',
      password: 'pw',
    });
  });

  it('makes id variants that keep their format and never contain one another', () => {
    const uuid = variantOf('8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', 255);
    expect(uuid).toBe('8f14e45f-ceea-4e7b-9f3a-0000000000ff');
    expect(variantOf('+84909495665', 42)).toBe('+00000000042');
    const many = Array.from({ length: 500 }, (_, n) => variantOf('8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', n));
    expect(new Set(many).size).toBe(500);
    expect(new Set(many.map((v) => v.length))).toEqual(new Set([36]));
    expect(variantOf('x', 7)).toHaveLength(1);
  });

  it('carries session tags in phone numbers and ids', () => {
    expect(taggedLoginBody({ phone: '+84909495665', password: 'p' }, 42)).toEqual({
      phone: '+84909400042',
      password: 'p',
    });
    expect(loginBodyTag({ phone: '+84909400042' })).toBe(42);
    expect(idTag(taggedVariant('8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', 65_535, 2 ** 32 - 1))).toBe(65_535);
    expect(idTag(taggedVariant('8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', 0, 99))).toBe(0);
  });
});

describe('stub backend', () => {
  let stub: RunningStub;
  const url = (path: string): string => `http://127.0.0.1:${stub.port}${path}`;

  beforeAll(async () => {
    stub = await startStub(DOC);
  });
  afterAll(async () => {
    await stub.close();
  });

  it('issues a distinct token per login and refuses calls without an issued one', async () => {
    expect(stub.strictTokens).toBe(true);
    const login = async (): Promise<string | undefined> =>
      tokenFromLoginAnswer(await (await fetch(url('/v1/auth/login'), { method: 'POST', body: '{}' })).json());
    const first = await login();
    const second = await login();
    expect(first).toBeDefined();
    expect(first).not.toBe(second);
    const refused = await fetch(url('/v1/things/8f14e45f-ceea-4e7b-9f3a-000000000001'), {
      headers: { authorization: 'Bearer nope' },
    });
    expect(refused.status).toBe(401);
    const answer = await fetch(url('/v1/things/8f14e45f-ceea-4e7b-9f3a-000000000001'), {
      headers: { authorization: `Bearer ${first ?? ''}` },
    });
    expect(await answer.json()).toEqual({ id: '8f14e45f-ceea-4e7b-9f3a-000000000001', name: 'widget' });
    expect(stub.stats.unauthorized).toBe(1);
  });

  it("answers a call made with another session's token with data for an id nobody asked for", async () => {
    const loginAs = async (tag: number): Promise<string> =>
      tokenFromLoginAnswer(
        await (
          await fetch(url('/v1/auth/login'), {
            method: 'POST',
            body: JSON.stringify(taggedLoginBody({ phone: '+84909495665', password: 'pw' }, tag)),
          })
        ).json(),
      ) ?? '';
    const seven = await loginAs(7);
    const eight = await loginAs(8);
    const id = taggedVariant('8f14e45f-ceea-4e7b-9f3a-1c2d3e4f5a61', 7, 12);
    const own = await fetch(url(`/v1/things/${id}`), { headers: { authorization: `Bearer ${seven}` } });
    expect(((await own.json()) as { id: string }).id).toBe(id);
    const foreign = await fetch(url(`/v1/things/${id}`), { headers: { authorization: `Bearer ${eight}` } });
    expect(((await foreign.json()) as { id: string }).id).not.toBe(id);
    expect(stub.stats.sessionMismatches).toBe(1);
  });

  it('answers without the base path too, and 404s unknown routes', async () => {
    const token = tokenFromLoginAnswer(await (await fetch(url('/auth/login'), { method: 'POST', body: '{}' })).json());
    const answer = await fetch(url('/things/abc'), { headers: { authorization: `Bearer ${token ?? ''}` } });
    expect(((await answer.json()) as { id: string }).id).toBe('abc');
    expect((await fetch(url('/nothing'))).status).toBe(404);
  });
});

describe('answer checks and statistics', () => {
  it('classifies answers', () => {
    const ok = { jsonrpc: '2.0', id: 3, result: { content: [] } };
    expect(checkAnswer(ok, '{"x":"inv-7"}', 3, 'inv-7').kind).toBe('ok');
    expect(checkAnswer(ok, '{"x":"inv-8"}', 3, 'inv-7').kind).toBe('wrong-data');
    expect(checkAnswer(ok, '', 4).kind).toBe('wrong-id');
    expect(checkAnswer({ id: 3, result: { isError: true } }, '', 3).kind).toBe('tool-error');
    expect(checkAnswer({ id: 3, error: { code: -32602, message: 'bad' } }, '', 3).kind).toBe('rpc-error');
    const tally = new Tally();
    tally.add({ kind: 'ok' });
    tally.add({ kind: 'wrong-data' });
    tally.addStrays(2);
    expect(tally.snapshot()).toMatchObject({ ok: 1, wrongData: 1, strays: 2, mismatches: 3 });
  });

  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(values, 50)).toBe(50);
    expect(percentileSorted(values, 99)).toBe(99);
    expect(summarize([3, 1, 2]).median).toBe(2);
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });
});
