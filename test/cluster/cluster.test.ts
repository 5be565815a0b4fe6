/**
 * Issue 21 part 5: a real load balancer. Three finmcp instances (HTTP, B4B and FinOpps against their Prism mocks)
 * share one redis-server behind Debian's nginx in round robin with no stickiness (test/cluster/cluster.ts).
 * Through the balancer, whatever instance each request reaches (nginx's access log shows they were spread): B4B
 * URL-mode sign-in with the link opened on any instance; confirmed writes in both eras (the 2026-07-28
 * `requestState` retry, the 2025-11-25 question on the call's SSE stream answered by a POST of its own) asked
 * once and written once; the confirmed retry replayed 10 times in a row and 10 at once makes exactly one backend
 * POST (counted by the recording front of B4B's Prism mock); and a rolling restart — SIGTERM one instance at a
 * time, start it again, wait until it serves — while 16 clients call without pause fails no call. Official SDK 2.x clients, and raw requests where a
 * test must resend exactly what a client sent. Spawns the CLI (runs dist/).
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/ports.js';
import { modernCall, textOf, type ModernAnswer } from '../security/modern-rpc.js';
import { call, connectClient, type Era } from './clients.js';
import { startCluster, type Cluster } from './cluster.js';

const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';
/** B4B callers: one API key (principal) each. */
const CALLERS = ['roll-1', 'roll-2', 'roll-3', 'roll-4', 'roll-5', 'roll-6', 'roll-7', 'roll-8'];
/** Callers of the interactive tests, one each so that no sign-in is shared. */
const INTERACTIVE = ['signin-modern', 'signin-legacy', 'confirm-modern', 'confirm-legacy', 'replay'];
const ENTITIES = 'POST /api/v1/entities';
const ACCEPT = { confirm_create_entity: { action: 'accept', content: { confirm: true } } };

let cluster: Cluster;
const clients: Client[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startCluster({ instances: 3, callers: [...CALLERS, ...INTERACTIVE] });
  console.info(`cluster started in ${Date.now() - t0} ms`);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await cluster?.stop();
});

/** The instances (`host:port`) that answered the B4B requests nginx logged from `index` on. */
function b4bUpstreamsSince(index: number): Set<string> {
  return new Set(
    cluster.nginx
      .accessLog()
      .slice(index)
      .filter((e) => e.uri.startsWith('/b4b/'))
      .map((e) => e.upstreams.at(-1)!),
  );
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

/** Plays the user in a browser: opens the sign-in page, types phone and password, submits (each request via nginx). */
async function signInOnPage(url: string): Promise<string> {
  expect(url.startsWith(`${cluster.url}/b4b/elicitation/`), url).toBe(true);
  const page = await fetch(url);
  expect(page.status, await page.text()).toBe(200);
  const done = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: cluster.url },
    body: new URLSearchParams({ phone: PHONE, password: PASSWORD }).toString(),
  });
  const text = await done.text();
  expect(done.status, text).toBe(200);
  return text;
}

/**
 * The length of nginx's access log once no line has arrived for half a second (10 s at most): lines of requests
 * already answered are written just after their answers, so a count taken at once may miss one.
 */
