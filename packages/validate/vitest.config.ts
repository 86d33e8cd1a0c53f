import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A cold schema compile (no cache yet, as on CI) takes several seconds on a shared 2-core machine.
    testTimeout: 120_000,
  },
});
