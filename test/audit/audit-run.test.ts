/**
 * Issue 21 part 4 acceptance, from outside: the real CLI (`finmcp serve b4b --transport http`, which runs dist/:
 * `npm run build` first) against the B4B sandbox backend (the Prism mock of specs/b4b.yaml, started here so that a
 * loaded machine gets all the time it needs) with `FINMCP_AUDIT=file:<tmp>`, called by a real SDK 2.x client (2026-07-28, form
 * elicitation): login, reads, a confirmed write, a declined write, plus one request with a wrong API key. After a
 * SIGTERM (the trail is flushed on shutdown) the file holds one record per call and no secret (the backend JWT, the
 * password, the API keys), `finmcp audit verify` passes, and fails naming the record after one line is edited and
 * after one line is deleted. `finmcp audit tail` prints the records readably.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { projectRoot } from '../../src/paths.js';
import { startPrism, type PrismServer } from '../../src/sandbox/prism.js';
import { startInstance, type Instance } from '../state/instances.js';

const run = promisify(execFile);
const KEY = `audit-${randomBytes(16).toString('hex')}`;
const OTHER_KEY = `other-${randomBytes(16).toString('hex')}`;
const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';
/** The access token the sandbox's login answers with (specs/b4b.yaml's example): it must appear in no record. */
const SANDBOX_JWT_PREFIX = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwaG9uZSI6';

let dir: string;
let file: string;
let instance: Instance | undefined;
let prism: PrismServer | undefined;
let lines: string[];
let records: Array<Record<string, unknown>>;

