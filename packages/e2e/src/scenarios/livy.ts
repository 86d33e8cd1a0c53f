// The Livy path for real: the livy_spark_pi DAG's own LivyOperator (Airflow on the host) submits
// batches through the platform's Livy Service (port-forwarded), Livy runs spark-submit in cluster
// mode into spark-team-a, and the scenarios check the outcome a data engineer relies on: the
// driver's exit status as Livy records it, and the result this attempt wrote to S3 (versitygw).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvironments } from '@airspark/config';
import { ensureTools } from '@airspark/tools';
import type { E2eContext, Scenario } from '../scenario.js';
import { type HostAirflow, startHostAirflow } from '../spark/host-airflow.js';
import { localS3 } from '../spark/local-s3.js';
import { portForward } from '../spark/port-forward.js';
import type { S3Server } from '../spark/s3-server.js';
import { missingSparkRoles } from '../spark/spark-pods.js';
import {
  expectInLog,
  expectTask,
  FAILING_JOB_CONF,
  FAILING_JOB_ERROR,
  linesWith,
  prepareSpark,
  runWatched,
  SPARK_NAMESPACE,
} from './spark.js';

/** The namespace of the platform's Livy (AIRSPARK_E2E_LIVY_NAMESPACE: a second Livy, for development). */
const livyNamespace = () => process.env.AIRSPARK_E2E_LIVY_NAMESPACE || 'livy';

/**
 * livy-pi's logical date, fixed so that livy-failure can rerun that very run (same run id,
 * `manual__<date>`) over the result livy-pi left in S3.
 */
export const LIVY_PI_LOGICAL_DATE = '2026-12-01T00:00:00+00:00';

/** A small sample: the point is the path, not the estimate (two executors, 40 000 points). */
export const LIVY_PI_PARAMS = { partitions: 2, samples_per_partition: 20000 } as const;

/** Where livy_spark_pi keeps its results in the data bucket (RESULT_PREFIX of dags/livy_spark_pi.py). */
const RESULT_PREFIX = 'airspark/livy-spark-pi';

/** The folder of a run's results: the run id made safe as the DAG does (airspark.platform.run_key). */
export function runResultFolder(runId: string): string {
  return `${RESULT_PREFIX}/${runId.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '')}/`;
}

/** The JSON result objects under `prefix` of `bucket`, as keys (versitygw's posix folder holds them as files). */
export async function resultKeys(s3: S3Server, bucket: string, prefix: string): Promise<string[]> {
  const base = path.join(s3.dataDir, bucket);
  const entries = await readdir(path.join(base, prefix), { recursive: true, withFileTypes: true }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    },
  );
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.relative(base, path.join(e.parentPath, e.name)))
    .sort();
}

interface LivyRun {
  readonly airflow: HostAirflow;
  readonly s3: S3Server;
  readonly bucket: string;
  readonly stop: () => void;
}

/** S3 (versitygw, once per e2e run), Livy Available and port-forwarded, Airflow on the host. */
async function livyAirflow(ctx: E2eContext): Promise<LivyRun> {
  const settings = await prepareSpark(ctx);
  const [loaded] = (await loadEnvironments(ctx.root, [ctx.environment])).environments;
  const bucket = loaded?.environment.storage.buckets.data ?? '';
  const s3 = await localS3(ctx, bucket);
  await ctx.kubectl([
    'wait',
    '-n',
    livyNamespace(),
    '--for=condition=Available',
    'deployment/livy',
    `--timeout=${Math.round(ctx.timeoutMs(300) / 1000)}s`,
  ]);
  const tools = await ensureTools({ log: ctx.log });
  const forward = await portForward(tools.kubectl, ctx.kubeconfig, livyNamespace(), 'livy', 8998);
  try {
    const airflow = await startHostAirflow(path.join(ctx.root, 'dags'), {
      ...settings,
      dataBucket: bucket,
      s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey },
      livyUrl: forward.url,
    });
    return { airflow, s3, bucket, stop: forward.stop };
  } catch (err) {
    forward.stop();
    throw err;
  }
}

