/**
 * The audit trail's parts: argument digests (secrets out, whatever the key order), the FINMCP_AUDIT setting (clear
 * errors naming the setting and the rule), the buffered trail (append returns before anything is written; flush
 * writes; a restart continues the file's chain), the Redis stream sink against a real redis-server, and the readable
 * line of `finmcp audit tail`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestArguments, secretProperties, type AuditEntry } from '../../src/audit/audit-record.js';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { verifyLines } from '../../src/audit/chain.js';
import { openAuditTrail, parseAuditTarget } from '../../src/audit/open-audit.js';
import { AUDIT_STREAM, FileSink, RedisStreamSink } from '../../src/audit/sinks.js';
import { readable } from '../../src/cli/audit.js';
import { ConfigError, Settings } from '../../src/config.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { connectTo, logger } from '../state/helpers.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

function entry(requestId: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    event: 'tool_call',
    requestId,
    backend: 'b4b',
    tool: 'create_entity',
    caller: { principal: 'alice', tenant: null },
    args: null,
    outcome: 'ok',
    confirmation: { outcome: 'confirmed', by: 'alice' },
    nonce: null,
    status: 201,
    durationMs: 12.5,
    ...extra,
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'finmcp-audit-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('argument digests', () => {
  const schema = {
    type: 'object',
    properties: {
      phone: { type: 'string' },
      password: { type: 'string', writeOnly: true },
      pin: { type: 'string', format: 'password' },
    },
  };

  it('finds the properties a schema marks secret', () => {
    expect(secretProperties(schema)).toEqual(new Set(['password', 'pin']));
    expect(secretProperties(undefined)).toEqual(new Set());
  });

  it.each([
    [
      'a writeOnly property',
      { phone: '+84909495665', password: 'SecurePassword123@' },
      'SecurePassword123@',
      { phone: '+84909495665', password: '[redacted]' },
    ],
    ['a format: password property', { pin: '12345678' }, '12345678', { pin: '[redacted]' }],
    [
      'secret-looking names, nested',
      { config: { client_secret: 'abcdefgh123', apiKey: 'k-1234567890' } },
      'abcdefgh123',
      { config: { apiKey: '[redacted]', client_secret: '[redacted]' } },
    ],
    [
      'a credential sent on the call, inside a value',
      { note: 'echo Bearer-less s3cr3t-token-value here' },
      's3cr3t-token-value',
      { note: 'echo Bearer-less [redacted] here' },
    ],
    ['JWT-shaped text', { memo: `token ${JWT}` }, JWT, { memo: 'token [redacted]' }],
  ])('takes out %s', (_, args, secret, values) => {
    const digest = digestArguments(args, secretProperties(schema), ['s3cr3t-token-value']);
    expect(digest.values).toEqual(values);
    expect(JSON.stringify(digest)).not.toContain(secret);
  });

  it('gives equal digests whatever the key order, different ones for different values, and cuts long strings', () => {
    const none = new Set<string>();
    const a = digestArguments({ name: 'A', city: 'B' }, none, []);
    expect(digestArguments({ city: 'B', name: 'A' }, none, []).sha256).toBe(a.sha256);
    expect(digestArguments({ city: 'C', name: 'A' }, none, []).sha256).not.toBe(a.sha256);
    const long = digestArguments({ xml: 'x'.repeat(5_000) }, none, []);
    expect((long.values as { xml: string }).xml).toMatch(/^x{256}… \[5000 characters, SHA-256 [0-9a-f]{64}\]$/);
    // The digest covers the whole value, not the cut one.
    expect(digestArguments({ xml: `${'x'.repeat(4_999)}y` }, none, []).sha256).not.toBe(long.sha256);
  });
});

describe('FINMCP_AUDIT', () => {
  it.each([
    ['off', { kind: 'off' }],
    [' stdout ', { kind: 'stdout' }],
    ['file:/var/log/finmcp/audit.jsonl', { kind: 'file', path: '/var/log/finmcp/audit.jsonl' }],
  ])('reads %j', (raw, target) => {
    expect(parseAuditTarget(raw)).toEqual(target);
  });

  it.each([
    ['file:', /FINMCP_AUDIT=file:<path> needs a path/],
    ['syslog', /FINMCP_AUDIT must be off, stdout or file:<path> \(got "syslog"\)/],
    ['on', /FINMCP_AUDIT must be off, stdout or file:<path>/],
  ])('refuses %j, naming the setting and the rule', (raw, message) => {
    expect(() => parseAuditTarget(raw)).toThrow(ConfigError);
    expect(() => parseAuditTarget(raw)).toThrow(message);
  });

  it('is off by default, refuses stdout with the stdio transport and a path it cannot open', async () => {
    expect(await openAuditTrail(new Settings({}), 'http', logger)).toBeUndefined();
    await expect(openAuditTrail(new Settings({ FINMCP_AUDIT: 'stdout' }), 'stdio', logger)).rejects.toThrow(
      /cannot be used with --transport stdio/,
    );
    await expect(
      openAuditTrail(new Settings({ FINMCP_AUDIT: `file:${dir}/missing/dir/a.jsonl` }), 'http', logger),
    ).rejects.toThrow(new RegExp(`FINMCP_AUDIT: cannot open ${dir}/missing/dir/a.jsonl for appending \\(ENOENT\\)`));
  });
});

describe('the trail', () => {
  it("returns from append before writing, writes on flush, and continues the file's chain after a restart", async () => {
    const file = join(dir, 'restart.jsonl');
    const first = (await openAuditTrail(new Settings({ FINMCP_AUDIT: `file:${file}` }), 'http', logger))!;
    for (let i = 1; i <= 3; i++) first.append(entry(`a${i}`));
    expect(readFileSync(file, 'utf8')).toBe('');
    await first.close();
    const second = (await openAuditTrail(new Settings({ FINMCP_AUDIT: `file:${file}` }), 'http', logger))!;
    second.append(entry('b1'));
    await second.close();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(verifyLines(lines)).toMatchObject({ ok: true, records: 4 });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(record).slice(0, 4)).toEqual(['hash', 'prev', 'time', 'instance']);
  });

  it('keeps chain order across many batches appended while writes are in flight', async () => {
    const file = join(dir, 'batches.jsonl');
    const { sink } = await FileSink.open(file);
    const trail = new AuditTrail({ sinks: [sink], logger });
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 50; i++) trail.append(entry(`r${batch * 50 + i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await trail.close();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(verifyLines(lines)).toMatchObject({ ok: true, records: 1_000 });
    expect((JSON.parse(lines[999]!) as { requestId: string }).requestId).toBe('r999');
  });

  it('builds records given as functions in the background, skipping undefined and logging a builder that throws', async () => {
    const file = join(dir, 'builders.jsonl');
    const { sink } = await FileSink.open(file);
    const { captureLog } = await import('../helpers/log-capture.js');
    const log = captureLog('error');
    const trail = new AuditTrail({ sinks: [sink], logger: log.logger });
    let built = 0;
    trail.append(() => {
      built++;
      return entry('f1');
    });
    trail.append(() => undefined);
    trail.append(() => {
      throw new Error('broken builder');
    });
    trail.append(entry('f2'));
    expect(built).toBe(0);
    await trail.close();
    expect(built).toBe(1);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['f1', 'f2']);
    expect(verifyLines(lines).ok).toBe(true);
    log.logger.flush();
    expect(log.lines().map((l) => l['event'])).toEqual(['audit_record_failed']);
  });

  it('shows a record as one readable line', () => {
    const line = JSON.stringify({
      time: '2026-12-07T12:00:00.000Z',
      ...entry('req-1'),
      caller: { principal: 'alice', tenant: { organizationId: 'org-1' } },
    });
    expect(readable(line)).toBe(
      '2026-12-07T12:00:00.000Z  b4b  create_entity  by alice organizationId=org-1  ok 201  confirmed by alice  12.5 ms  request req-1',
    );
  });
});

describe('the Redis stream sink', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 60_000);
  afterAll(async () => redis?.close());

  it('adds every record to finmcp:audit, as a chain that verifies', async () => {
    const connection = await connectTo(redis);
    try {
      const trail = new AuditTrail({ sinks: [new RedisStreamSink(connection)], logger });
      for (let i = 0; i < 25; i++) trail.append(entry(`s${i}`));
      await trail.flush();
      const stream = await connection.client.xrange(AUDIT_STREAM, '-', '+');
      const lines = stream.map(([, fields]) => fields[1]!);
      expect(stream.every(([, fields]) => fields[0] === 'record')).toBe(true);
      expect(verifyLines(lines)).toMatchObject({ ok: true, records: 25 });
    } finally {
      await connection.close();
    }
  }, 60_000);
});
