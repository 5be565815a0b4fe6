/**
 * What every Redis store does with its records, in one place: key names are `<prefix><space>:<HMAC(kind, id)>` (no
 * id, principal or nonce readable in Redis), values are sealed with AES-256-GCM bound to the key they are stored
 * under (secret-box.ts), and a value that fails to open (edited, moved under another key, sealed with another
 * `FINMCP_STATE_KEY`) is treated as absent and logged at `warn` as `state_record_rejected` with its key name (itself
 * an HMAC digest), never the value. The session store and the interaction store build on it.
 */
import type { Logger } from '../log.js';
import type { RedisConnection } from './redis-connection.js';
import type { SecretBox } from './secret-box.js';

/** What a store on Redis is built from. */
export interface SealedRedisOptions {
  connection: RedisConnection;
  box: SecretBox;
  /** Where records that fail authentication are reported; unreported without one. */
  logger?: Logger;
  /** Prefix of every key; `finmcp:` by default. */
  prefix?: string;
}

/** Key names, sealing and opening for one store's records; see the module comment. */
export class SealedRecords {
  readonly #box: SecretBox;
  readonly #logger: Logger | undefined;
  /** Prefix of every key this store writes. */
  readonly prefix: string;

  constructor(options: Omit<SealedRedisOptions, 'connection'>) {
    this.#box = options.box;
    this.#logger = options.logger;
    this.prefix = options.prefix ?? 'finmcp:';
  }

  /** The digest of `id` within `kind` (for key names and tags that must not show the id). */
  digest(kind: string, id: string): string {
    return this.#box.name(kind, id);
  }

  /** The key `<prefix><space>:<digest(kind, id)>`. */
  key(space: string, kind: string, id: string): string {
    return `${this.prefix}${space}:${this.#box.name(kind, id)}`;
  }

  /** `value` sealed for `aad` (the key it is stored under, plus any plain header stored beside it). */
  seal(value: string, aad: string): Buffer {
    return this.#box.seal(value, aad);
  }

  /** The value stored under `key`, sealed for `aad`; undefined, and the warning naming `key`, when it does not open. */
  open(key: string, sealed: Buffer, aad = key): string | undefined {
    const value = this.#box.open(sealed, aad);
    if (value === undefined) {
      this.#logger?.warn(
        { event: 'state_record_rejected', key },
        'a state record failed authentication (altered, moved, or sealed with another FINMCP_STATE_KEY); treated as absent',
      );
    }
    return value;
  }
}

/**
 * The connection's client with the given Lua scripts defined on it once (ioredis sends EVALSHA and falls back to EVAL
 * once after a restart that emptied Redis' script cache), typed as `T`, the interface naming them.
 */
export function withScripts<T>(
  connection: RedisConnection,
  scripts: Record<string, { numberOfKeys: number; lua: string }>,
): T {
  const client = connection.client;
  for (const [name, script] of Object.entries(scripts)) {
    if (!(name in client)) client.defineCommand(name, script);
  }
  return client as unknown as T;
}