/** `finmcp audit …`: exit code and output. */
async function audit(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(projectRoot(), 'bin', 'finmcp.js'), 'audit', ...args]);
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finmcp-audit-'));
  file = join(dir, 'audit.jsonl');
  prism = await startPrism({ specFile: join(projectRoot(), 'specs', 'b4b.yaml'), startTimeoutMs: 120_000 });
  instance = await startInstance('audit', 'b4b', ['--backend-url', prism.url], {
    FINMCP_AUDIT: `file:${file}`,
    FINMCP_API_KEYS: `auditor:${KEY},other:${OTHER_KEY}`,
    FINMCP_RATE_LIMIT_PER_MINUTE: '0',
  });
  let answer: 'accept' | 'decline' = 'accept';
  const client = new Client(
    { name: 'audit-test', version: '0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async () =>
    answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(instance.endpoint), {
      requestInit: { headers: { authorization: `Bearer ${KEY}` } },
    }),
  );
  try {
    for (const [tool, args] of [
      ['login', { phone: PHONE, password: PASSWORD }],
      ['list_entities', {}],
      ['whoami', {}],
    ] as const) {
      const result = await call(client, tool, args);
      expect(result.isError, `${tool}: ${JSON.stringify(result.content)}`).not.toBe(true);
    }
    const entity = {
      name: 'Audit Co',
      entity_type: 'COMPANY',
      tax_code: '0312345678',
      address: '1 Lê Lợi',
      city: 'Hồ Chí Minh',
      country: 'VN',
    };
    const confirmed = await call(client, 'create_entity', entity);
    expect(confirmed.isError, JSON.stringify(confirmed.content)).not.toBe(true);
    answer = 'decline';
    const declined = await call(client, 'create_entity', { ...entity, name: 'Declined Co' });
    expect(declined.content[0]!.text).toMatch(/Not written: the user declined/);
    // Invalid arguments reach nothing and are not recorded.
    expect((await call(client, 'get_entity', { entity_id: 'not-a-uuid' })).isError).toBe(true);
  } finally {
    await client.close();
  }
  // A wrong credential: refused before any call, recorded as auth_rejected.
  const refused = await fetch(instance.endpoint, {
    method: 'POST',
    headers: {
      authorization: `Bearer wrong-${KEY}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  expect(refused.status).toBe(401);
  await instance.stop('SIGTERM');
  lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}, 240_000);

afterAll(async () => {
  await instance?.stop('SIGKILL');
  await prism?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the audit file of a real server run', () => {
  it('holds one record per call that reached the backend or was refused, in order', () => {
    const calls = records.filter((r) => r['event'] === 'tool_call');
    expect(calls.map((r) => r['tool'])).toEqual(['login', 'list_entities', 'whoami', 'create_entity', 'create_entity']);
    expect(calls.map((r) => (r['confirmation'] as { outcome: string } | null)?.outcome ?? null)).toEqual([
      null,
      null,
      null,
      'confirmed',
      'declined',
    ]);
    expect(calls.map((r) => r['outcome'])).toEqual(['ok', 'ok', 'ok', 'ok', 'refused']);
    expect(calls.map((r) => r['status'])).toEqual([200, 200, 200, 201, null]);
    for (const record of calls) {
      expect(record).toMatchObject({ backend: 'b4b', caller: { principal: 'auditor', tenant: null } });
      expect(record['requestId']).toMatch(/^[A-Za-z0-9._:-]+$/);
      expect(typeof record['durationMs']).toBe('number');
      expect(record['instance']).toMatch(/:\d+$/);
      expect(Date.parse(String(record['time']))).toBeGreaterThan(0);
    }
    expect(calls[3]!['confirmation']).toEqual({ outcome: 'confirmed', by: 'auditor' });
    // The confirmation's nonce for the calls the user was asked about, none for the others.
    expect(calls.map((r) => typeof r['nonce'])).toEqual(['object', 'object', 'object', 'string', 'string']);
    expect(calls.slice(0, 3).map((r) => r['nonce'])).toEqual([null, null, null]);
    // Unique request ids: one record per call.
    expect(new Set(calls.map((r) => r['requestId'])).size).toBe(calls.length);
    const refusals = records.filter((r) => r['event'] === 'auth_rejected');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ backend: 'b4b', caller: { principal: null }, status: 401 });
    expect(records).toHaveLength(calls.length + 1);
  });

  it('shows arguments as a digest with the password taken out, and holds no secret', () => {
    const login = records[0]!;
    expect(login['args']).toMatchObject({ values: { phone: PHONE, password: '[redacted]' } });
    expect((login['args'] as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    const text = lines.join('\n');
    for (const secret of [PASSWORD, KEY, OTHER_KEY, `wrong-${KEY}`, SANDBOX_JWT_PREFIX, 'eyJ', 'Bearer'])
      expect(text, secret).not.toContain(secret);
  });

  it('verifies, then names the record after one line is edited and after one line is deleted', async () => {
    const intact = await audit('verify', file);
    expect(intact.code, intact.out).toBe(0);
    expect(intact.out).toContain(`${records.length} records, chain intact`);

    const edited = join(dir, 'edited.jsonl');
    writeFileSync(
      edited,
      `${lines.map((l, i) => (i === 3 ? l.replace('"outcome":"ok"', '"outcome":"backend_error"') : l)).join('\n')}\n`,
    );
    const afterEdit = await audit('verify', edited);
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.out).toContain(
      `line 4 (request id ${String(records[3]!['requestId'])}) is bad: its content does not match its hash`,
    );

    const shortened = join(dir, 'deleted.jsonl');
    writeFileSync(shortened, `${lines.filter((_, i) => i !== 1).join('\n')}\n`);
    const afterDelete = await audit('verify', shortened);
    expect(afterDelete.code).toBe(1);
    // The record that followed the deleted one is now line 2, and no longer follows the record before it.
    expect(afterDelete.out).toContain(
      `line 2 (request id ${String(records[2]!['requestId'])}) is bad: it does not follow the record before it`,
    );
  }, 60_000);

  it('tails the last records readably', async () => {
    const tail = await audit('tail', file, '-n', '3');
    expect(tail.code, tail.out).toBe(0);
    const shown = tail.out.trim().split('\n');
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(
      / b4b {2}create_entity {2}by auditor {2}ok 201 {2}confirmed by auditor {2}nonce [\w-]+ {2}[\d.]+ ms {2}request /,
    );
    expect(shown[1]).toMatch(/ b4b {2}create_entity {2}by auditor {2}refused {2}declined by auditor {2}nonce [\w-]+ /);
    expect(shown[2]).toMatch(/ b4b {2}\(auth_rejected\) {2}by address 127\.0\.0\.1 {2}invalid_token 401/);
  }, 60_000);
});
