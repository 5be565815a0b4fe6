/**
 * `finmcp serve` with its default rate limit lets a normal client's burst through (issue 14 item 8: the default
 * burst of 60 per address made a conformance-suite run fail 8 scenarios). Over real HTTP, one session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

let running: RunningServers;
let pool: Pool;

beforeAll(async () => {
  running = await startServers(
    ['b4b'],
    { transport: 'http', port: '0' },
    new Settings({ B4B_BACKEND_URL: 'http://127.0.0.1:9' }),
    createLogger({ level: 'silent' }),
  );
  pool = new Pool(running.url!, { connections: 16 });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  await running?.close();
});

async function post(headers: Record<string, string>, message: unknown): Promise<{ status: number; sid: unknown }> {
  const res = await pool.request({
    method: 'POST',
    path: '/b4b/mcp',
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(message),
  });
  await res.body.text();
  return { status: res.statusCode, sid: res.headers['mcp-session-id'] };
}

describe('default rate limit', () => {
  it('300 requests at once from one client are all served (no 429)', async () => {
    const init = await post(
      {},
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'burst', version: '1' },
        },
      },
    );
    expect(init.status).toBe(200);
    const headers = { 'mcp-session-id': String(init.sid), 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        post(headers, { jsonrpc: '2.0', id: i + 1, method: 'tools/list' }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
