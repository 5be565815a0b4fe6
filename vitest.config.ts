import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates npx's cache entry for this project once, before tests run `npx finmcp` in parallel.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // A Prism mock starts in seconds on an idle machine but took over 30 s (the setting's default) on a loaded one:
    // tests wait for readiness with a generous limit. Children the tests start inherit it.
    env: { FINMCP_SANDBOX_START_TIMEOUT_MS: '100000' },
    hookTimeout: 120_000,
    // Two cores: Prism and spawned servers are heavy, so test files run two at a time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
