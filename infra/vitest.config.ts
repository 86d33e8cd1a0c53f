import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // cdktf's Testing matchers register on a global `expect` (see test/setup.ts).
    setupFiles: ['./test/setup.ts'],
    // Synthesizing builds the AWS provider's classes; the first stack of a worker takes a moment.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
