import { defineConfig } from 'vitest/config';

/** The reliability and security suite (`npm run test:chaos`): whole runs of the built binary under faults. */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
