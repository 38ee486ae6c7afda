import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on rollouts, timers and child processes rather than the CPU: two files at a time on
    // two cores finish the suite in about 5.5 minutes instead of 9 (the default is one less than the cores).
    maxWorkers: 2,
  },
});
