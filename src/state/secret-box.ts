/**
 * Encryption at rest for shared state: AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit random IV per write
 * and the storage key name as additional authenticated data, so a value copied under another key fails to open.
 * Key names are HMAC-SHA256 (RFC 2104) of the caller's identifier, so ids (session ids, caller ids) are not
 * readable in the store either. Both sub-keys are derived from one configured secret with HKDF (RFC 5869).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../config.js';

/** How to make a key, shown whenever one is missing or malformed. */
const STATE_KEY_HELP = 'make one with `openssl rand -base64 32`';

/** Format version byte, so a later format can be told apart. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** Seals and opens values and names keys, all under one secret. */
export class SecretBox {
  readonly #encryptionKey: Buffer;
  readonly #namingKey: Buffer;

  /** `secret`: at least 32 random bytes. */
  constructor(secret: Buffer) {
    if (secret.length < 32)
      throw new ConfigError(`FINMCP_STATE_KEY must hold at least 32 random bytes: ${STATE_KEY_HELP}`);
    this.#encryptionKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'finmcp state v1: values', 32));
    this.#namingKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'finmcp state v1: key names', 32));
  }

  /** A stable, non-reversible name for `id` within `kind` (base64url, 43 characters). */
  name(kind: string, id: string): string {
    return createHmac('sha256', this.#namingKey).update(kind).update('\u0000').update(id).digest('base64url');
  }

  /** Encrypts `plaintext`, binding it to `aad` (the key it is stored under). */
  seal(plaintext: string, aad: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]);
  }

  /** Decrypts a sealed value; undefined when it was not sealed by this key for this `aad` (or was altered). */
  open(sealed: Buffer, aad: string): string | undefined {
    if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The configured `FINMCP_STATE_KEY`'s bytes, or undefined when it is not set (a malformed one is a start-up error). */
export function configuredStateSecret(raw: string | undefined): Buffer | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : parseStateKey(raw);
}

/** Parses `FINMCP_STATE_KEY` (base64 or base64url of ≥ 32 bytes); a missing or short key is a start-up error. */
export function parseStateKey(raw: string | undefined): Buffer {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(
      `FINMCP_STATE_KEY is required with a Redis state store (it encrypts backend tokens at rest): ${STATE_KEY_HELP}`,
    );
  }
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new ConfigError(`FINMCP_STATE_KEY must be base64: ${STATE_KEY_HELP}`);
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < 32) {
    throw new ConfigError(
      `FINMCP_STATE_KEY must hold at least 32 random bytes (got ${bytes.length}): ${STATE_KEY_HELP}`,
    );
  }
  return bytes;
}
