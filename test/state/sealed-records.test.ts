/**
 * The one sealing of Redis records that the session and interaction stores share: key names are prefixed HMAC
 * digests, a value opens only under the key (and header) it was sealed for, and one that does not open is reported
 * as `state_record_rejected` naming its key, never its value. No Redis needed: the records are bytes.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealedRecords } from '../../src/state/sealed-records.js';
import { SecretBox } from '../../src/state/secret-box.js';
import { captureLog } from '../helpers/log-capture.js';

const box = new SecretBox(randomBytes(32));

describe('SealedRecords', () => {
  it('names keys `<prefix><space>:<digest>` without the id, the same for the same kind and id', () => {
    const records = new SealedRecords({ box });
    const key = records.key('s', 'session', 'session-id-1');
    expect(key).toMatch(/^finmcp:s:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('session-id-1');
    expect(records.key('s', 'session', 'session-id-1')).toBe(key);
    expect(records.key('s', 'owner', 'session-id-1')).not.toBe(key);
    expect(new SealedRecords({ box, prefix: 'other:' }).key('s', 'session', 'session-id-1')).toBe(
      `other:${key.slice('finmcp:'.length)}`,
    );
    expect(records.digest('session', 'session-id-1')).toBe(key.slice('finmcp:s:'.length));
  });

  it('opens a value only under the key and header it was sealed for', () => {
    const records = new SealedRecords({ box });
    const sealed = records.seal('{"token":"backend-secret"}', 'k1|60000|tag');
    expect(sealed.toString('latin1')).not.toContain('backend-secret');
    expect(records.open('k1', sealed, 'k1|60000|tag')).toBe('{"token":"backend-secret"}');
    expect(records.open('k1', records.seal('plain', 'k1'))).toBe('plain');
  });

  const refused: Array<[string, (sealed: Buffer) => [Buffer, string]]> = [
    ['another key', (sealed) => [sealed, 'k2']],
    ['another header (an edited TTL)', (sealed) => [sealed, 'k1|1']],
    ['a flipped byte', (sealed) => [Buffer.from(sealed.map((b, i) => (i === 20 ? b ^ 1 : b))), 'k1']],
    ['an empty value', () => [Buffer.alloc(0), 'k1']],
    ['another secret', () => [new SecretBox(randomBytes(32)).seal('{"token":"backend-secret"}', 'k1'), 'k1']],
  ];
  it.each(refused)('treats a value as absent and reports its key when it fails: %s', (_name, alter) => {
    const log = captureLog('warn');
    const records = new SealedRecords({ box, logger: log.logger });
    const [sealed, aad] = alter(records.seal('{"token":"backend-secret"}', 'k1'));
    expect(records.open('finmcp:s:digest', sealed, aad)).toBeUndefined();
    log.logger.flush();
    const [warning, ...more] = log.lines();
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ level: 40, event: 'state_record_rejected', key: 'finmcp:s:digest' });
    expect(log.raw.join('')).not.toContain('backend-secret');
  });
});
