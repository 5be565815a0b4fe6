/**
 * Issue 14 item 5: rejected credentials and 429s leave a trace in the log (reason, caller, address; never the
 * credential), and a flood of them is throttled to one line per caller and interval. Over real HTTP with the
 * static API key plugin; the OAuth plugin's `claimedSubject` is checked in test/auth/oauth-resource-server.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth } from '../../src/auth/api-keys.js';
import { createHttpServer, type HttpServerHandle } from '../../src/transport/http.js';
import { RefusalLog } from '../../src/transport/http/refusal-log.js';
import { MCP_HEADERS, rawRequest } from './fixtures/raw-http.js';
import { createTestService } from './fixtures/test-service.js';
import { captureLog } from '../helpers/log-capture.js';

const GOOD_KEY = 'good-key-0123456789abcdef';
const GUESSES = ['guess-key-aaaaaaaaaaaaaaaa', 'guess-key-bbbbbbbbbbbbbbbb', 'guess-key-cccccccccccccccc'];

describe('refusals over HTTP are logged', () => {
  const log = captureLog();
  let handle: HttpServerHandle;
  let url: string;
  beforeAll(async () => {
    handle = createHttpServer({
      port: 0,
      backends: [
        {
          service: createTestService('keyed', false),
          inboundAuth: createApiKeyAuth({ keys: [{ id: 'alice', key: GOOD_KEY }] }),
          info: { name: 'k', version: '1' },
        },
      ],
      allowedOrigins: [],
      rateLimit: { perMinute: 60, burst: 5 },
      logger: log.logger,
    });
    ({ url } = await handle.listen());
  });
  afterAll(async () => handle?.close());

  const post = (authorization?: string): Promise<number> =>
    rawRequest(url, {
      path: '/keyed/mcp',
      headers: { ...MCP_HEADERS, ...(authorization === undefined ? {} : { authorization }) },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    }).then((r) => r.status);

  it('a rejected key: one warn line with the reason and the address, then throttled; a 429 likewise; no key ever logged', async () => {
    const statuses: number[] = [];
    for (const guess of GUESSES) statuses.push(await post(`Bearer ${guess}`));
    expect(statuses).toEqual([401, 401, 401]);
    const rejected = log.lines().filter((l) => l['event'] === 'auth_rejected');
    expect(rejected).toHaveLength(1); // three guesses from one address, one line per interval
    expect(rejected[0]).toMatchObject({
      level: 40,
      backend: 'keyed',
      address: '127.0.0.1',
      status: 401,
      error: 'invalid_token',
      reason: 'unknown API key',
    });

    // alice has 5 requests of burst: the rest get 429.
    const limited: number[] = [];
    for (let i = 0; i < 8; i++) limited.push(await post(`Bearer ${GOOD_KEY}`));
    expect(limited.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    const lines429 = log.lines().filter((l) => l['event'] === 'rate_limited');
    expect(lines429).toHaveLength(1);
    expect(lines429[0]).toMatchObject({ level: 40, principal: 'alice', address: '127.0.0.1' });
    expect(lines429[0]?.['retryAfterSeconds']).toBeGreaterThanOrEqual(1);

    const all = log.raw.join('');
    for (const secret of [GOOD_KEY, ...GUESSES]) expect(all).not.toContain(secret);
  });
});

describe('RefusalLog throttling', () => {
  const refusal = {
    ok: false as const,
    status: 401 as const,
    headers: {},
    body: { error: 'invalid_token', error_description: 'signature is invalid' },
  };

  it('one line per caller and interval; the next line counts the ones left out; callers are separate', () => {
    const log = captureLog();
    let now = 0;
    const refusals = new RefusalLog(log.logger, { intervalMs: 1_000, now: () => now });
    for (let i = 0; i < 100; i++) refusals.rejected('b', '10.0.0.1', { ...refusal, claimedSubject: 'mallory' });
    refusals.rejected('b', '10.0.0.2', refusal);
    now += 1_000;
    refusals.rejected('b', '10.0.0.1', refusal);
    for (let i = 0; i < 10; i++) refusals.limited('p:alice', '10.0.0.1', 3, 'b4b');
    const lines = log.lines();
    expect(lines.map((l) => [l['address'], l['suppressed'], l['claimedSubject'], l['event']])).toEqual([
      ['10.0.0.1', undefined, 'mallory', 'auth_rejected'],
      ['10.0.0.2', undefined, undefined, 'auth_rejected'],
      ['10.0.0.1', 99, undefined, 'auth_rejected'],
      ['10.0.0.1', undefined, undefined, 'rate_limited'],
    ]);
  });

  it('a request without any credential is logged at debug, not warn (every OAuth discovery starts so)', () => {
    const log = captureLog();
    new RefusalLog(log.logger).rejected('b', '10.0.0.1', {
      ...refusal,
      body: { error: 'unauthorized', error_description: 'a bearer access token is required' },
    });
    expect(log.lines()).toEqual([expect.objectContaining({ level: 20, msg: 'request without credential' })]);
  });

  it('remembers a bounded number of callers', () => {
    const log = captureLog();
    const refusals = new RefusalLog(log.logger, { maxKeys: 2 });
    for (const address of ['a', 'b', 'c', 'a']) refusals.rejected('b', address, refusal);
    // 'a' was forgotten when 'c' arrived, so its second refusal is logged again.
    expect(log.lines().map((l) => l['address'])).toEqual(['a', 'b', 'c', 'a']);
  });
});
