import { defineConfig } from 'vitest/config';

/** Commits made by tests get a fixed identity and no user config. */
const gitIdentity = {
  GIT_AUTHOR_NAME: 'airspark test',
  GIT_AUTHOR_EMAIL: 'test@airspark.invalid',
  GIT_COMMITTER_NAME: 'airspark test',
  GIT_COMMITTER_EMAIL: 'test@airspark.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, env: gitIdentity },
});
