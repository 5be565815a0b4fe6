/**
 * Tests for src/sandbox/prism.ts: Prism mock and validating proxy as child processes (real Prism, real ports).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { findFreePort } from '../../src/free-port.js';
import {
  parentWatchdogArgs,
  resolvePrismBin,
  startPrism,
  startPrismProxy,
  type PrismServer,
} from '../../src/sandbox/prism.js';
import { eventually, isPortFree, isProcessAlive } from '../helpers/ports.js';

const SPEC = fileURLToPath(new URL('../../specs/finopps.yaml', import.meta.url));
const ORG = '0b6f3c1e-8d2a-4f5b-9c7e-1a2b3c4d5e6f';
const AUTH = { authorization: 'Bearer sandbox-test-token' };

/** Everything started in a test is stopped after it, even when an assertion failed midway. */
const started: PrismServer[] = [];
const blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
  await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function start(promise: Promise<PrismServer>): Promise<PrismServer> {
  const prism = await promise;
  started.push(prism);
  return prism;
}

describe('resolvePrismBin / findFreePort', () => {
  it('resolves the Prism CLI entry point inside node_modules', () => {
    expect(resolvePrismBin()).toMatch(/node_modules\/@stainless-api\/prism-cli\/dist\/index\.js$/);
  });

  it('returns a port nothing listens on', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortFree(port)).toBe(true);
  });
});

describe('startPrism', () => {
  it('picks a free port, serves the first example, and stop() frees the port and ends the process', async () => {
    const prism = await start(startPrism({ specFile: SPEC }));
    expect(prism.port).toBeGreaterThan(0);
    expect(prism.url).toBe(`http://127.0.0.1:${prism.port}`);
    expect(isProcessAlive(prism.pid)).toBe(true);
    expect(await isPortFree(prism.port)).toBe(false);

    const res = await fetch(`${prism.url}/organizations/${ORG}/business`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe('Acme Catering');

    await prism.stop();
    expect(isProcessAlive(prism.pid)).toBe(false);
    expect(await isPortFree(prism.port)).toBe(true);
    await expect(prism.stop()).resolves.toBeUndefined(); // idempotent
  });

  it('listens on the port it is given and sends Prism output to the logger at debug level only', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done): void {
        for (const l of chunk.toString('utf8').split('\n'))
          if (l !== '') lines.push(JSON.parse(l) as { level: number; msg: string });
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination: sink });
    const port = await findFreePort();
    const prism = await start(startPrism({ specFile: SPEC, port, logger }));
    expect(prism.port).toBe(port);
    expect(prism.url).toBe(`http://127.0.0.1:${port}`);

    const prismLines = lines.filter((l) => l.msg.includes(`Prism is listening on http://127.0.0.1:${port}`));
    expect(prismLines.length).toBe(1);
    expect(prismLines[0]?.level).toBe(20); // pino debug
    expect(lines.every((l) => l.level <= 20)).toBe(true);
  });

  it('serves generated data instead of the examples when dynamic', async () => {
    const prism = await start(startPrism({ specFile: SPEC, dynamic: true }));
    const res = await fetch(`${prism.url}/organizations/${ORG}/business`, { headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: unknown; taxRate: unknown };
    expect(typeof body.name).toBe('string');
    expect(body.taxRate).toMatch(/^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$/);
    expect(body.name).not.toBe('Acme Catering');
  });

  it.each([
    {
      given: 'a spec file that does not exist',
      options: async () => ({ specFile: '/nonexistent/finopps.yaml' }),
      want: /spec file not found: \/nonexistent\/finopps\.yaml/,
    },
    {
      given: 'an explicit port already in use',
      options: async () => {
        // Drops connections at once so that close() in afterEach does not wait for Prism's readiness probes.
        const blocker = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
        blockers.push(blocker);
        await once(blocker, 'listening');
        const address = blocker.address();
        return { specFile: SPEC, port: typeof address === 'object' && address !== null ? address.port : -1 };
      },
      want: /EADDRINUSE/,
    },
  ])('rejects given $given, leaving no process behind', async ({ options, want }) => {
    const before = await childPids();
    await expect(startPrism(await options())).rejects.toThrow(want);
    expect(await childPids()).toEqual(before);
  });

  it('takes its start limit from FINMCP_SANDBOX_START_TIMEOUT_MS when the caller gives none', async () => {
    const saved = process.env['FINMCP_SANDBOX_START_TIMEOUT_MS'];
    process.env['FINMCP_SANDBOX_START_TIMEOUT_MS'] = '1';
    try {
      await expect(startPrism({ specFile: SPEC })).rejects.toThrow(
        /start limit \(1 ms, FINMCP_SANDBOX_START_TIMEOUT_MS\)|within 1 ms/,
      );
      process.env['FINMCP_SANDBOX_START_TIMEOUT_MS'] = 'soon';
      await expect(startPrism({ specFile: SPEC })).rejects.toThrow(/FINMCP_SANDBOX_START_TIMEOUT_MS/);
    } finally {
      if (saved === undefined) delete process.env['FINMCP_SANDBOX_START_TIMEOUT_MS'];
      else process.env['FINMCP_SANDBOX_START_TIMEOUT_MS'] = saved;
    }
  });
});

describe('startPrismProxy', () => {
  it('forwards valid requests to the upstream and refuses invalid ones itself', async () => {
    const upstream = await start(startPrism({ specFile: SPEC }));
    const proxy = await start(startPrismProxy({ specFile: SPEC, upstreamUrl: upstream.url }));
    expect(proxy.port).not.toBe(upstream.port);

    const cases = [
      { given: `/organizations/${ORG}/business`, want: 200 },
      { given: `/organizations/${ORG}/invoices?status=unpaid`, want: 422 },
    ];
    for (const { given, want } of cases) {
      const res = await fetch(`${proxy.url}${given}`, { headers: AUTH });
      expect({ given, status: res.status }).toEqual({ given, status: want });
      if (want === 200) expect(((await res.json()) as { name: string }).name).toBe('Acme Catering');
      else await res.arrayBuffer();
    }
  });

  it.each([
    { given: 'not a URL', want: /Invalid URL/ },
    { given: 'ftp://127.0.0.1/v1', want: /must be http or https/ },
  ])('rejects upstreamUrl $given before spawning anything', async ({ given, want }) => {
    await expect(startPrismProxy({ specFile: SPEC, upstreamUrl: given })).rejects.toThrow(want);
  });
});

describe('parentWatchdogArgs', () => {
  it('makes a child exit when its parent is killed without running exit handlers', async () => {
    // A parent that spawns a watchdog-guarded child which would otherwise run forever, then prints its pid.
    // The parent's pid is only known inside it, so the args are built with a placeholder it substitutes.
    const PARENT_PID_PLACEHOLDER = 987654321;
    const parentCode = `
      const { spawn } = require('node:child_process');
      const args = ${JSON.stringify(parentWatchdogArgs(PARENT_PID_PLACEHOLDER))}.map((a) => a.replace('${PARENT_PID_PLACEHOLDER}', String(process.pid)));
      const child = spawn(process.execPath, [...args, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const childPid = Number(chunk.toString('utf8').trim());
    try {
      expect(isProcessAlive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await eventually(() => !isProcessAlive(childPid), 20_000)).toBe(true);
    } finally {
      if (isProcessAlive(childPid)) process.kill(childPid, 'SIGKILL');
    }
  });
});

/** Pids of this process's direct children (Linux /proc), to show a failed start leaves none behind. */
async function childPids(): Promise<number[]> {
  const text = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').catch(() => '');
  return text
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .sort((a, b) => a - b);
}
