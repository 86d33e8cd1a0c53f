// Spark jobs for real: the DAGs' own operators (run by Airflow on the host, tools/run_dag.py)
// submit to the platform's Spark Operator and Livy in spark-team-a, and the scenarios check what a
// data engineer would: the task's outcome, the reason in its log, and the driver and executor pods.
import path from 'node:path';
import { loadEnvironments } from '@airspark/config';
import type { E2eContext, Scenario } from '../scenario.js';
import {
  type DagRunOutcome,
  type HostAirflow,
  type HostAirflowSettings,
  startHostAirflow,
} from '../spark/host-airflow.js';
import {
  missingSparkRoles,
  SPARK_NAMESPACE,
  type SparkPodSeen,
  watchSparkPods,
} from '../spark/spark-pods.js';
import { waitUntil } from '../wait.js';

export { SPARK_NAMESPACE };

/**
 * The label the e2e puts on the local node in place of Karpenter's NodePools: a single node cannot
 * carry both NodeGroupType=spark-driver and NodeGroupType=spark-executor, so the local environment
 * places drivers and executors by this one label instead (ADR 0057). Named for what it stands in for.
 */
export const KARPENTER_STAND_IN_LABELS: Readonly<Record<string, string>> = {
  'airspark.dev/karpenter-stand-in': 'spark',
};

/**
 * Spark properties only the local cluster needs (Variable spark_conf): requests a 2-CPU node that
 * also runs Argo CD can give (Spark's default requests a whole core per pod), and no event log
 * (the event-log bucket is on S3 with Pod Identity, which the local cluster has not).
 */
export const LOCAL_SPARK_CONF: Readonly<Record<string, string>> = {
  'spark.kubernetes.driver.request.cores': '250m',
  'spark.kubernetes.executor.request.cores': '250m',
  'spark.eventLog.enabled': 'false',
};

/** Makes the driver raise while it starts: Spark refuses an event-log folder that does not exist. */
export const FAILING_JOB_CONF: Readonly<Record<string, string>> = {
  'spark.eventLog.enabled': 'true',
  'spark.eventLog.dir': 'file:/nonexistent/airspark-e2e-event-logs',
};

/** What Spark's driver says when FAILING_JOB_CONF's event-log folder is missing (Hadoop's message). */
export const FAILING_JOB_ERROR =
  'FileNotFoundException: File file:/nonexistent/airspark-e2e-event-logs does not exist';
/**
 * Makes spark-submit (inside the Spark Operator) fail before any pod exists: it parses the size
 * while it builds the driver pod. (A missing spark.kubernetes.driver.podTemplateFile does not: it
 * was tried, and the application ran.)
 */
export const UNSUBMITTABLE_CONF: Readonly<Record<string, string>> = {
  'spark.driver.memoryOverhead': 'airspark-e2e-not-a-size',
};

export async function localSparkSettings(ctx: E2eContext): Promise<HostAirflowSettings> {
  const [loaded] = (await loadEnvironments(ctx.root, [ctx.environment])).environments;
  if (!loaded) throw new Error(`clusters/${ctx.environment}/environment.yaml did not load`);
  const env = loaded.environment;
  return {
    kubeconfig: ctx.kubeconfig,
    jobImage: `${env.spark.jobImage.repository}:${env.spark.jobImage.tag}`,
    sparkConf: LOCAL_SPARK_CONF,
    nodeSelectors: { driver: KARPENTER_STAND_IN_LABELS, executor: KARPENTER_STAND_IN_LABELS },
    eventLogBucket: env.storage.buckets.sparkEventLogs,
  };
}

const prepared = new WeakMap<E2eContext, Promise<HostAirflowSettings>>();

/** Once per run: the node labelled as Karpenter's stand-in, the Spark Operator ready. */
export function prepareSpark(ctx: E2eContext): Promise<HostAirflowSettings> {
  let p = prepared.get(ctx);
  if (!p) {
    p = (async () => {
      const pairs = Object.entries(KARPENTER_STAND_IN_LABELS).map(([k, v]) => `${k}=${v}`);
      await ctx.kubectl(['label', 'nodes', '--all', '--overwrite', ...pairs]);
      await ctx.kubectl([
        'wait',
        '-n',
        'spark-operator',
        '--for=condition=Available',
        'deployment',
        '--all',
        `--timeout=${Math.round(ctx.timeoutMs(300) / 1000)}s`,
      ]);
      return localSparkSettings(ctx);
    })();
    prepared.set(ctx, p);
  }
  return p;
}

async function airflowWith(
  ctx: E2eContext,
  extraConf: Readonly<Record<string, string>> = {},
): Promise<HostAirflow> {
  const settings = await prepareSpark(ctx);
  return startHostAirflow(path.join(ctx.root, 'dags'), {
    ...settings,
    sparkConf: { ...settings.sparkConf, ...extraConf },
  });
}

