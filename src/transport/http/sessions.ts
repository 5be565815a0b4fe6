/**
 * Legacy sessions of stateful backends (MCP 2025-11-25, Streamable HTTP, "Session Management"): `initialize`
 * creates one (a 256-bit random id in `Mcp-Session-Id`, bound to the principal that created it), every later
 * request of that era presents it, DELETE ends it. The record lives in the {@link SessionStore} only; another
 * principal's session answers exactly like an unknown one. 2026-07-28 requests have no sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../auth/inbound-auth.js';
import type { SessionHandle, SessionRecord, SessionStore } from '../../state/session.js';
import type { Logger } from '../../log.js';
import { ANONYMOUS_PRINCIPAL } from '../../protocol/caller.js';
import { createSessionHandle } from '../../state/session-store.js';

/** Session ids are 32 random bytes, base64url: 43 characters. */
const SESSION_ID_LENGTH = 43;

/** A session being created by `initialize`: stored only once the answer is a success. */
export interface NewSession {
  id: string;
  record: SessionRecord;
}

/** The sessions of every stateful backend of one server. */
export class LegacySessions {
  readonly #store: SessionStore;
  readonly #logger: Logger;

  constructor(store: SessionStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * A new session for `principal` (not stored yet: see {@link commit}). It counts against the principal's session
   * quota, or for the anonymous principal (no inbound credential: every caller is `anonymous`) against the client
   * address, so that one client cannot use up everyone's.
   */
  open(principal: Principal, backend: string, address: string): NewSession {
    const owner = principal === ANONYMOUS_PRINCIPAL ? `${principal.id}@${address}` : principal.id;
    return {
      id: randomBytes(32).toString('base64url'),
      record: { principalId: principal.id, owner, backend, createdAt: Date.now(), state: {} },
    };
  }

  /** Stores a session whose `initialize` succeeded. */
  async commit(session: NewSession): Promise<void> {
    await this.#store.set(session.id, session.record);
    this.#logger.info(
      { backend: session.record.backend, session: sessionTag(session.id), principal: session.record.principalId },
      'session created',
    );
  }

  /**
   * The session's record if it exists, is live, belongs to this backend and to this principal; else undefined.
   * Without a promise when the store answers from memory.
   */
  find(
    sessionId: string,
    principal: Principal,
    backend: string,
  ): SessionRecord | undefined | Promise<SessionRecord | undefined> {
    if (sessionId.length !== SESSION_ID_LENGTH) return undefined;
    const store = this.#store;
    if (store.getSync !== undefined) return ownRecord(store.getSync(sessionId), principal, backend);
    return store.get(sessionId).then((record) => ownRecord(record, principal, backend));
  }

  /** The state handle of a found or new session. */
  handle(sessionId: string, record: SessionRecord): SessionHandle {
    return createSessionHandle(this.#store, sessionId, record);
  }

  /** Ends a session (its owner asked: DELETE). */
  async end(sessionId: string, principal: Principal, backend: string): Promise<void> {
    await this.#store.delete(sessionId);
    this.#logger.info({ backend, session: sessionTag(sessionId), principal: principal.id }, 'session ended');
  }
}

/** `record` when it belongs to `backend` and to `principal`: another principal's session is an unknown one. */
function ownRecord(
  record: SessionRecord | undefined,
  principal: Principal,
  backend: string,
): SessionRecord | undefined {
  return record === undefined || record.backend !== backend || record.principalId !== principal.id ? undefined : record;
}

/** Short, non-reversible tag for a session id, for log correlation (ids themselves are never logged). */
function sessionTag(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 12);
}
