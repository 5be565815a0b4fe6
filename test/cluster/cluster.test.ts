/**
 * Issue 21 part 5: a real load balancer. Three finmcp instances (HTTP, B4B and FinOpps against their Prism mocks)
 * share one redis-server behind Debian's nginx in round robin with no stickiness (test/cluster/cluster.ts). Through
 * the balancer, with the official SDK 2.x client: a rolling restart — SIGTERM one instance at a time, start it
 * again, wait until it serves — while 16 clients call without pause fails no call. Spawns the CLI (runs dist/).
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/ports.js';
import { call, connectClient, type Era } from './clients.js';
import { startCluster, type Cluster } from './cluster.js';

const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';
/** B4B callers: one API key (principal) each. */
const CALLERS = ['roll-1', 'roll-2', 'roll-3', 'roll-4', 'roll-5', 'roll-6', 'roll-7', 'roll-8'];

let cluster: Cluster;
const clients: Client[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startCluster({ instances: 3, callers: CALLERS });
  console.info(`cluster started in ${Date.now() - t0} ms`);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await cluster?.stop();
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
        const client = await connectClient({ endpoint: cluster.endpoint('b4b'), era: eras[i % 2]!, credential: cluster.apiKeys[caller]!, name: caller });
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
        const client = await connectClient({ endpoint: cluster.endpoint('finopps'), era: eras[i % 2]!, credential: tokens[user] });
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
      while (total() < target && callers.every((c) => c.failures.length === 0)) await new Promise((r) => setTimeout(r, 50));
    };

    const exitCodes: Array<number | null> = [];
    try {
      await callsGoOn(100);
      for (const instance of cluster.instances) {
        const before = cluster.nginx.accessLog().length;
        const t0 = Date.now();
        const { exitCode, stoppedMs, startedMs } = await cluster.restart(instance);
        exitCodes.push(exitCode);
        // Rolling: the next instance goes down only once this one takes calls through nginx again.
        const servesAgain = await eventually(
          () => cluster.nginx.accessLog().slice(before).filter((e) => e.upstreams.at(-1) === instance.address).length >= 5,
          60_000,
        );
        expect(servesAgain, `${instance.name} takes no calls after its restart`).toBe(true);
        console.info(`${instance.name}: drained and exited in ${stoppedMs} ms, started in ${startedMs} ms, serving through nginx after ${Date.now() - t0} ms`);
        await callsGoOn(30);
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }

    const failures = callers.flatMap((c) => c.failures.map((f) => `${c.label}: ${f}`));
    console.info(
      `rolling restart: ${total()} calls by 16 clients, ${failures.length} failed; exit codes ${exitCodes.join(', ')}`,
    );
    console.info(cluster.nginx.errorLog().split('\n').filter((l) => /upstream|error/.test(l)).slice(-30).join('\n'));
    if (failures.length > 0) console.info(failures.map((f) => f.replace(/\s+/g, ' ').slice(0, 200)).join('\n'), cluster.nginx.errorLog().slice(-5000));
    expect(failures).toEqual([]);
    // Each instance drained and exited cleanly on SIGTERM.
    expect(exitCodes).toEqual([0, 0, 0]);
    for (const callerResult of callers) expect(callerResult.calls, callerResult.label).toBeGreaterThan(0);
    const log = cluster.nginx.accessLog();
    // nginx answered every proxied request with the instance's own answer: no 502 from a POST cut short.
    expect(log.filter((e) => e.status >= 500)).toEqual([]);
    // Round robin: every instance served calls.
    for (const instance of cluster.instances) expect(log.some((e) => e.upstreams.includes(instance.address)), instance.name).toBe(true);
  }, 240_000);
});
