/**
 * Per-caller rate limiting shared by every instance: the same token bucket as {@link TokenBucketLimiter}
 * (RFC 6585 §4 429 with `Retry-After`), kept in Redis and updated by one Lua script so that concurrent requests
 * on different instances take tokens atomically. Redis' own clock (`TIME`) drives the refill, so instances'
 * clocks need not agree. Bucket keys are HMACs of the caller key (principal ids and addresses stay private).
 *
 * While Redis is unavailable the limit falls back to this instance's in-memory buckets (logged once per outage):
 * a per-instance limit is still a limit, and stateless backends keep serving. After a failure Redis is asked again
 * only once a second, so a hung Redis costs one command timeout per second, not one per request.
 */
import type { Logger } from '../log.js';
import { TokenBucketLimiter, type RateLimiter, type RateLimitOptions } from './rate-limit.js';
import type { RedisConnection } from './redis-connection.js';
import type { SecretBox } from './secret-box.js';
import { withScripts } from './sealed-records.js';
import { SETTINGS } from '../config.js';

/**
 * KEYS[1] bucket; ARGV[1] burst, ARGV[2] tokens per ms. Returns 0 when a token was taken, else the whole
 * seconds until one is available. The bucket expires once it would be full again (it then equals a new one).
 */
const TAKE_TOKEN = `
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - updated) * perMs)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / perMs / 1000))
end
redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens), 'u', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / perMs) + 1000)
return wait`;

/** How long the in-memory buckets answer alone after Redis failed. */
const RETRY_REDIS_AFTER_MS = 1_000;

/** The client with our script defined on it. */
interface ScriptedClient {
  finmcpTakeToken(key: string, burst: number, perMs: string): Promise<number>;
}

/** Options for {@link RedisRateLimiter}. */
export interface RedisRateLimitOptions extends RateLimitOptions {
  connection: RedisConnection;
  box: SecretBox;
  logger: Logger;
  prefix?: string;
}

/** Token buckets in Redis, with in-memory buckets while Redis is unavailable. */
export class RedisRateLimiter implements RateLimiter {
  readonly #connection: RedisConnection;
  readonly #box: SecretBox;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #burst: number;
  readonly #perMs: string;
  readonly #scripted: ScriptedClient;
  readonly #fallback: TokenBucketLimiter;
  #degraded = false;
  /** While degraded: when Redis may be asked again (epoch ms). */
  #retryAt = 0;

  constructor(options: RedisRateLimitOptions) {
    this.#connection = options.connection;
    this.#box = options.box;
    this.#logger = options.logger;
    this.#prefix = options.prefix ?? 'finmcp:';
    const perMinute = options.perMinute ?? SETTINGS.rateLimitPerMinute.default;
    if (!(perMinute > 0)) throw new RangeError('rateLimit.perMinute must be positive');
    this.#burst = Math.max(1, options.burst ?? perMinute);
    this.#perMs = String(perMinute / 60_000);
    this.#fallback = new TokenBucketLimiter(options);
    this.#scripted = withScripts(options.connection, { finmcpTakeToken: { numberOfKeys: 1, lua: TAKE_TOKEN } });
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds to wait (for `Retry-After`). */
  async take(key: string): Promise<number> {
    if (this.#degraded && Date.now() < this.#retryAt) return this.#fallback.take(key);
    const bucket = `${this.#prefix}r:${this.#box.name('rate', key)}`;
    try {
      const wait = await this.#connection.run(() => this.#scripted.finmcpTakeToken(bucket, this.#burst, this.#perMs));
      if (this.#degraded) {
        this.#degraded = false;
        this.#logger.info('rate limit shared through Redis again');
      }
      return Number(wait);
    } catch (error) {
      this.#retryAt = Date.now() + RETRY_REDIS_AFTER_MS;
      if (!this.#degraded) {
        this.#degraded = true;
        this.#logger.warn(
          { err: { message: (error as Error).message } },
          'rate limit per instance until Redis is back',
        );
      }
      return this.#fallback.take(key);
    }
  }

  close(): void {
    this.#fallback.close();
  }
}
