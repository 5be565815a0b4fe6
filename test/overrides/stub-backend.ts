/**
 * The recording stub backend (testkit/fault-backend.ts) of one `describe` block of override tests: started
 * before the block's tests and closed after them; after each test, the test's harness is closed and the recorded
 * requests are cleared, so each test sees only its own.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';

/** Registers the block's hooks; `started` receives the backend once it listens. */
export function stubBackendPerBlock(
  started: (stub: FaultBackend) => void,
  closeHarness: () => Promise<void> | undefined,
): void {
  let stub: FaultBackend | undefined;
  beforeAll(async () => {
    stub = await startFaultBackend();
    started(stub);
  });
  afterAll(async () => {
    await stub?.close();
  });
  afterEach(async () => {
    await closeHarness();
    if (stub !== undefined) stub.requests.length = 0;
  });
}
