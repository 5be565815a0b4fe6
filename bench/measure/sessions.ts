/**
 * Memory per session: the server's resident set (VmRSS) before and after opening `count` Streamable HTTP
 * sessions (each: initialize, initialized, and the login call when the backend has one), divided by `count`.
 * Client connections are closed once a session is established (the session itself stays open on the server),
 * so that the figure is the session state, not a thousand idle sockets.
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
  firstError?: string;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `count` sessions on a running server and measures its RSS growth. */
export async function measureSessionMemory(
  pid: number,
  endpoint: McpHttpEndpoint,
  setup: SessionSetupCall | undefined,
  count: number,
  timeoutMs: number,
): Promise<SessionMemoryResult> {
  await settle(200);
  const before = readRssBytes(pid);
  let failed = 0;
  let firstError: string | undefined;
  await inBatches(Array.from({ length: count }, (_, i) => i), 16, async () => {
    try {
      const session = await openHttpSession(endpoint, setup, timeoutMs, setup === undefined ? 0 : nextSessionTag());
      session.disconnect();
    } catch (error) {
      failed += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  // Let the server finish closing the sockets so their buffers are not counted as session state.
  await settle(300);
  const after = readRssBytes(pid);
  const opened = count - failed;
  return {
    sessions: opened,
    failed,
    rssBeforeBytes: before,
    rssAfterBytes: after,
    perSessionBytes: before === null || after === null || opened === 0 ? null : (after - before) / opened,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
