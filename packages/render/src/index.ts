export {
  cacheDir,
  ensureTools,
  type RunOptions,
  type RunResult,
  run,
  TOOLS_LAYER,
  type Tools,
  ToolsError,
} from '@airspark/tools';
export {
  ARGOCD_COMPONENT,
  BootstrapError,
  type BootstrapOptions,
  type BootstrapPhase,
  bootstrap,
  bootstrapPlan,
  checkReachable,
} from './bootstrap/bootstrap.js';
export { type CachedChart, cachedChart, chartsDir, storeChart } from './charts/chart-cache.js';
export { chartContentDigest } from './charts/chart-content.js';
export {
  type ChartLock,
  LOCK_FILE,
  type LockEntry,
  lockedDigest,
  lockMatches,
  readLock,
  writeLock,
} from './charts/chart-lock.js';
export { ChartNotInRepositoryError, ChartPullError, mirrorBaseURL, pullChart } from './charts/chart-pull.js';
export { type ChartRef, describeRef, fromArgoRepoURL, refKey } from './charts/chart-ref.js';
export { collectChartRefs, type PullOutcome, pullCharts } from './charts/pull-charts.js';
export type { HydratedComponent, Manifest } from './hydrate/application.js';
export { ARGOCD_NAMESPACE, applicationFile, projectFile, rootFile } from './hydrate/argo.js';
export { hydrationFindings } from './hydrate/check.js';
export { checkHydrationFresh, type WriteResult, writeHydration } from './hydrate/files.js';
export {
  type HydrateOptions,
  type Hydration,
  hydrate,
  hydrateEnvironment,
} from './hydrate/hydrate-environment.js';
export { FileYamlMemo, type YamlMemo } from './hydrate/yaml-memo.js';
export {
  HELM_OUTPUT_MAX_BYTES,
  HelmOutputCache,
  type HelmOutputCacheOptions,
  helmOutputDir,
} from './render/helm-output-cache.js';
export {
  checkOutputFolder,
  OUTPUT_MARKER,
  OutputError,
  renderedFileText,
  writeRendered,
} from './render/output.js';
export {
  type AppStatus,
  type EnvironmentRender,
  type RenderedObject,
  type RenderOptions,
  renderEnvironment,
} from './render/render-environment.js';
export type { Provenance } from './render/types.js';