export const livyPi: Scenario = {
  name: 'livy-pi',
  needs: ['synced-healthy'],
  namespaces: [SPARK_NAMESPACE, 'livy'],
  run: async (ctx) => {
    const { airflow, s3, bucket, stop } = await livyAirflow(ctx);
    try {
      const { outcome, pods } = await runWatched(ctx, airflow, 'livy_spark_pi', LIVY_PI_PARAMS, {
        logicalDate: LIVY_PI_LOGICAL_DATE,
      });
      for (const task of ['stage_job', 'submit_batch', 'verify_result']) expectTask(outcome, task, 'success');
      const missing = missingSparkRoles(pods);
      if (missing) throw new Error(`livy_spark_pi succeeded but ${missing}`);
      const results = await resultKeys(s3, bucket, runResultFolder(outcome.runId));
      const ours = results.find((k) => k.includes('/try-1/'));
      if (!ours)
        throw new Error(
          `verify_result passed, but no result of try 1 is in S3: ${results.join(', ') || 'none'}`,
        );
      return {
        runId: outcome.runId,
        tasks: outcome.tasks,
        // What the job wrote (Livy keeps only the driver log's last lines, after the estimate).
        result: JSON.parse(await readFile(path.join(s3.dataDir, bucket, ours), 'utf8')) as unknown,
        results,
        sparkPods: pods,
      };
    } finally {
      stop();
    }
  },
};

export const livyFailure: Scenario = {
  name: 'livy-failure',
  // Its rerun is of livy-pi's run, over the result that run left.
  needs: ['synced-healthy', 'livy-pi'],
  namespaces: [SPARK_NAMESPACE, 'livy'],
  run: async (ctx) => {
    const { airflow, s3, bucket, stop } = await livyAirflow(ctx);
    try {
      // (a) The job raises (its event-log folder does not exist): Livy ends the batch dead, the
      // task fails, and its log carries the job's error from the driver log Livy kept.
      const failing = await runWatched(ctx, airflow, 'livy_spark_pi', {
        ...LIVY_PI_PARAMS,
        spark_conf: FAILING_JOB_CONF,
      });
      expectTask(failing.outcome, 'submit_batch', 'failed');
      expectTask(failing.outcome, 'verify_result', 'upstream_failed');
      if (!failing.pods.some((p) => p.role === 'driver'))
        throw new Error("submit_batch failed, but no driver pod ran: the failure was not the job's");
      // Livy keeps the driver log's last lines and the operator puts them in the task log.
      expectInLog(
        failing.outcome,
        FAILING_JOB_ERROR,
        "the job's error (its event-log folder does not exist)",
      );

      // (b) The job exits 0 without writing its result: Livy says success, verify_result fails.
      const silent = { ...LIVY_PI_PARAMS, write_result: false };
      const noOutput = await runWatched(ctx, airflow, 'livy_spark_pi', silent);
      expectTask(noOutput.outcome, 'submit_batch', 'success');
      expectTask(noOutput.outcome, 'verify_result', 'failed');
      expectInLog(noOutput.outcome, 'wrote no result under', "verify_result's reason");

      // (c) The same on a rerun of livy-pi's run (same logical date, same run id): that run's
      // result is in S3 at the same attempt folder (a re-created run starts again at try 1), and
      // must not pass for this attempt's.
      const folder = runResultFolder(`manual__${LIVY_PI_LOGICAL_DATE}`);
      const earlier = await resultKeys(s3, bucket, folder);
      if (earlier.length === 0)
        throw new Error(`livy-pi's result is not under ${folder}: the rerun would prove nothing`);
      const rerun = await runWatched(ctx, airflow, 'livy_spark_pi', silent, {
        logicalDate: LIVY_PI_LOGICAL_DATE,
      });
      if (runResultFolder(rerun.outcome.runId) !== folder)
        throw new Error(`the rerun is run ${rerun.outcome.runId}, not livy-pi's (${folder})`);
      expectTask(rerun.outcome, 'submit_batch', 'success');
      expectTask(rerun.outcome, 'verify_result', 'failed');
      expectInLog(rerun.outcome, 'wrote no result under', "verify_result's reason");
      const left = await resultKeys(s3, bucket, folder);
      if (left.length > 0) throw new Error(`the earlier attempt's result is still there: ${left.join(', ')}`);
      return {
        failingJob: {
          runId: failing.outcome.runId,
          tasks: failing.outcome.tasks,
          jobError: linesWith(failing.outcome.log, FAILING_JOB_ERROR, 1),
          sparkPods: failing.pods,
        },
        noOutput: {
          runId: noOutput.outcome.runId,
          tasks: noOutput.outcome.tasks,
          reason: linesWith(noOutput.outcome.log, 'wrote no result under', 1),
          sparkPods: noOutput.pods,
        },
        rerunNoOutput: {
          runId: rerun.outcome.runId,
          tasks: rerun.outcome.tasks,
          earlierResults: earlier,
          reason: linesWith(rerun.outcome.log, 'wrote no result under', 1),
          sparkPods: rerun.pods,
        },
      };
    } finally {
      stop();
    }
  },
};

/** In the order they run, after citibike-month. */
export const livyScenarios: readonly Scenario[] = [livyPi, livyFailure];
