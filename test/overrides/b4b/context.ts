/**
 * The call context a B4B override sees, built from real parts: a memory session store and its session handle
 * (signed in or not, through session.ts' own `storeLogin`), and — where a test plays the user — an elicitor that
 * answers the questions it is asked as the user would, recording them.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, ElicitAnswer, ElicitRequest, Elicitor } from '../../../src/core/call-context.js';
import { storeLogin, type StoredB4bLogin } from '../../../src/overrides/b4b/session.js';
import type { SessionHandle, SessionRecord } from '../../../src/state/session.js';
import { MemorySessionStore, createSessionHandle } from '../../../src/state/session-store.js';

/** A fresh session; signed in with `login` when given. */
export async function b4bSession(login?: StoredB4bLogin): Promise<SessionHandle> {
  const store = new MemorySessionStore();
  const record: SessionRecord = { principalId: 'anonymous', backend: 'b4b', createdAt: Date.now(), state: {} };
  await store.set('session-1', record);
  const session = createSessionHandle(store, 'session-1', record);
  if (login !== undefined) await storeLogin(session, login);
  return session;
}

/** The context of one call of `tool`. */
export function b4bContext(tool: string, extra: Partial<CallContext> = {}): CallContext {
  return {
    backend: 'b4b',
    tool,
    requestId: randomUUID(),
    principal: { id: 'anonymous', scopes: [], claims: {} },
    sessionId: 'session-1',
    ...extra,
  };
}

/** A user who answers every form question with `answer`; `asked` holds the questions in order. */
export function answeringUser(
  answer: ElicitAnswer,
): Elicitor & { asked: Array<{ key: string; request: ElicitRequest }> } {
  const asked: Array<{ key: string; request: ElicitRequest }> = [];
  return {
    form: true,
    url: false,
    asked,
    ask: async (key, request) => {
      asked.push({ key, request });
      return answer;
    },
    request: async () => undefined,
    openPage: async () => {
      throw new Error('no pages in this test');
    },
  };
}
