import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests start real processes and wait across flush intervals.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Files run in parallel: every e2e server gets its own free port. Most of an e2e file's time
    // is spent waiting for flush intervals, not computing, so more files run at once than there
    // are cores (vitest's default is one fewer than the cores: one file at a time on two).
    fileParallelism: true,
    maxWorkers: 4,
  },
});
