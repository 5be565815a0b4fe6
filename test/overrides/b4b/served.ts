/**
 * B4B served as the CLI serves it — its overrides on the real ToolService — against Prism serving specs/b4b.yaml,
 * with one session: the harness of the per-module tests of B4B's session tools (login, logout, whoami), each of
 * which takes it with {@link useServedB4b}.
 */
import { afterAll, beforeAll } from 'vitest';
import { backend as b4b } from '../../../generated/b4b/index.gen.js';
import { createBackendHttp, type BackendHttp } from '../../../src/backend/backend-http.js';
import type { Elicitor } from '../../../src/core/call-context.js';
import { createToolService } from '../../../src/core/tool-service.js';
import type { ToolResult } from '../../../src/core/tool-service-api.js';
import { createLogger } from '../../../src/log.js';
import { createB4bOverrides } from '../../../src/overrides/b4b/overrides.js';
import { startPrism, type PrismServer } from '../../../src/sandbox/prism.js';
import type { SessionHandle } from '../../../src/state/session.js';
import { b4bContext, b4bSession } from './context.js';

/** The README's sandbox credentials (Prism answers any well-formed login with the spec's example). */
export const SANDBOX_LOGIN = { phone: '+84909495665', password: 'SecurePassword123@' } as const;

/** A served B4B and its one session. */
export interface ServedB4b {
  session: SessionHandle;
  call(name: string, args?: Record<string, unknown>, elicit?: Elicitor): Promise<ToolResult>;
  /** A fresh session (signed out). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts Prism and the ToolService (Prism may take long on a loaded machine: generous limit). */
async function serveB4b(): Promise<ServedB4b> {
  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const prism: PrismServer = await startPrism({ specFile: 'specs/b4b.yaml', logger, startTimeoutMs: 120_000 });
  const http: BackendHttp = createBackendHttp({ baseUrl: prism.url, maxAttempts: 1, logger });
  const service = createToolService({ generated: b4b, overrides: createB4bOverrides() }, { http, logger });
  const served: ServedB4b = {
    session: await b4bSession(),
    call: (name, args = {}, elicit) =>
      service.callTool(name, args, b4bContext(name, { session: served.session, ...(elicit ? { elicit } : {}) })),
    reset: async () => {
      served.session = await b4bSession();
    },
    close: async () => {
      await http.close();
      await prism.stop();
    },
  };
  return served;
}

/**
 * B4B served for the calling test file: started before its tests, stopped after them. The handle delegates to the
 * served B4B, so tests use it like {@link ServedB4b} itself.
 */
export function useServedB4b(): ServedB4b {
  let served: ServedB4b | undefined;
  beforeAll(async () => {
    served = await serveB4b();
  }, 150_000);
  afterAll(async () => {
    await served?.close();
  });
  const current = (): ServedB4b => {
    if (served === undefined) throw new Error('B4B is not served yet: use the handle inside tests');
    return served;
  };
  return {
    get session() {
      return current().session;
    },
    call: (name, args, elicit) => current().call(name, args, elicit),
    reset: () => current().reset(),
    close: () => current().close(),
  };
}

/** The result's text blocks, joined. */
export function text(result: ToolResult): string {
  return result.content.map((c) => c.text).join('\n');
}
