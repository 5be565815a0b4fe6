import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates npx's cache entry for this project once, before tests run `npx finmcp` in parallel.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: Prism and spawned servers are heavy, so test files run two at a time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
