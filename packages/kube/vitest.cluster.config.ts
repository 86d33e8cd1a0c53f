import { defineConfig } from 'vitest/config';

// The local cluster's end-to-end tests: one file, one cluster, tests in order (up, pods, down).
// Waits inside the tests are generous and report progress; these limits only catch a hang.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    fileParallelism: false,
    hookTimeout: 60 * 60_000,
    testTimeout: 10 * 60_000,
    teardownTimeout: 300_000,
  },
});
