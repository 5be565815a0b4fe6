/**
 * The Dockerfile and compose.yaml (docs/deployment.md, "Container"), checked without a container engine (CI has
 * none): every base image pinned to an exact version, Node 24, an unprivileged user, and the HEALTHCHECK's own
 * command answered 0 by a served instance configured as the image configures it (and 1 when nothing serves).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningServers, startServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { findFreePort } from '../../src/free-port.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';

const run = promisify(execFile);
const dockerfile = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(projectRoot(), 'compose.yaml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string> }>;
};
let running: RunningServers;

beforeAll(async () => {
  // As the image runs it: every interface, B4B with an API key (required off loopback).
  running = await startServers(
    ['b4b'],
    { transport: 'http', host: '0.0.0.0', port: '0' },
    new Settings({ FINMCP_API_KEYS: 'ops:container-test-key-0123456789', B4B_BACKEND_URL: 'http://127.0.0.1:9' }),
    createLogger({ level: 'silent' }),
  );
}, 60_000);

afterAll(async () => {
  await running?.close();
});

/** The HEALTHCHECK's command, as the exec-form JSON array it is written in. */
function healthCheck(): string[] {
  const line = dockerfile.replace(/\\\n\s*/g, '').match(/^HEALTHCHECK .*?CMD (\[.*\])$/m);
  expect(line, 'a HEALTHCHECK in exec form').not.toBeNull();
  return JSON.parse(line![1]!) as string[];
}

describe('Dockerfile', () => {
  it('pins every base image to an exact Node 24 version and runs as the unprivileged node user', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
  });

  it('the health check command exits 0 against a served instance and 1 when nothing serves', async () => {
    const [command, ...args] = healthCheck();
    expect(command).toBe('node');
    const port = new URL(running.url!).port;
    await expect(run(process.execPath, args, { env: { ...process.env, FINMCP_PORT: port } })).resolves.toBeDefined();
    const idle = String(await findFreePort());
    await expect(run(process.execPath, args, { env: { ...process.env, FINMCP_PORT: idle } })).rejects.toMatchObject({
      code: 1,
    });
  }, 30_000);
});

describe('compose.yaml', () => {
  it('builds finmcp here and shares one pinned Redis as its state store', () => {
    expect(compose.services['finmcp']?.build).toBe('.');
    expect(compose.services['redis']?.image).toMatch(/^redis:\d+\.\d+\.\d+/);
    expect(compose.services['finmcp']?.environment?.['FINMCP_STATE_STORE']).toBe('redis://redis:6379');
    // Secrets are required from the environment, never written here.
    for (const name of ['FINMCP_STATE_KEY', 'FINMCP_API_KEYS', 'FINOPPS_CLIENT_SECRET']) {
      expect(compose.services['finmcp']?.environment?.[name]).toMatch(/^\$\{[A-Z_]+:\?/);
    }
  });
});
