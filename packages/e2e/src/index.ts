// @airspark/e2e: the platform on the local cluster through its own GitOps path (`pnpm e2e`).
export { type ApplicationStatus, allSyncedAndHealthy, applicationStatuses } from './applications.js';
export { main } from './cli.js';
export { type Kubectl, KubectlError, kubectlFor } from './kubectl.js';
export { localImageRefs, recipesFor } from './local-images.js';
export { type RunningServer, serveChartMirror } from './mirrors/chart-server.js';
export { serveGitRepositories } from './mirrors/git-server.js';
export { type HostEndpoint, MIRRORS_NAMESPACE, mirrorServiceObjects } from './mirrors/in-cluster.js';
export { podsOf } from './pods.js';
export { type E2eReport, type PodSeen, reportOf, type ScenarioResult, writeReport } from './report.js';
export { type E2eOptions, runE2e } from './run-e2e.js';
export { type E2eContext, runScenarios, type Scenario } from './scenario.js';
export { allScenarios, selectScenarios } from './scenarios/index.js';
export { git, type ServedRepository, serveCheckout } from './served-repo.js';
export { WaitTimeoutError, waitUntil } from './wait.js';
