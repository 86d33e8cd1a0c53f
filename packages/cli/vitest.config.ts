import { defineConfig } from 'vitest/config';

// The end-to-end tests render with the real helm and set up git repositories: on a cold cache and a
// busy 2-core machine their setup takes well over vitest's default 10 s.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000 },
});
