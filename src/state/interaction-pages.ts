/**
 * One-time pages of URL-mode elicitation (MCP 2025-11-25 and 2026-07-28, Client / Elicitation, "URL Mode
 * Elicitation for Sensitive Data"): the user types a secret into a page the server serves, so that it never passes
 * through the MCP client or the model. A tool opens a page of a kind its backend's overrides declare
 * (`InteractionPageKind`, src/core/tool-service-api.ts: what it shows, which tool its form calls) and gets an
 * unguessable id (256 random bits); the transports serve it at `/<backend>/elicitation/<id>` until it is completed, fails too often, or
 * expires (10 minutes).
 *
 * Pages and their attempt counters live in the state store (issue 21), so any instance serves any page: the record
 * is data (kind, the tool's data, the caller who asked and the session whose state the tool writes), sealed in
 * Redis. Each submission is counted atomically *before* the tool runs (the backend login, for a sign-in page): at
 * most {@link MAX_ATTEMPTS} submissions ever reach the tool, whatever the concurrency.
 *
 * The page's work is bound to the caller who asked: the tool runs as that principal, in that caller's state only.
 * "Safe URL Handling": the URL holds no user data and is not pre-authenticated to anything but this one form.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/inbound-auth.js';
import type { InteractionStore } from './interaction-store.js';

/** One open page, as stored. */
export interface PageRecord {
  backend: string;
  kind: string;
  data: Record<string, unknown>;
  /** Who asked: the tool runs as this principal. */
  principal: Principal;
  /** The legacy (or stdio) session whose state the tool writes; absent: the 2026-07-28 caller's own state. */
  sessionId?: string;
}

/** How long a page lives. */
const PAGE_TTL_MS = 10 * 60_000;
/** Submissions a page takes before it is withdrawn (slows guessing a password through it). */
const MAX_ATTEMPTS = 5;
/** Ids are 32 random bytes, base64url. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const PAGE = 'page';
const ATTEMPTS = 'page-attempts';

/** The pages in one state store. */
export class InteractionPages {
  readonly #store: InteractionStore;

  constructor(store: InteractionStore) {
    this.#store = store;
  }

  /** Opens a page; returns its id. */
  async open(record: PageRecord): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.#store.put(PAGE, id, JSON.stringify(record), PAGE_TTL_MS);
    return id;
  }

  /** The live page of `backend` with this id, if any. */
  async find(backend: string, id: string): Promise<PageRecord | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const stored = await this.#store.get(PAGE, id);
    if (stored === undefined) return undefined;
    const record = JSON.parse(stored) as PageRecord;
    return record.backend === backend ? record : undefined;
  }

  /**
   * Counts one submission, atomically and before any work: true when it is within {@link MAX_ATTEMPTS}, false when
   * the page is used up (it is withdrawn then).
   */
  async attempt(id: string): Promise<{ allowed: boolean; last: boolean }> {
    const n = await this.#store.increment(ATTEMPTS, id, PAGE_TTL_MS);
    if (n > MAX_ATTEMPTS) {
      await this.withdraw(id);
      return { allowed: false, last: true };
    }
    return { allowed: true, last: n === MAX_ATTEMPTS };
  }

  /** Ends a page (completed, or out of attempts). */
  async withdraw(id: string): Promise<void> {
    await this.#store.delete(PAGE, id);
  }
}
