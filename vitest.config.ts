import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds dist/worker/index.js once per run for the workerd tests (test/helpers/workerd-target.ts).
    globalSetup: ['test/workers/global-setup.ts'],
  },
});
