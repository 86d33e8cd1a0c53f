import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test.ts'] },
    // A test asserts behaviour, not speed: on a loaded 2-core machine (CI, or five other jobs)
    // work takes what it takes, so no short fixed timeout fails a correct run (issue 13).
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
