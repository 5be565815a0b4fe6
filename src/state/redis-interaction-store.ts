/**
 * The {@link InteractionStore} on Redis, shared by every instance: `claim` is `SET … NX PX` (one winner across all
 * instances), `take` is `GETDEL`, `increment` is `INCR` with the TTL set by the same script when the counter is new.
 *
 * - Key `<prefix>i:<kind>:<HMAC(kind, id)>`: ids (nonces, page ids, request ids) never appear in Redis.
 * - Values are sealed with AES-256-GCM under the key name (sealed-records.ts): a dump shows no result, no principal,
 *   no prefilled phone; a value moved to another key does not open, and one that does not open is logged (its key
 *   name only) and treated as absent. Counters are plain integers: a count is no secret.
 */
import type { InteractionStore } from './interaction-store.js';
import type { RedisConnection } from './redis-connection.js';
import { SealedRecords, type SealedRedisOptions, withScripts } from './sealed-records.js';

/** INCR; PEXPIRE when the counter was just created. */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** The client with our script defined on it. */
interface ScriptedClient {
  finmcpIncrement(key: string, ttlMs: number): Promise<number>;
}

/** Interaction state in Redis; see the module comment. */
export class RedisInteractionStore implements InteractionStore {
  readonly #connection: RedisConnection;
  readonly #records: SealedRecords;
  readonly #scripted: ScriptedClient;

  constructor(options: SealedRedisOptions) {
    this.#connection = options.connection;
    this.#records = new SealedRecords(options);
    this.#scripted = withScripts(options.connection, { finmcpIncrement: { numberOfKeys: 1, lua: INCREMENT } });
  }

  async claim(kind: string, id: string, value: string, ttlMs: number): Promise<boolean> {
    const key = this.#key(kind, id);
    const sealed = this.#records.seal(value, key);
    const answer = await this.#connection.run(() => this.#connection.client.set(key, sealed, 'PX', ttl(ttlMs), 'NX'));
    return answer === 'OK';
  }

  async get(kind: string, id: string): Promise<string | undefined> {
    const key = this.#key(kind, id);
    const stored = await this.#connection.run(() => this.#connection.client.getBuffer(key));
    return this.#open(key, stored);
  }

  async put(kind: string, id: string, value: string, ttlMs: number): Promise<void> {
    const key = this.#key(kind, id);
    const sealed = this.#records.seal(value, key);
    await this.#connection.run(() => this.#connection.client.set(key, sealed, 'PX', ttl(ttlMs)));
  }

  async take(kind: string, id: string): Promise<string | undefined> {
    const key = this.#key(kind, id);
    const stored = await this.#connection.run(() => this.#connection.client.getdelBuffer(key));
    return this.#open(key, stored);
  }

  async delete(kind: string, id: string): Promise<void> {
    const key = this.#key(kind, id);
    await this.#connection.run(() => this.#connection.client.del(key));
  }

  async increment(kind: string, id: string, ttlMs: number): Promise<number> {
    const key = this.#key(kind, id);
    return Number(await this.#connection.run(() => this.#scripted.finmcpIncrement(key, ttl(ttlMs))));
  }

  #key(kind: string, id: string): string {
    return this.#records.key(`i:${kind}`, `interaction:${kind}`, id);
  }

  #open(key: string, stored: Buffer | null): string | undefined {
    return stored === null ? undefined : this.#records.open(key, stored);
  }
}

function ttl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
