/**
 * Per-caller request rate limiting, in process: a token bucket per key (principal id, or remote address for
 * unauthenticated callers), and the {@link RateLimiter} interface its Redis twin (redis-rate-limit.ts) shares.
 * Over the limit the HTTP transport answers 429 with `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3).
 */
import { SETTINGS } from '../config.js';

/**
 * What the HTTP transport asks of a limiter. `take` may answer synchronously (in-process buckets: no await on
 * the hot path) or asynchronously (a limiter shared through a store).
 */
export interface RateLimiter {
  /** 0 when allowed, otherwise the whole seconds to wait before retrying (at least 1). */
  take(key: string): number | Promise<number>;
  close(): void;
}

/** Limits of one bucket. */
export interface RateLimitOptions {
  /** Sustained rate; 600 per minute by default. */
  perMinute?: number;
  /**
   * Bucket size: requests allowed at once after being idle; `perMinute` by default. A client that connects and
   * runs a burst of requests (a conformance suite, an agent listing and calling many tools) must get through; the
   * sustained rate still bounds abuse to `perMinute`.
   */
  burst?: number;
  /** Most keys tracked; the oldest are forgotten beyond it (a forgotten key starts with a full bucket). */
  maxKeys?: number;
  now?: () => number;
}

/** One caller's bucket. */
interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets keyed by caller. O(1) per request; idle full buckets are dropped by {@link prune}. */
export class TokenBucketLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  /** Creates the limiter and an unref'd timer that forgets idle callers. */
  constructor(options: RateLimitOptions = {}) {
    const perMinute = options.perMinute ?? SETTINGS.rateLimitPerMinute.default;
    if (!(perMinute > 0)) throw new RangeError('rateLimit.perMinute must be positive');
    this.#perMs = perMinute / 60_000;
    this.#burst = Math.max(1, options.burst ?? perMinute);
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.prune(), 60_000);
    this.#timer.unref();
  }

  /**
   * Takes one token for `key`. Returns 0 when allowed, otherwise the whole seconds to wait before retrying
   * (for `Retry-After`, at least 1).
   */
  take(key: string): number {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.#burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    } else {
      const refill = (now - bucket.updatedAt) * this.#perMs;
      bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
  }

  /** Number of callers tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Forgets callers whose bucket has refilled (they are indistinguishable from new ones). */
  prune(): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
  }

  /** Stops the prune timer. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
