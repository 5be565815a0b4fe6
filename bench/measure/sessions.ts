/**
 * Memory per session: the server's resident set (VmRSS) before and after opening `count` Streamable HTTP
 * sessions (each: initialize, initialized, and the login call when the backend has one), divided by `count`.
 * Run on a freshly started server after `warmup` sessions (so JIT code, pools and the young generation are
 * already sized, and no garbage from earlier load is freed in the middle of the measurement). Client
 * connections are closed once a session is established (the session itself stays open on the server), so
 * that the figure is the session state, not a thousand idle sockets. A server keeping sessions in an external
 * store (Redis) also gets that store's growth per session.
 */
import { readRssBytes } from '../proc.js';
import { nextSessionTag } from '../scenario.js';
import { inBatches, openHttpSession, type SessionSetupCall } from '../targets.js';
import type { McpHttpEndpoint } from '../clients/mcp-http.js';

/** Result of the session-memory measurement. */
export interface SessionMemoryResult {
  sessions: number;
  failed: number;
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
  /** (after − before) / sessions, bytes. */
  perSessionBytes: number | null;
  /** Sessions opened (and kept) before `rssBeforeBytes` was read. */
  warmupSessions: number;
  /** Growth of the external state store (e.g. Redis `used_memory`) per session, bytes, when there is one. */
  storePerSessionBytes?: number | null;
  firstError?: string;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `count` sessions on a running server and measures its RSS growth. */
export async function measureSessionMemory(
  pid: number,
  endpoint: McpHttpEndpoint,
  setup: SessionSetupCall | undefined,
  count: number,
  warmup: number,
  timeoutMs: number,
  storeBytes?: () => Promise<number | null>,
): Promise<SessionMemoryResult> {
  let failed = 0;
  let firstError: string | undefined;
  const open = async (n: number): Promise<number> => {
    let failures = 0;
    await inBatches(
      Array.from({ length: n }, (_, i) => i),
      16,
      async () => {
        try {
          const session = await openHttpSession(endpoint, setup, timeoutMs, setup === undefined ? 0 : nextSessionTag());
          session.disconnect();
        } catch (error) {
          failures += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      },
    );
    return failures;
  };
  await open(warmup);
  await settle(300);
  const before = readRssBytes(pid);
  const storeBefore = storeBytes === undefined ? null : await storeBytes();
  failed = await open(count);
  // Let the server finish closing the sockets so their buffers are not counted as session state.
  await settle(300);
  const after = readRssBytes(pid);
  const storeAfter = storeBytes === undefined ? null : await storeBytes();
  const opened = count - failed;
  return {
    sessions: opened,
    failed,
    rssBeforeBytes: before,
    rssAfterBytes: after,
    perSessionBytes: before === null || after === null || opened === 0 ? null : (after - before) / opened,
    warmupSessions: warmup,
    ...(storeBytes === undefined
      ? {}
      : {
          storePerSessionBytes:
            storeBefore === null || storeAfter === null || opened === 0 ? null : (storeAfter - storeBefore) / opened,
        }),
    ...(firstError === undefined ? {} : { firstError }),
  };
}
