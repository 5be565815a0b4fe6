/**
 * docs/deployment.md's runnable example works: `docs/examples/local-cluster.mjs` starts redis-server, two finmcp
 * instances (CLI, dist/) and a round-robin proxy; a session signed in through the proxy is served by both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../../bench/ports.js';
import { openSession, rpc } from './instances.js';

let cluster: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  const port = await freePort();
  cluster = spawn(process.execPath, [join(projectRoot(), 'docs', 'examples', 'local-cluster.mjs')], {
    env: { ...process.env, PROXY_PORT: String(port), INSTANCES: '2' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    cluster.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('load balancer:')) resolve();
    });
    cluster.once('exit', (code) => reject(new Error(`local-cluster.mjs exited (${String(code)}):\n${output}`)));
  });
  endpoint = `http://localhost:${port}/b4b/mcp`;
}, 180_000);

afterAll(async () => {
  if (cluster !== undefined && cluster.exitCode === null) {
    const exited = once(cluster, 'exit');
    cluster.kill('SIGTERM');
    await exited;
  }
});

describe('docs/examples/local-cluster.mjs', () => {
  it('serves one signed-in session from both instances behind its proxy', async () => {
    const caller = { apiKey: 'unused', sessionId: await openSession(endpoint, 'unused') };
    const upstreams = new Set<string>();
    const login = await rpc(
      endpoint,
      {
        id: 1,
        method: 'tools/call',
        params: { name: 'login', arguments: { phone: '+84909495665', password: 'SecurePassword123@' } },
      },
      caller,
    );
    expect(login.status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const me = await rpc(
        endpoint,
        { id: 2 + i, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
        caller,
      );
      expect(me.status).toBe(200);
      expect(JSON.stringify(me.body)).not.toContain('"isError":true');
      upstreams.add(me.headers.get('x-finmcp-upstream') ?? '');
    }
    expect(upstreams.size).toBe(2);
  }, 60_000);
});
