/**
 * AES-256-GCM sealing of stored values (NIST SP 800-38D): a fresh IV per write, the key name authenticated,
 * any altered byte refused; key names are HMACs that differ per kind and per secret.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/state/secret-box.js';

const box = new SecretBox(randomBytes(32));

describe('SecretBox', () => {
  it('opens what it sealed, and seals the same text differently each time (random IV)', () => {
    const first = box.seal('{"token":"secret"}', 'k1');
    const second = box.seal('{"token":"secret"}', 'k1');
    expect(first.equals(second)).toBe(false);
    expect(first.toString('latin1')).not.toContain('secret');
    expect(box.open(first, 'k1')).toBe('{"token":"secret"}');
    expect(box.open(second, 'k1')).toBe('{"token":"secret"}');
  });

  it('refuses another key name, another secret, a flipped byte and a truncated value', () => {
    const sealed = box.seal('value', 'k1');
    expect(box.open(sealed, 'k2')).toBeUndefined();
    expect(new SecretBox(randomBytes(32)).open(sealed, 'k1')).toBeUndefined();
    for (const index of [0, 5, 20, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index] = altered[index]! ^ 1;
      expect(box.open(altered, 'k1'), `byte ${index}`).toBeUndefined();
    }
    expect(box.open(sealed.subarray(0, 20), 'k1')).toBeUndefined();
  });

  it('names ids with an HMAC per kind and per secret, never the id itself', () => {
    const name = box.name('session', 'abc');
    expect(name).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(name).toBe(box.name('session', 'abc'));
    expect(box.name('rate', 'abc')).not.toBe(name);
    expect(new SecretBox(randomBytes(32)).name('session', 'abc')).not.toBe(name);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(
      /at least 32 random bytes: make one with `openssl rand -base64 32`/,
    );
  });
});
