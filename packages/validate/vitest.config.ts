import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A cold schema compile (no cache yet, e.g. on CI) takes several seconds on a shared 2-core machine.
    testTimeout: 60_000,
  },
});
