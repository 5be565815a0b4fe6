/**
 * Per-caller request rate limiting for the HTTP transport: a token bucket per key (principal id, or remote
 * address for unauthenticated callers). Over the limit the transport answers 429 with `Retry-After`
 * (RFC 6585 §4, RFC 9110 §10.2.3). Refusals are logged, throttled ({@link RefusalLog}).
 */
import type { AuditEntry, AuditEvent, AuditLog } from '../audit/audit-record.js';
import type { InboundAuthResult } from '../contracts.js';
import type { Logger } from '../log.js';
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

/** Options of {@link RefusalLog}. */
export interface RefusalLogOptions {
  /** At most one line per caller and kind in this interval; 60 s by default. */
  intervalMs?: number;
  /** Most callers remembered; the oldest is forgotten beyond it. */
  maxKeys?: number;
  now?: () => number;
  /** Also records each line's refusal in the audit trail (same throttle: `suppressed` counts the ones left out). */
  audit?: AuditLog;
}

/** One caller's throttle window. */
interface LogWindow {
  startedAt: number;
  suppressed: number;
}

/**
 * The security log of refused requests: rejected credentials (with the reason, the unverified `sub` a token
 * claimed, and the client address; never the credential) and 429s (the limiter key: principal id or address).
 * A flood must not flood the log: one line per caller and kind per interval, the next one saying how many were
 * left out.
 */
export class RefusalLog {
  readonly #windows = new Map<string, LogWindow>();
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #audit: AuditLog | undefined;

  constructor(logger: Logger, options: RefusalLogOptions = {}) {
    this.#logger = logger;
    this.#audit = options.audit;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** A request whose credential was missing (debug: every OAuth discovery starts so) or rejected (warn). */
  rejected(backend: string, address: string, refusal: Extract<InboundAuthResult, { ok: false }>): void {
    const suppressed = this.#admit(`r:${address}`);
    if (suppressed === undefined) return;
    const error = typeof refusal.body['error'] === 'string' ? refusal.body['error'] : undefined;
    const fields = {
      event: 'auth_rejected',
      backend,
      address,
      status: refusal.status,
      error,
      reason: refusal.body['error_description'],
      ...(refusal.claimedSubject === undefined ? {} : { claimedSubject: refusal.claimedSubject }),
      ...(suppressed > 0 ? { suppressed } : {}),
    };
    if (error === 'unauthorized') {
      this.#logger.debug(fields, 'request without credential');
      return;
    }
    this.#logger.warn(fields, 'credential rejected');
    this.#audit?.append(refusalEntry('auth_rejected', backend, { principal: null, address }, String(error ?? 'rejected'), refusal.status, suppressed));
  }

  /** A 429 for `backend`: `key` is the limiter's (`p:<principal>` or `a:<address>`). */
  limited(key: string, address: string, retryAfterSeconds: number, backend: string): void {
    const suppressed = this.#admit(`l:${key}`);
    if (suppressed === undefined) return;
    const caller = key.startsWith('p:') ? { principal: key.slice(2) } : {};
    this.#logger.warn(
      { event: 'rate_limited', ...caller, address, retryAfterSeconds, ...(suppressed > 0 ? { suppressed } : {}) },
      'rate limited (429)',
    );
    this.#audit?.append(refusalEntry('rate_limited', backend, { principal: caller.principal ?? null, address }, 'rate_limited', 429, suppressed));
  }

  /** Undefined when this line is left out; otherwise how many were left out since the last one. */
  #admit(key: string): number | undefined {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.startedAt < this.#intervalMs) {
      window.suppressed++;
      return undefined;
    }
    const suppressed = window?.suppressed ?? 0;
    this.#windows.delete(key);
    if (this.#windows.size >= this.#maxKeys) {
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(key, { startedAt: now, suppressed: 0 });
    return suppressed;
  }
}

/** The audit record of a refusal before any tool call (the request was not read: no tool, no arguments). */
function refusalEntry(event: AuditEvent, backend: string, caller: { principal: string | null; address: string }, outcome: string, status: number, suppressed: number): AuditEntry {
  return {
    event,
    requestId: null,
    backend,
    tool: null,
    caller: { principal: caller.principal, tenant: null, address: caller.address },
    args: null,
    outcome,
    confirmation: null,
    nonce: null,
    status,
    durationMs: null,
    ...(suppressed > 0 ? { suppressed } : {}),
  };
}
