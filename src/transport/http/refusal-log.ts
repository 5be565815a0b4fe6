/**
 * The HTTP transport's security log of refused requests (401s and 429s), throttled so that a flood of refusals
 * does not flood the log.
 */
import type { InboundAuthResult } from '../../auth/inbound-auth.js';
import type { AuditEntry, AuditEvent, AuditLog } from '../../audit/audit-record.js';
import type { Logger } from '../../log.js';

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
    this.#audit?.append(
      refusalEntry(
        'auth_rejected',
        backend,
        { principal: null, address },
        String(error ?? 'rejected'),
        refusal.status,
        suppressed,
      ),
    );
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
    this.#audit?.append(
      refusalEntry(
        'rate_limited',
        backend,
        { principal: caller.principal ?? null, address },
        'rate_limited',
        429,
        suppressed,
      ),
    );
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
function refusalEntry(
  event: AuditEvent,
  backend: string,
  caller: { principal: string | null; address: string },
  outcome: string,
  status: number,
  suppressed: number,
): AuditEntry {
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
