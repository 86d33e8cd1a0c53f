import { defineConfig } from 'vitest/config';

// The built images, unpacked and run in a chroot (test/images): one file, images one after the
// other (each unpacked copy is removed before the next). A cold build takes minutes per image;
// these limits only catch a hang.
export default defineConfig({
  test: {
    include: ['test/images/**/*.test.ts'],
    fileParallelism: false,
    hookTimeout: 60 * 60_000,
    testTimeout: 15 * 60_000,
    teardownTimeout: 300_000,
  },
});
