import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Bounds for a test that hangs, not a measure of speed: generous enough that a busy machine (load average 5 and
    // more on two cores, several suites at once) finishes every test well within them.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/proof/**'],
          // Most files wait on rollouts, timers and child processes rather than the CPU: three files at a time
          // on two cores keep both busy (the default is one less than the cores).
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'proofs',
          include: ['test/proof/**/*.test.ts'],
          // The crash, contention and fault proofs time kills and deadlines against a busy server: they run
          // after the rest, two at a time (one a core), so no other file starves them of CPU.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