/** The DAG run, with the Spark pods seen while it ran and no application of it left behind. */
export async function runWatched(
  ctx: E2eContext,
  airflow: HostAirflow,
  dagId: string,
  conf: Record<string, unknown>,
  options: { logicalDate?: string } = {},
): Promise<{ outcome: DagRunOutcome; pods: SparkPodSeen[] }> {
  const at = options.logicalDate ? ` at ${options.logicalDate}` : '';
  ctx.log(`  airflow (host): ${dagId} ${JSON.stringify(conf)}${at}, one attempt`);
  const { result, pods } = await watchSparkPods(ctx.kubectl, SPARK_NAMESPACE, () =>
    airflow.runDag(dagId, { conf, retries: 0, timeoutMs: ctx.timeoutMs(1200), ...options }),
  );
  ctx.log(`  ${dagId}: run ${result.state}, tasks ${JSON.stringify(result.tasks)}`);
  return { outcome: result, pods };
}

/** The log lines that carry `needle`, for an error message (the whole log is megabytes). */
export function linesWith(log: string, needle: string, max = 5): string[] {
  return log
    .split('\n')
    .filter((l) => l.includes(needle))
    .slice(0, max)
    .map((l) => l.trim().slice(0, 400));
}

export function expectTask(outcome: DagRunOutcome, task: string, state: string) {
  if (outcome.tasks[task] !== state)
    throw new Error(
      `${outcome.dagId}: task ${task} ended ${outcome.tasks[task] ?? 'not run'}, expected ${state}; ` +
        `log tail:\n${outcome.log.slice(-2500)}`,
    );
}

export function expectInLog(outcome: DagRunOutcome, needle: string, what: string) {
  if (!outcome.log.includes(needle))
    throw new Error(
      `${outcome.dagId}: the task log does not show ${what} ("${needle}"); tail:\n${outcome.log.slice(-2500)}`,
    );
}

export async function noApplicationsLeft(ctx: E2eContext) {
  await waitUntil(
    async () => {
      const names = (
        await ctx.kubectl(['get', 'sparkapplications', '-n', SPARK_NAMESPACE, '-o', 'name'])
      ).trim();
      return names ? `left: ${names.replace(/\n/g, ', ')}` : undefined;
    },
    { what: 'the operator deletes its SparkApplication', timeoutMs: ctx.timeoutMs(120), log: ctx.log },
  );
}

export const sparkOperatorPi: Scenario = {
  name: 'spark-operator-pi',
  needs: ['synced-healthy'],
  namespaces: [SPARK_NAMESPACE],
  run: async (ctx) => {
    const airflow = await airflowWith(ctx);
    const { outcome, pods } = await runWatched(ctx, airflow, 'pyspark_pi', { partitions: 2 });
    expectTask(outcome, 'estimate_pi', 'success');
    const missing = missingSparkRoles(pods);
    if (missing) throw new Error(`pyspark_pi succeeded but ${missing}`);
    expectInLog(outcome, 'Pi is roughly', "the driver's result, followed by the operator");
    await noApplicationsLeft(ctx);
    return {
      runId: outcome.runId,
      tasks: outcome.tasks,
      result: linesWith(outcome.log, 'Pi is roughly', 1),
      sparkPods: pods,
    };
  },
};

export const sparkOperatorFailure: Scenario = {
  name: 'spark-operator-failure',
  needs: ['synced-healthy'],
  namespaces: [SPARK_NAMESPACE],
  run: async (ctx) => {
    const airflow = await airflowWith(ctx, FAILING_JOB_CONF);
    const { outcome, pods } = await runWatched(ctx, airflow, 'pyspark_pi', { partitions: 2 });
    expectTask(outcome, 'estimate_pi', 'failed');
    if (!pods.some((p) => p.role === 'driver'))
      throw new Error("pyspark_pi failed, but no driver pod ran: the failure was not the job's");
    // The job's own error, from the driver's log the operator follows into the task log. The whole
    // sentence, not the folder name: the submitted conf echoed in the log names the folder too.
    expectInLog(outcome, FAILING_JOB_ERROR, "the job's error (its event-log folder does not exist)");
    await noApplicationsLeft(ctx);
    return {
      runId: outcome.runId,
      tasks: outcome.tasks,
      jobError: linesWith(outcome.log, FAILING_JOB_ERROR, 3),
      sparkPods: pods,
    };
  },
};

export const sparkOperatorSubmissionFailure: Scenario = {
  name: 'spark-operator-submission-failure',
  needs: ['synced-healthy'],
  namespaces: [SPARK_NAMESPACE],
  run: async (ctx) => {
    const airflow = await airflowWith(ctx, UNSUBMITTABLE_CONF);
    const { outcome, pods } = await runWatched(ctx, airflow, 'pyspark_pi', { partitions: 2 });
    expectTask(outcome, 'estimate_pi', 'failed');
    expectInLog(outcome, 'could not submit SparkApplication', 'that the Spark Operator could not submit it');
    expectInLog(outcome, 'Failed to parse byte string: airspark-e2e-not-a-size', "spark-submit's reason");
    if (pods.some((p) => p.role === 'driver'))
      throw new Error(
        `a driver pod ran although the submission should have failed: ${pods.map((p) => p.name).join(', ')}`,
      );
    return {
      runId: outcome.runId,
      tasks: outcome.tasks,
      reason: linesWith(outcome.log, 'could not submit SparkApplication', 1),
      sparkPods: pods,
    };
  },
};

/** In the order they run, after the platform's. */
export const sparkScenarios: readonly Scenario[] = [
  sparkOperatorPi,
  sparkOperatorFailure,
  sparkOperatorSubmissionFailure,
];
