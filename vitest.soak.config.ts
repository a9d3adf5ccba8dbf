import { defineConfig } from 'vitest/config';

// `npm run soak`: the long reliability run, kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    hookTimeout: 120_000,
  },
});
