import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests start real processes and wait across flush intervals.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Files run in parallel: every e2e server gets its own free port.
    fileParallelism: true,
  },
});