async function settledLogLength(): Promise<number> {
  let length = cluster.nginx.accessLog().length;
  let quietSince = Date.now();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && Date.now() - quietSince < 500; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cluster.nginx.accessLog().length;
    if (now !== length) [length, quietSince] = [now, Date.now()];
  }
  return length;
}
describe('interactive B4B through nginx', () => {
  it('2026-07-28 URL-mode sign-in: the link works on whatever instance opens it, the retry is signed in everywhere', async () => {
    const start = cluster.nginx.accessLog().length;
    const client = await connectClient({
      endpoint: cluster.endpoint('b4b'),
      era: '2026-07-28',
      credential: cluster.apiKeys['signin-modern']!,
      capabilities: { elicitation: { url: {} } },
    });
    clients.push(client);
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { mode?: string; url?: string };
      expect(params.mode).toBe('url');
      asked.push(params.url!);
      await signInOnPage(params.url!);
      return { action: 'accept' };
    });
    const login = await call(client, 'login');
    expect(login.isError, login.text).toBe(false);
    expect(asked).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect((await call(client, 'whoami')).isError).toBe(false);
    expect(b4bUpstreamsSince(start).size).toBeGreaterThan(1);
  }, 60_000);

  it('2025-11-25 URL-mode sign-in: the session is signed in on every instance once the user used the link', async () => {
    const start = cluster.nginx.accessLog().length;
    const client = await connectClient({
      endpoint: cluster.endpoint('b4b'),
      era: '2025-11-25',
      credential: cluster.apiKeys['signin-legacy']!,
      capabilities: { elicitation: { url: {} } },
    });
    clients.push(client);
    const error = await call(client, 'login').then(
      () => undefined,
      (e: unknown) => e as { code?: number; data?: { elicitations?: Array<{ url: string }> } },
    );
    expect(error?.code).toBe(-32042);
    await signInOnPage(error!.data!.elicitations![0]!.url);
    for (let i = 0; i < 3; i++) {
      const me = await call(client, 'whoami');
      expect(me.isError, me.text).toBe(false);
    }
    expect(b4bUpstreamsSince(start).size).toBeGreaterThan(1);
  }, 60_000);

  it.each(['2026-07-28', '2025-11-25'] as const)(
    '%s confirmed write: asked once, written once, whatever instance the answer reaches',
    async (era) => {
      const start = cluster.nginx.accessLog().length;
      const client = await connectClient({
        endpoint: cluster.endpoint('b4b'),
        era,
        credential: cluster.apiKeys[era === '2026-07-28' ? 'confirm-modern' : 'confirm-legacy']!,
        capabilities: { elicitation: { form: {} } },
      });
      clients.push(client);
      const asked: string[] = [];
      client.setRequestHandler('elicitation/create', async (request) => {
        asked.push((request.params as { message: string }).message);
        return { action: 'accept', content: { confirm: true } };
      });
      expect((await call(client, 'login', { phone: PHONE, password: PASSWORD })).isError).toBe(false);
      const args = entity(`${era}-${randomBytes(4).toString('hex')}`);
      const before = cluster.b4bBackend.requestsTo(ENTITIES).length;
      // The login's own line may still be on its way (nginx logs a request once its answer is sent).
      const writeStart = await settledLogLength();
      const created = await call(client, 'create_entity', args);
      expect(created.isError, created.text).toBe(false);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(JSON.stringify(args, null, 2));
      const sent = cluster.b4bBackend.requestsTo(ENTITIES).slice(before);
      expect(sent).toHaveLength(1);
      expect(JSON.parse(sent[0]!.body)).toEqual(args);
      expect(b4bUpstreamsSince(start).size).toBeGreaterThan(1);
      // The question and the answer (2026-07-28: the call and its retry; 2025-11-25: the call answered over SSE and
      // the client's answer POST) reached two different instances: round robin sends consecutive requests apart.
      // nginx logs a request once its answer is sent: the last line may trail the client's result a little.
      await eventually(() => cluster.nginx.accessLog().length - writeStart >= 2, 10_000);
      const write = cluster.nginx.accessLog().slice(writeStart);
      expect(write.map((e) => `${e.method} ${e.uri}`)).toEqual(['POST /b4b/mcp', 'POST /b4b/mcp']);
      expect(write[0]!.upstreams.at(-1)).not.toBe(write[1]!.upstreams.at(-1));
    },
    60_000,
  );

  it('a confirmed retry replayed 10 times in a row and 10 at once through nginx makes exactly one backend POST; each replay gets the first result', async () => {
    const endpoint = cluster.endpoint('b4b');
    const apiKey = cluster.apiKeys['replay']!;
    const form = { capabilities: { elicitation: { form: {} } } };
    const login = await modernCall(endpoint, apiKey, 'login', { phone: PHONE, password: PASSWORD });
    expect(login.result?.isError, textOf(login)).not.toBe(true);
    const args = entity(`replay-${randomBytes(4).toString('hex')}`);
    const start = cluster.nginx.accessLog().length;
    const before = cluster.b4bBackend.requestsTo(ENTITIES).length;
    const question = await modernCall(endpoint, apiKey, 'create_entity', args, form);
    expect(question.result?.resultType).toBe('input_required');
    const retry = { ...form, requestState: question.result!.requestState!, inputResponses: ACCEPT };
    const first = await modernCall(endpoint, apiKey, 'create_entity', args, retry);
    expect(first.result?.isError, textOf(first)).not.toBe(true);

    const sequential: ModernAnswer[] = [];
    for (let i = 0; i < 10; i++) sequential.push(await modernCall(endpoint, apiKey, 'create_entity', args, retry));
    const parallel = await Promise.all(
      Array.from({ length: 10 }, () => modernCall(endpoint, apiKey, 'create_entity', args, retry)),
    );
    for (const replay of [...sequential, ...parallel]) {
      expect(replay.status).toBe(200);
      expect(replay.result).toEqual(first.result);
    }
    expect(cluster.b4bBackend.requestsTo(ENTITIES).length - before).toBe(1);
    // The 22 requests were spread over all three instances.
    expect(b4bUpstreamsSince(start).size).toBe(3);
  }, 120_000);
});

