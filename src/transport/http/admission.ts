/**
 * Who may make an HTTP request, checked before it is read: the backend's inbound auth (RFC 6750 §3 errors from
 * the plugin; none means the anonymous principal) and the per-caller token bucket (RFC 6585 §4: 429 with
 * `Retry-After`). Failed credentials count against the caller's address, so guessing them is slowed down too.
 */
import type { InboundAuth, Principal } from '../../auth/inbound-auth.js';
import type { AuditLog } from '../../audit/audit-record.js';
import type { Logger } from '../../log.js';
import type { MetricsExposition } from '../../observability/call-observer.js';
import { ANONYMOUS_PRINCIPAL } from '../../protocol/caller.js';
import { ErrorCode } from '../../protocol/errors.js';
import { TokenBucketLimiter, type RateLimiter, type RateLimitOptions } from '../../state/rate-limit.js';
import { RefusalLog } from './refusal-log.js';
import type { HttpAnswer, HttpRequestLike } from './exchange.js';
import { json, rpcError } from './replies.js';

/** What admission needs of a route. */
interface AdmittedRoute {
  name: string;
  inboundAuth: InboundAuth | undefined;
}

/** Authentication and rate limiting of one HTTP server. */
export class Admission {
  readonly #limiter: RateLimiter | undefined;
  readonly #ownLimiter: boolean;
  /** Rejected credentials and 429s, one log line per caller per minute. */
  readonly #refusals: RefusalLog;
  /** Counts the refusals for /metrics (FINMCP_METRICS). */
  readonly #metrics: MetricsExposition | undefined;

  constructor(options: {
    rateLimit?: RateLimitOptions | false;
    rateLimiter?: RateLimiter;
    logger: Logger;
    audit?: AuditLog;
    metrics?: { exposition: MetricsExposition };
  }) {
    this.#metrics = options.metrics?.exposition;
    this.#ownLimiter = options.rateLimiter === undefined;
    this.#limiter =
      options.rateLimiter ??
      (options.rateLimit === false ? undefined : new TokenBucketLimiter(options.rateLimit ?? {}));
    this.#refusals = new RefusalLog(options.logger, options.audit === undefined ? {} : { audit: options.audit });
  }

  /**
   * Authenticates and rate-limits: the principal, or the refusal to send. `authenticated` runs between the two, so
   * work that needs only the principal (a shared store's session read) overlaps the limiter's round trip.
   */
  async admit(
    req: HttpRequestLike,
    route: AdmittedRoute,
    authenticated?: (principal: Principal) => void,
  ): Promise<Principal | HttpAnswer> {
    let principal: Principal = ANONYMOUS_PRINCIPAL;
    if (route.inboundAuth !== undefined) {
      const authenticating = route.inboundAuth.authenticate(req.header('authorization'), req.header('host'));
      const result = authenticating instanceof Promise ? await authenticating : authenticating;
      if (!result.ok) {
        this.#refusals.rejected(route.name, req.remoteAddress, result);
        // Failed attempts count against the caller's address so that guessing credentials is slowed down.
        const limited = this.#rateLimited(req, route.name, `a:${req.remoteAddress}`);
        const refusal = limited instanceof Promise ? await limited : limited;
        if (refusal !== undefined) return refusal;
        this.#metrics?.refused(route.name, 'unauthenticated');
        return json(result.status, JSON.stringify(result.body), result.headers);
      }
      principal = result.principal;
    }
    authenticated?.(principal);
    const limited = this.#rateLimited(req, route.name, Admission.#key(req, route, principal));
    return (limited instanceof Promise ? await limited : limited) ?? principal;
  }

  /** The limiter's key of a caller: its principal when the route authenticates, else its address. */
  static #key(req: HttpRequestLike, route: AdmittedRoute, principal: Principal): string {
    return route.inboundAuth === undefined ? `a:${req.remoteAddress}` : `p:${principal.id}`;
  }

  /**
   * What an admitted request's further work is charged to: a function taking one more token from the same bucket
   * (0, or the seconds to wait; a refusal is logged like a 429). Undefined when there is no limit.
   */
  meter(
    req: HttpRequestLike,
    route: AdmittedRoute,
    principal: Principal,
  ): (() => number | Promise<number>) | undefined {
    const limiter = this.#limiter;
    if (limiter === undefined) return undefined;
    const key = Admission.#key(req, route, principal);
    // One closure per call (most calls never use it): the refusal is logged through a shared method.
    return () => {
      const wait = limiter.take(key);
      return typeof wait === 'number'
        ? this.#logged(wait, key, req, route.name)
        : wait.then((seconds) => this.#logged(seconds, key, req, route.name));
    };
  }

  /** `wait` passed through, a refusal (not 0) logged like a 429. */
  #logged(wait: number, key: string, req: HttpRequestLike, backend: string): number {
    if (wait !== 0) this.#refusals.limited(key, req.remoteAddress, wait, backend);
    return wait;
  }

  /** Takes a token for `key`; the 429 when there is none. In-process buckets answer without a promise. */
  #rateLimited(
    req: HttpRequestLike,
    backend: string,
    key: string,
  ): HttpAnswer | undefined | Promise<HttpAnswer | undefined> {
    if (this.#limiter === undefined) return undefined;
    const retryAfter = this.#limiter.take(key);
    if (typeof retryAfter === 'number') return this.#refuseIfLimited(req, backend, key, retryAfter);
    return retryAfter.then((wait) => this.#refuseIfLimited(req, backend, key, wait));
  }

  /** The 429 with `Retry-After` (logged) when `retryAfter` is not 0. */
  #refuseIfLimited(req: HttpRequestLike, backend: string, key: string, retryAfter: number): HttpAnswer | undefined {
    if (retryAfter === 0) return undefined;
    this.#refusals.limited(key, req.remoteAddress, retryAfter, backend);
    this.#metrics?.refused(backend, 'rate_limited');
    return rpcError(429, null, ErrorCode.ServerError, 'Too many requests', { 'retry-after': String(retryAfter) });
  }

  /** Stops the in-process limiter (a shared one belongs to the caller). */
  close(): void {
    if (this.#ownLimiter) this.#limiter?.close();
  }
}
