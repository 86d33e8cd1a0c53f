import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A cold schema compile (no cache yet, as on CI) takes several seconds on a shared 2-core machine.
    testTimeout: 300_000,
    // The API-server dry-run test renders every environment and starts etcd and kube-apiserver in its
    // hooks: minutes on a loaded machine, not the default 10 s.
    hookTimeout: 600_000,
  },
});