/** One caller calling in a loop until told to stop; every call must succeed. */
interface Caller {
  label: string;
  calls: number;
  failures: string[];
}

describe('rolling restart behind nginx', () => {
  it('SIGTERM one instance at a time (restart, wait until it serves) while 16 clients call: no call fails', async () => {
    const eras: Era[] = ['2026-07-28', '2025-11-25'];
    // 8 B4B clients (one caller each, signed in once) and 8 FinOpps clients (alice and bob), both eras.
    const b4b = await Promise.all(
      CALLERS.map(async (caller, i) => {
        const client = await connectClient({
          endpoint: cluster.endpoint('b4b'),
          era: eras[i % 2]!,
          credential: cluster.apiKeys[caller]!,
          name: caller,
        });
        clients.push(client);
        const login = await call(client, 'login', { phone: PHONE, password: PASSWORD });
        expect(login.isError, login.text).toBe(false);
        return { client, label: `b4b ${caller} ${eras[i % 2]}`, tools: ['list_entities', 'whoami'] };
      }),
    );
    const tokens = { alice: await cluster.userToken('alice'), bob: await cluster.userToken('bob') };
    const finopps = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (i) => {
        const user = i < 4 ? 'alice' : 'bob';
        const client = await connectClient({
          endpoint: cluster.endpoint('finopps'),
          era: eras[i % 2]!,
          credential: tokens[user],
        });
        clients.push(client);
        return { client, label: `finopps ${user} ${eras[i % 2]} #${i}`, tools: ['list_invoices', 'get_business'] };
      }),
    );

    let running = true;
    const callers: Caller[] = [];
    const loops = [...b4b, ...finopps].map(async ({ client, label, tools }) => {
      const caller: Caller = { label, calls: 0, failures: [] };
      callers.push(caller);
      while (running) {
        const tool = tools[caller.calls % tools.length]!;
        try {
          const outcome = await call(client, tool);
          if (outcome.isError) caller.failures.push(`${tool}: ${outcome.text}`);
        } catch (error) {
          caller.failures.push(`${tool}: ${error instanceof Error ? error.message : String(error)}`);
        }
        caller.calls++;
      }
    });
    const total = (): number => callers.reduce((sum, c) => sum + c.calls, 0);
    /** Lets the clients make `n` more calls (whatever the machine's speed). */
    const callsGoOn = async (n: number): Promise<void> => {
      const target = total() + n;
      while (total() < target && callers.every((c) => c.failures.length === 0))
        await new Promise((r) => setTimeout(r, 50));
    };

    const exitCodes: Array<number | null> = [];
    try {
      await callsGoOn(50);
      for (const instance of cluster.instances) {
        const t0 = Date.now();
        const { exitCode, stoppedMs, startedMs } = await cluster.restart(instance);
        exitCodes.push(exitCode);
        // Counted from here: the calls the old process answered while draining are logged by now, and do not show
        // that nginx sends calls to the new one (it keeps a refused upstream out for `fail_timeout`).
        const before = await settledLogLength();
        // Rolling: the next instance goes down only once this one takes calls through nginx again.
        const servesAgain = await eventually(
          () =>
            cluster.nginx
              .accessLog()
              .slice(before)
              .filter((e) => e.upstreams.at(-1) === instance.address).length >= 3,
          60_000,
        );
        expect(servesAgain, `${instance.name} takes no calls after its restart`).toBe(true);
        console.info(
          `${instance.name}: drained and exited in ${stoppedMs} ms, started in ${startedMs} ms, serving through nginx after ${Date.now() - t0} ms`,
        );
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }

    const failures = callers.flatMap((c) => c.failures.map((f) => `${c.label}: ${f}`));
    console.info(
      `rolling restart: ${total()} calls by 16 clients, ${failures.length} failed; exit codes ${exitCodes.join(', ')}`,
    );
    if (failures.length > 0) console.info(cluster.nginx.errorLog().slice(-5000));
    expect(failures).toEqual([]);
    // Each instance drained and exited cleanly on SIGTERM.
    expect(exitCodes).toEqual([0, 0, 0]);
    for (const callerResult of callers) expect(callerResult.calls, callerResult.label).toBeGreaterThan(0);
    const log = cluster.nginx.accessLog();
    // nginx answered every proxied request with the instance's own answer: no 502 from a POST cut short.
    expect(log.filter((e) => e.status >= 500)).toEqual([]);
    // Round robin: every instance served calls.
    for (const instance of cluster.instances)
      expect(
        log.some((e) => e.upstreams.includes(instance.address)),
        instance.name,
      ).toBe(true);
  }, 240_000);
});
