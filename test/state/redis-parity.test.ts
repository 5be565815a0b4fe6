/**
 * Issue 21 part 3, end to end: `finmcp serve b4b` over HTTP with the Redis state store (a real redis-server) in
 * front of the stateful B4B stub, which issues one token per login and records every logout with the token it
 * revokes (Prism answers every logout alike, so it cannot show *whose* login was revoked). One API-key caller
 * opening 3,000 legacy sessions keeps at most the per-caller cap, and its evicted signed-in session is logged out at
 * the backend; a DELETE of a Redis-held session logs its login out at the backend. With the audit trail on, its
 * records also reach the Redis stream `finmcp:audit`, as a chain that verifies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLines } from '../../src/audit/chain.js';
import type { RunningServers } from '../../src/cli/serve.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub, type StubUser } from '../security/b4b-backend.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { logger, newStateKey } from './helpers.js';
import { callTool, openSession, rpc } from './instances.js';

const MALLORY = { apiKey: `mallory-${randomBytes(12).toString('hex')}` };
const ALICE = { apiKey: `alice-${randomBytes(12).toString('hex')}` };
const CAP = 1_000;

let redis: RedisServer;
let stub: B4bStub;
let running: RunningServers;
let endpoint: string;
let dir: string;

/** A legacy session of `caller`, signed in at the stub as `user`. */
async function signedIn(
  caller: { apiKey: string },
  user: StubUser,
): Promise<{ apiKey: string; sessionId: string; token: string }> {
  const sessionId = await openSession(endpoint, caller.apiKey);
  const login = await callTool(
    endpoint,
    'login',
    { phone: user.phone, password: user.password },
    { ...caller, sessionId },
  );
  expect(login.isError, login.text).toBe(false);
  return { ...caller, sessionId, token: stub.tokensOf(user.phone).at(-1)! };
}

/** The tokens the stub was asked to revoke, in order. */
function loggedOut(): string[] {
  return stub.requestsTo('POST', '/api/v1/auth/logout').map((r) => r.token ?? '');
}

async function sessionKeys(): Promise<number> {
  return (await redis.cli('--scan', '--pattern', 'finmcp:s:*')).split('\n').filter((k) => k !== '').length;
}

beforeAll(async () => {
  [redis, stub] = await Promise.all([startRedisServer(), startB4bStub()]);
  dir = mkdtempSync(join(tmpdir(), 'finmcp-parity-'));
  running = await serveB4bOverHttp(
    stub,
    {
      FINMCP_STATE_STORE: redis.url,
      FINMCP_STATE_KEY: newStateKey(),
      FINMCP_API_KEYS: `mallory:${MALLORY.apiKey},alice:${ALICE.apiKey}`,
      FINMCP_RATE_LIMIT_PER_MINUTE: '0',
      // 50 opens in flight on a loaded machine: Redis' answers may take longer than the 1 s default.
      FINMCP_STATE_TIMEOUT_MS: '15000',
      FINMCP_MAX_SESSIONS_PER_CALLER: String(CAP),
      FINMCP_AUDIT: `file:${join(dir, 'audit.jsonl')}`,
    },
    logger,
  );
  endpoint = running.endpoints['b4b']!;
}, 120_000);

afterAll(async () => {
  await running?.close();
  await Promise.all([stub?.close(), redis?.close()]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('Redis store parity with the memory store (issue 21)', () => {
  it('a DELETE of a Redis-held session logs its login out at the backend', async () => {
    const session = await signedIn(ALICE, stub.newUser('alice'));
    const deleted = await fetch(endpoint, {
      method: 'DELETE',
      headers: {
        authorization: `Bearer ${ALICE.apiKey}`,
        'mcp-session-id': session.sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
    });
    expect(deleted.status).toBe(204);
    expect(await eventually(() => loggedOut().includes(session.token), 30_000)).toBe(true);
    expect(loggedOut().filter((t) => t === session.token)).toHaveLength(1);
    const after = await rpc(
      endpoint,
      { id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      session,
    );
    expect(after.status).toBe(404);
    // The login was recorded in the shared audit stream too.
    const streamed = async (): Promise<string[]> =>
      (await redis.cli('XRANGE', 'finmcp:audit', '-', '+')).split('\n').filter((l) => l.startsWith('{'));
    expect(
      await eventually(
        async () => (await streamed()).some((l) => l.includes('"tool":"login"') && l.includes('"principal":"alice"')),
        30_000,
      ),
    ).toBe(true);
    expect(verifyLines(await streamed())).toMatchObject({ ok: true });
  }, 60_000);

  it(`keeps at most ${CAP} of one API-key caller's 3,000 sessions, logging its evicted signed-in session out`, async () => {
    const first = await signedIn(MALLORY, stub.newUser('mallory'));
    const bystander = await signedIn(ALICE, stub.newUser('bystander'));
    const opened: string[] = [];
    // 3,000 `initialize`s, 50 in flight.
    for (let batch = 0; batch < 60; batch++) {
      const ids = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const init = await rpc(
            endpoint,
            {
              id: 1,
              method: 'initialize',
              params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
            },
            MALLORY,
          );
          expect(init.status).toBe(200);
          return init.headers.get('mcp-session-id')!;
        }),
      );
      opened.push(...ids);
    }
    expect(opened).toHaveLength(3_000);
    // The caller's sessions are capped; the bystander's one is the only other.
    expect(await sessionKeys()).toBe(CAP + 1);
    expect(await eventually(() => loggedOut().includes(first.token), 30_000)).toBe(true);
    expect(loggedOut()).not.toContain(bystander.token);
    const evicted = await rpc(
      endpoint,
      { id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      first,
    );
    expect(evicted.status).toBe(404);
    const newest = await callTool(endpoint, 'list_entities', {}, { ...MALLORY, sessionId: opened.at(-1)! });
    expect(newest.text).toMatch(/Not logged in/);
    const stillThere = await callTool(endpoint, 'whoami', {}, bystander);
    expect(stillThere.isError, stillThere.text).toBe(false);
  }, 240_000);
});
