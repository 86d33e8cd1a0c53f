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
export { type BuiltImage, buildImage, imagesCacheDir } from './images/build-image.js';
export {
  ARCHIVE_LABEL,
  containerdImageLabels,
  importIntoContainerd,
  listContainerdImages,
  parseImageList,
} from './images/import-image.js';
export { IMAGE_REGISTRY, type ImageRecipe, imageRef, parseRecipe, RecipeError } from './images/recipe.js';
export { findRecipes, RECIPE_FILE, selectRecipes } from './images/recipes.js';
export { checkKindPrerequisites, type KindClusterOptions, KindUnavailableError } from './kind-cluster.js';
export type { KubeObject, ObjectIdentity } from './kubernetes-object.js';
export {
  type BuildImagesOptions,
  buildImages,
  type ImageOutcome,
  KIND_CLUSTER_NAME,
  type LocalClusterInfo,
  type LocalClusterMode,
  LocalClusterModeError,
  type LocalClusterOptions,
  type LocalClusterStatus,
  labelLocalNode,
  localClusterDown,
  localClusterMode,
  localClusterPrepare,
  localClusterStatus,
  localClusterUp,
} from './local-cluster.js';
export {
  acquireClusterLock,
  type ClusterLockOptions,
  DEFAULT_LOCK_DIR,
} from './node-cluster/cluster-lock.js';
export { clusterLayout, DEFAULT_STATE_DIR, NODE_NAME, stateDirFromEnv } from './node-cluster/layout.js';
export { ClusterUpError } from './node-cluster/up.js';
export type { FieldValidation } from './object-client.js';
export { causesFromMessage, type Rejection, type RejectionCause } from './server-rejection.js';
export {
  ClusterModeError,
  clusterModeFromEnv,
  startTestCluster,
  type TestClusterOptions,
} from './test-cluster.js';
export type { ClusterMode, TestCluster } from './test-cluster-types.js';
