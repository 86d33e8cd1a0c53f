import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The local cluster's tests bring a whole cluster up (vitest.cluster.config.ts runs them); the
    // built-image tests build and run the images (vitest.images.config.ts).
    exclude: ['test/cluster/**', 'test/images/**', '**/node_modules/**'],
    // A real etcd + kube-apiserver starts in about 3-10 s on a busy 2-core machine; the start-up
    // itself gives up after 60 s with the server's log, so hooks get a little longer than that.
    hookTimeout: 300_000,
    testTimeout: 300_000,
    // Server processes are reaped on exit by the package; make sure workers exit normally.
    teardownTimeout: 30_000,
  },
});
