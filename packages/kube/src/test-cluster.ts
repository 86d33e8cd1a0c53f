import { type EnvtestClusterOptions, startEnvtestCluster } from './envtest-cluster.js';
import { type KindClusterOptions, startKindCluster } from './kind-cluster.js';
import type { ClusterMode, TestCluster } from './test-cluster-types.js';

const MODES: readonly ClusterMode[] = ['envtest', 'kind'];

export class ClusterModeError extends Error {
  override readonly name = 'ClusterModeError';
}

/** AIRSPARK_CLUSTER: `envtest` (default) or `kind`. */
export function clusterModeFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterMode {
  const value = env.AIRSPARK_CLUSTER?.trim().toLowerCase();
  if (!value) return 'envtest';
  if ((MODES as readonly string[]).includes(value)) return value as ClusterMode;
  throw new ClusterModeError(
    `AIRSPARK_CLUSTER=${env.AIRSPARK_CLUSTER} is not a cluster mode; use one of: ${MODES.join(', ')}.`,
  );
}

export interface TestClusterOptions {
  /** Default: from AIRSPARK_CLUSTER (see clusterModeFromEnv). */
  readonly mode?: ClusterMode;
  readonly envtest?: EnvtestClusterOptions;
  readonly kind?: KindClusterOptions;
  /** Where AIRSPARK_CLUSTER is read from. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A real API server for tests: envtest binaries by default, a kind cluster on request. */
export function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? clusterModeFromEnv(env);
  return mode === 'kind' ? startKindCluster({ env, ...options.kind }) : startEnvtestCluster(options.envtest);
}
