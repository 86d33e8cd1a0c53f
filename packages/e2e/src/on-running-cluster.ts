// Runs named scenarios against the local cluster as it is, skipping cluster-and-mirrors and the
// scenarios they need: for developing a scenario while the platform's objects were applied by hand
// (`pnpm render --env local` + `kubectl apply`), never in place of `pnpm e2e`. No Git mirror is
// served, so a scenario that commits (auto-sync, prune) cannot run this way.
import path from 'node:path';
import { ensureTools } from '@airspark/tools';
import { airsparkRunner } from './airspark-cli.js';
import { kubectlFor } from './kubectl.js';
import { reportOf, writeReport } from './report.js';
import { type E2eContext, runScenarios } from './scenario.js';
import { allScenarios, selectScenarios } from './scenarios/index.js';

export async function runOnRunningCluster(options: {
  root: string;
  kubeconfig: string;
  names: readonly string[];
  reportFile: string;
  log: (line: string) => void;
}): Promise<boolean> {
  const tools = await ensureTools({ log: options.log });
  const wanted = new Set(options.names);
  const scenarios = selectScenarios(options.names, allScenarios)
    .filter((s) => wanted.has(s.name))
    .map((s) => ({ ...s, needs: [] }));
  const ctx: E2eContext = {
    root: options.root,
    environment: 'local',
    kubeconfig: options.kubeconfig,
    kubectl: kubectlFor(tools.kubectl, options.kubeconfig),
    repo: {} as E2eContext['repo'],
    airspark: airsparkRunner(options.root, options.log),
    log: options.log,
    timeoutMs: (s) => s * 1000,
  };
  const startedAt = new Date();
  const results = await runScenarios(scenarios, ctx, (_r, list) =>
    writeReport(options.reportFile, reportOf('local', startedAt, list)),
  );
  return results.every((r) => r.status === 'passed');
}

/** `node packages/e2e/bin/on-running-cluster.js NAME...` (kubeconfig from KUBECONFIG). */
export async function onRunningClusterMain(argv: readonly string[]): Promise<number> {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig || argv.length === 0) {
    process.stderr.write(
      'usage: KUBECONFIG=<file> node packages/e2e/bin/on-running-cluster.js SCENARIO...\n',
    );
    return 2;
  }
  const root = path.resolve(import.meta.dirname, '../../..');
  const passed = await runOnRunningCluster({
    root,
    kubeconfig,
    names: argv,
    reportFile: path.join(root, 'reports', 'e2e-on-running-cluster.json'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return passed ? 0 : 1;
}
