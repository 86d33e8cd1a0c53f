// `pnpm e2e`: the local cluster up, this machine's mirrors reachable from it, then the scenarios;
// reports/e2e.json after every scenario, so an interrupted run still says how far it got.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadEnvironments, SYSTEM_NODE_LABELS } from '@airspark/config';
import {
  acquireClusterLock,
  buildImages,
  findRecipes,
  labelLocalNode,
  localClusterDown,
  localClusterUp,
} from '@airspark/kube';
import { ensureTools } from '@airspark/tools';
import { airsparkRunner } from './airspark-cli.js';
import { kubectlFor } from './kubectl.js';
import { localImageRefs, recipesFor } from './local-images.js';
import { type RunningServer, serveChartMirror } from './mirrors/chart-server.js';
import { serveGitRepositories } from './mirrors/git-server.js';
import { MIRRORS_NAMESPACE, mirrorServiceObjects } from './mirrors/in-cluster.js';
import { podsIn } from './pods.js';
import { reportOf, type ScenarioResult, writeReport } from './report.js';
import { type E2eContext, runScenarios, type Scenario } from './scenario.js';
import { serveCheckout } from './served-repo.js';

export interface E2eOptions {
  readonly root: string;
  /** The chart mirror folder (index.yaml + archives). */
  readonly chartMirror: string;
  readonly scenarios: readonly Scenario[];
  readonly reportFile: string;
  /**
   * Leave the cluster up at the end and keep serving the mirrors until SIGINT/SIGTERM (without it
   * the cluster is taken down when this run brought it up).
   */
  readonly keep?: boolean;
  readonly timeoutScale?: number;
  readonly log: (line: string) => void;
}

const ENVIRONMENT = 'local';
const kubeconfigOf = (results: readonly ScenarioResult[]) =>
  String(results[0]?.details?.kubeconfig ?? 'see pnpm cluster status');
/** The repository's name on the Git mirror (clusters/local/environment.yaml mirrors.git). */
const SERVED_REPOSITORY = 'airspark';

export async function runE2e(options: E2eOptions): Promise<{ passed: boolean; results: ScenarioResult[] }> {
  const { root, log } = options;
  const startedAt = new Date();
  const releaseLock = await acquireClusterLock({ owner: 'pnpm e2e', log });
  const servers: RunningServer[] = [];
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'airspark-e2e-'));
  let broughtUp = false;
  const results: ScenarioResult[] = [];
  const save = (list: readonly ScenarioResult[]) =>
    writeReport(options.reportFile, reportOf(ENVIRONMENT, startedAt, list));
  try {
    const began = Date.now();
    let ctx: E2eContext | undefined;
    let prepareError: string | undefined;
    let nodeAddress = '';
    try {
      log('▶ cluster-and-mirrors');
      const cluster = await localClusterUp({ log: (l) => log(`    │ ${l}`) });
      broughtUp = cluster.started;
      const tools = await ensureTools({ log });
      const kubectl = kubectlFor(tools.kubectl, cluster.kubeconfig);
      const address = (
        await kubectl([
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
        ])
      ).trim();
      if (!address) throw new Error('the local node reports no InternalIP address');
      nodeAddress = address;
      // The node is the system node group here: it carries exactly its labels (one source with infra/).
      await labelLocalNode(SYSTEM_NODE_LABELS);
      const [loaded] = (await loadEnvironments(root, [ENVIRONMENT])).environments;
      if (!loaded)
        throw new Error(
          `clusters/${ENVIRONMENT}/environment.yaml did not load; run pnpm validate --env ${ENVIRONMENT}`,
        );
      const recipes = recipesFor(localImageRefs(loaded.environment), (await findRecipes(root)).values());
      await buildImages({
        repoRoot: root,
        names: recipes.map((r) => r.name),
        import: true,
        log: (l) => log(`    │ ${l}`),
      });
      const repo = await serveCheckout(root, workDir, SERVED_REPOSITORY);
      if (repo.dirty.length > 0)
        log(
          `  note: ${repo.dirty.length} uncommitted change(s) are not served; Argo CD reads the last commit`,
        );
      servers.push(await serveChartMirror(options.chartMirror, address));
      servers.push(await serveGitRepositories(repo.servedRoot, address));
      const [charts, gitServer] = servers as [RunningServer, RunningServer];
      log(`  charts mirror ${charts.url}, git mirror ${gitServer.url}/${SERVED_REPOSITORY}.git`);
      await kubectl(['apply', '--server-side', '--field-manager=airspark-e2e', '-f', '-'], {
        input: mirrorServiceObjects([
          { name: 'charts', address, port: charts.port },
          { name: 'git', address, port: gitServer.port },
        ])
          .map((o) => JSON.stringify(o))
          .join('\n'),
      });
      const scale = options.timeoutScale ?? 1;
      ctx = {
        root,
        environment: ENVIRONMENT,
        kubeconfig: cluster.kubeconfig,
        kubectl,
        repo,
        airspark: airsparkRunner(root, log),
        log,
        timeoutMs: (seconds) => Math.round(seconds * 1000 * scale),
      };
    } catch (error) {
      prepareError = (error as Error).message;
    }
    const prepared: ScenarioResult = {
      name: 'cluster-and-mirrors',
      status: prepareError === undefined ? 'passed' : 'failed',
      seconds: Math.round((Date.now() - began) / 100) / 10,
      pods: ctx ? await podsIn(ctx.kubectl, ['kube-system', MIRRORS_NAMESPACE]) : [],
      ...(prepareError === undefined ? {} : { error: prepareError }),
      ...(ctx ? { details: { kubeconfig: ctx.kubeconfig, node: nodeAddress } } : {}),
    };
    log(
      prepared.status === 'passed'
        ? `✔ cluster-and-mirrors (${prepared.seconds} s)`
        : `✖ cluster-and-mirrors: ${prepareError}`,
    );
    results.push(prepared);
    await save(results);
    if (ctx) {
      const all = await runScenarios(options.scenarios, ctx, (_r, list) => save(list), results);
      results.splice(0, results.length, ...all);
    } else {
      for (const s of options.scenarios)
        results.push({
          name: s.name,
          status: 'failed',
          seconds: 0,
          pods: [],
          error: 'not run: cluster-and-mirrors did not pass',
        });
      await save(results);
    }
    if (options.keep && servers.length > 0) {
      // The platform stays up and Argo CD keeps reaching its mirrors until the user stops us.
      log(`the platform stays up; serving the mirrors until Ctrl-C (kubeconfig ${kubeconfigOf(results)})`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await rm(workDir, { recursive: true, force: true });
    if (broughtUp && !options.keep) {
      log('taking the cluster down (it was not up before; --keep leaves it up)');
      await localClusterDown({ log: () => {} }).catch((e) =>
        log(`cluster down failed: ${(e as Error).message}`),
      );
    }
    await releaseLock();
  }
  return { passed: results.every((r) => r.status === 'passed'), results };
}
