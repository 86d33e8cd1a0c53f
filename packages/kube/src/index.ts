// @airspark/kube: a real Kubernetes API server for tests, and server-side dry-runs against it.
export { type DryRunOptions, type DryRunResult, dryRunObjects } from './dry-run.js';
export {
  defaultEnvtestDir,
  EnvtestAssetsMissingError,
  type EnvtestVersions,
  pinnedEnvtestVersions,
  resolveEnvtestBinaries,
  SETUP_COMMAND,
} from './envtest-assets.js';
export type { EnvtestClusterOptions } from './envtest-cluster.js';
export { checkKindPrerequisites, type KindClusterOptions, KindUnavailableError } from './kind-cluster.js';
export type { KubeObject, ObjectIdentity } from './kubernetes-object.js';
export type { FieldValidation } from './object-client.js';
export { causesFromMessage, type Rejection, type RejectionCause } from './server-rejection.js';
export {
  ClusterModeError,
  clusterModeFromEnv,
  startTestCluster,
  type TestClusterOptions,
} from './test-cluster.js';
export type { ClusterMode, TestCluster } from './test-cluster-types.js';
