import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts'],
    // helm runs as a child process; the first call may extract the binary.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
