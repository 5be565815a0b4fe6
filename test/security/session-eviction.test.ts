/**
 * Issue 14 item 2, over real HTTP: "one caller opening sessions in a loop never evicts another caller's signed-in
 * session". The real server from `startServers` serves B4B (no inbound credential: every caller is the anonymous
 * principal, told apart by client address) against the stateful B4B stub, which issues a token per login and records
 * logouts. Callers connect from distinct loopback addresses (127.0.0.2, .3, …: all of 127/8 is loopback on Linux).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { RunningServers } from '../../src/cli/serve.js';
import { createLogger } from '../../src/log.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { serveB4bOverHttp, startB4bStub, type B4bStub, type StubUser } from './b4b-backend.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const MAX_SESSIONS = 12;
const PER_CALLER = 4;

let stub: B4bStub;
let running: RunningServers;
const pools: Pool[] = [];
/** The first test's victim, checked again by the second. */
let victimCaller: Caller;
let victimSession: { sid: string; user: StubUser };

/** One MCP client connecting from its own loopback address. */
class Caller {
  readonly #pool: Pool;
  constructor(readonly address: string) {
    this.#pool = new Pool(running.url!, { connections: 2, localAddress: address });
    pools.push(this.#pool);
  }

  async post(
    headers: Record<string, string>,
    message: unknown,
  ): Promise<{ status: number; sid: string | undefined; body: Record<string, unknown> | undefined }> {
    const res = await this.#pool.request({
      method: 'POST',
      path: '/b4b/mcp',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(message),
    });
    const text = await res.body.text();
    const sid = res.headers['mcp-session-id'];
    return {
      status: res.statusCode,
      sid: typeof sid === 'string' ? sid : undefined,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /** `initialize`: the new session id, or the HTTP status when refused. */
  async open(): Promise<{ sid: string } | { status: number; message: unknown }> {
    const answer = await this.post(
      {},
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'eviction-test', version: '1' },
        },
      },
    );
    if (answer.status === 200 && answer.sid !== undefined) return { sid: answer.sid };
    return {
      status: answer.status,
      message: (answer.body?.['error'] as Record<string, unknown> | undefined)?.['message'],
    };
  }

  async mustOpen(): Promise<string> {
    const opened = await this.open();
    if (!('sid' in opened)) throw new Error(`initialize refused: ${JSON.stringify(opened)}`);
    return opened.sid;
  }

  /** `tools/call`: the result, or the HTTP status when the session is gone. */
  async call(sid: string, name: string, args: Record<string, unknown> = {}): Promise<ToolResult | number> {
    const answer = await this.post(
      { 'mcp-session-id': sid, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } },
    );
    return answer.status === 200 ? (answer.body?.['result'] as ToolResult) : answer.status;
  }

  /** A new session logged in as a new user; its id, user and backend token. */
  async signedIn(): Promise<{ sid: string; user: StubUser; token: string }> {
    const user = newUser();
    const sid = await this.mustOpen();
    const login = await this.call(sid, 'login', { phone: user.phone, password: user.password });
    expect(typeof login === 'object' && login.isError !== true, JSON.stringify(login)).toBe(true);
    return { sid, user, token: stub.tokensOf(user.phone)[0]! };
  }

  /** Whether `sid` is still signed in as `user` (whoami answers that user). */
  async isSignedInAs(sid: string, user: StubUser): Promise<boolean> {
    const who = await this.call(sid, 'whoami');
    return (
      typeof who === 'object' &&
      who.isError !== true &&
      (who.structuredContent?.['user'] as Record<string, unknown>)['email'] === user.email
    );
  }
}

const newUser = (): StubUser => stub.newUser('evict');

/** Waits (generously) until `condition` holds: the backend logout after an eviction is sent asynchronously. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const loggedOut = (token: string): boolean =>
  stub.requestsTo('POST', '/api/v1/auth/logout').some((r) => r.token === token);

beforeAll(async () => {
  stub = await startB4bStub();
  running = await serveB4bOverHttp(
    stub,
    {
      FINMCP_MAX_SESSIONS: String(MAX_SESSIONS),
      FINMCP_MAX_SESSIONS_PER_CALLER: String(PER_CALLER),
      FINMCP_RATE_LIMIT_PER_MINUTE: '60000000',
    },
    logger,
  );
}, 120_000);

afterAll(async () => {
  for (const pool of pools) await pool.close();
  await running?.close();
  await stub?.close();
});

describe('session caps over HTTP', () => {
  it('a caller opening (and signing in) sessions in a loop ends only its own oldest ones, each logged out at the backend; the victim stays signed in', async () => {
    const victim = new Caller('127.0.0.2');
    const attacker = new Caller('127.0.0.3');
    const mine = await victim.signedIn();
    victimCaller = victim;
    victimSession = mine;

    const opened: Array<{ sid: string; token: string }> = [];
    for (let i = 0; i < 3 * MAX_SESSIONS; i++) {
      const s = await attacker.signedIn();
      opened.push({ sid: s.sid, token: s.token });
    }
    // Sessions without a login in the loop too: still only the attacker's own are ended.
    for (let i = 0; i < MAX_SESSIONS; i++) await attacker.mustOpen();

    expect(await victim.isSignedInAs(mine.sid, mine.user)).toBe(true);
    expect(loggedOut(mine.token)).toBe(false);
    // Every signed-in session of the loop was ended by its own successors, and its token revoked at the backend.
    for (const { sid } of opened) expect(await attacker.call(sid, 'whoami')).toBe(404);
    await eventually(() => opened.every(({ token }) => loggedOut(token)), 'the backend logout of every evicted login');
  }, 120_000);

  it('a full store refuses a new session (503) rather than signing anyone out, after evicting the sessions that hold no login', async () => {
    // The first test left the victim's signed-in session and the attacker's last sessions (not signed in).
    const idleCaller = new Caller('127.0.0.4');
    const idle = await idleCaller.mustOpen();
    // New callers (one address each, so no per-caller cap is reached) sign in until the store is full.
    const signed: Array<{ caller: Caller; sid: string; user: StubUser }> = [];
    let refused: { status: number; message: unknown } | undefined;
    for (let i = 10; i < 10 + 2 * MAX_SESSIONS && refused === undefined; i++) {
      const caller = new Caller(`127.0.1.${i}`);
      const opened = await caller.open();
      if (!('sid' in opened)) {
        refused = opened;
        break;
      }
      const user = newUser();
      const login = await caller.call(opened.sid, 'login', { phone: user.phone, password: user.password });
      expect(typeof login === 'object' && login.isError !== true).toBe(true);
      signed.push({ caller, sid: opened.sid, user });
    }
    expect(refused).toEqual({
      status: 503,
      message: expect.stringMatching(/all 12 sessions are in use; try again later/),
    });
    // Room was made from sessions holding no login only: the store is now the victim's plus the newcomers'.
    expect(signed).toHaveLength(MAX_SESSIONS - 1);
    expect(await idleCaller.call(idle, 'whoami')).toBe(404);
    for (const s of signed) expect(await s.caller.isSignedInAs(s.sid, s.user)).toBe(true);
    expect(await victimCaller.isSignedInAs(victimSession.sid, victimSession.user)).toBe(true);
  }, 120_000);
});
