#!/usr/bin/env node
// A load-balanced finmcp on one machine, for trying docs/deployment.md: a redis-server, N finmcp instances
// serving B4B against its Prism mock, and a round-robin reverse proxy (node:http) in front of them.
//
//   npm run build && node docs/examples/local-cluster.mjs            # 2 instances, proxy on :8080
//   INSTANCES=3 PROXY_PORT=9000 node docs/examples/local-cluster.mjs
//   REDIS_URL=redis://127.0.0.1:6379 node docs/examples/local-cluster.mjs   # use a running Redis
//
// Each answer carries `x-finmcp-upstream` (which instance served it). Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const count = Number(process.env.INSTANCES ?? 2);
const proxyPort = Number(process.env.PROXY_PORT ?? 8080);
const children = [];

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child and resolves once `ready` matches its stderr. */
function run(name, command, args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => reject(new Error(`${name}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output.slice(-1500)}`)));
  });
}

async function main() {
  let redisUrl = process.env.REDIS_URL;
  if (redisUrl === undefined) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'finmcp-cluster-'));
    await run(
      'redis-server',
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'],
      {},
      /Ready to accept connections/,
    );
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const publicUrl = `http://localhost:${proxyPort}`;
  const env = {
    FINMCP_STATE_STORE: redisUrl,
    // Every instance must share this key (in production: a secret, made once with `openssl rand -base64 32`).
    FINMCP_STATE_KEY: process.env.FINMCP_STATE_KEY ?? randomBytes(32).toString('base64'),
    // The proxy's address: its Host header is accepted and OAuth resource URLs derive from it.
    FINMCP_PUBLIC_URL: publicUrl,
    FINMCP_LOG_LEVEL: process.env.FINMCP_LOG_LEVEL ?? 'warn',
  };
  const upstreams = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    await run(
      `finmcp #${i + 1}`,
      process.execPath,
      [join(root, 'bin', 'finmcp.js'), 'serve', 'b4b', '--transport', 'http', '--sandbox', '--port', String(port)],
      env,
      /finmcp is serving/,
    );
    upstreams.push({ host: '127.0.0.1', port });
  }

  let next = 0;
  const proxy = createServer((req, res) => {
    const upstream = upstreams[next++ % upstreams.length];
    const forwarded = request({ ...upstream, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-finmcp-upstream': `127.0.0.1:${upstream.port}` });
      answer.pipe(res);
    });
    forwarded.once('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Gateway: instance unreachable"}}');
    });
    req.pipe(forwarded);
  });
  await new Promise((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  process.stderr.write(
    `\nload balancer: ${publicUrl}/b4b/mcp -> ${upstreams.map((u) => `127.0.0.1:${u.port}`).join(', ')}\nstate store:   ${redisUrl}\n` +
      `try:          npx @modelcontextprotocol/inspector --cli ${publicUrl}/b4b/mcp --transport http --method tools/list\n`,
  );
}

/** SIGTERM to every child (finmcp drains in-flight calls), then exit once all have. */
async function stop() {
  const exits = children
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    );
  await Promise.all(exits);
  process.exit();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
  void stop();
});
