// citibike-month: the citibike_ridership DAG, unmodified, processes one small generated month on the
// cluster: its archive from an HTTP server on this machine (in place of Citibike's public bucket),
// CSV staged to S3 by the host's task, CSV to Parquet and the Spark SQL reports as SparkApplications
// of the platform's Spark Operator in spark-team-a, reading and writing versitygw through the
// Service local-s3. The report rows the job wrote must be exactly those worked out here.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { loadEnvironments } from '@airspark/config';
import { run } from '@airspark/tools';
import type { Scenario } from '../scenario.js';
import {
  archiveName,
  archiveParts,
  expectedReports,
  generateTrips,
  REPORT_NAMES,
  type ReportRows,
  reportDifference,
  reportFromCsv,
  type Trip,
  zipArchive,
} from '../spark/citibike-data.js';
import { startHostAirflow } from '../spark/host-airflow.js';
import { localS3, localS3SparkConf } from '../spark/local-s3.js';
import type { SparkPodSeen } from '../spark/spark-pods.js';
import { expectTask, noApplicationsLeft, prepareSpark, runWatched, SPARK_NAMESPACE } from './spark.js';

export const CITIBIKE_YEAR = 2024;
export const CITIBIKE_MONTH = 5;
export const CITIBIKE_TRIPS = 320;

/**
 * The citibike templates ask for 3 executors (their count, cores and memory are the spec's, which the
 * Spark Operator passes after spark_conf): on the 2-CPU node a quarter core each would leave one
 * Pending behind Argo CD, so these ask for less; memory overhead is bounded likewise.
 */
export const CITIBIKE_LOCAL_CONF: Readonly<Record<string, string>> = {
  'spark.kubernetes.executor.request.cores': '150m',
  'spark.executor.memoryOverhead': '384m',
  'spark.driver.memoryOverhead': '384m',
};

/** The SparkApplications of one month, by the template names the operator's names start with. */
export const CITIBIKE_APPLICATIONS = ['citibike-csv-to-parquet', 'citibike-reports'] as const;

/** The DAG's tasks for one month (the mapped group `month`, index 0), all of which must succeed. */
export const CITIBIKE_TASKS = [
  'plan_months',
  'month.wait_for_archive[0]',
  'month.stage_csv[0]',
  'month.csv_to_parquet[0]',
  'month.monthly_reports[0]',
  'month.verify_reports[0]',
] as const;

/** Why the pods seen do not show each application's driver and an executor running (pure). */
export function missingApplicationPods(seen: readonly SparkPodSeen[]): string | undefined {
  const ran = (p: SparkPodSeen) => p.phases.some((ph) => ph === 'Running' || ph === 'Succeeded');
  const problems: string[] = [];
  for (const app of CITIBIKE_APPLICATIONS) {
    // The operator names the application <template>-<suffix>; Spark its pods <application>-…
    const mine = seen.filter((p) => p.name.startsWith(`${app}-`));
    for (const role of ['driver', 'executor'])
      if (!mine.some((p) => p.role === role && ran(p))) problems.push(`no ${role} of ${app} ran`);
  }
  if (problems.length === 0) return undefined;
  const list = seen.map((p) => `${p.name} (${p.role}: ${p.phases.join('→')})`).join(', ') || 'none';
  return `${problems.join('; ')}; Spark pods seen: ${list}`;
}

/** Serves the archive as Citibike's bucket does (GET and HEAD; 404 for anything else). */
export async function serveArchive(name: string, body: Buffer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const wanted = req.url === `/${name}` && (req.method === 'GET' || req.method === 'HEAD');
    res.writeHead(wanted ? 200 : 404, {
      'content-type': wanted ? 'application/zip' : 'text/plain',
      'content-length': wanted ? body.length : 0,
    });
    res.end(wanted && req.method === 'GET' ? body : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Every file under `dir` (relative paths), none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The report's one CSV file under the month's folder of its prefix (coalesce(1) in the job). */
export async function readReport(monthDir: string, report: string): Promise<ReportRows> {
  const csv = (await filesUnder(monthDir)).filter((f) => f.endsWith('.csv'));
  if (csv.length !== 1)
    throw new Error(
      `report ${report}: expected one CSV file in ${monthDir}, found ${csv.length ? csv.join(', ') : 'none'}`,
    );
  return reportFromCsv(await readFile(path.join(monthDir, csv[0] as string), 'utf8'));
}

/** What the Parquet partition holds, as the DAG bundle's pyspark reads it on the host (local[1]). */
export interface ParquetSummary {
  readonly rows: number;
  readonly rideIds: readonly string[];
  readonly types: Readonly<Record<string, string>>;
}

/** Why the Parquet partition does not hold exactly the month's trips, typed (pure). */
export function parquetDifference(trips: readonly Trip[], parquet: ParquetSummary): string | undefined {
  const problems: string[] = [];
  if (parquet.rows !== trips.length) problems.push(`${parquet.rows} rows, expected ${trips.length}`);
  const want = trips.map((t) => t.ride_id).sort();
  const got = [...parquet.rideIds].sort();
  const missing = want.filter((id) => !got.includes(id));
  const extra = got.filter((id) => !want.includes(id));
  if (missing.length) problems.push(`missing rides ${missing.slice(0, 5).join(', ')}`);
  if (extra.length) problems.push(`rides not in the CSV ${extra.slice(0, 5).join(', ')}`);
  for (const column of ['started_at', 'ended_at'])
    if (!parquet.types[column]?.startsWith('timestamp'))
      problems.push(`${column} is ${parquet.types[column] ?? 'missing'}, expected a timestamp`);
  for (const column of ['start_lat', 'start_lng', 'end_lat', 'end_lng'])
    if (parquet.types[column] !== 'double')
      problems.push(`${column} is ${parquet.types[column] ?? 'missing'}, expected double`);
  return problems.length ? `Parquet partition: ${problems.join('; ')}` : undefined;
}

const READ_PARQUET = `
import json, sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
frame = spark.read.parquet(sys.argv[1])
print(json.dumps({"rows": frame.count(), "rideIds": [r.ride_id for r in frame.select("ride_id").collect()],
                  "types": {f.name: f.dataType.simpleString() for f in frame.schema.fields}}))
spark.stop()
`;

export async function readParquet(root: string, dir: string): Promise<ParquetSummary> {
  const bundle = path.join(root, 'dags');
  const r = await run('uv', ['run', '--frozen', 'python', '-c', READ_PARQUET, dir], { cwd: bundle });
  if (r.code !== 0) throw new Error(`reading the Parquet partition ${dir} failed:\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as ParquetSummary;
}

export const citibikeMonth: Scenario = {
  name: 'citibike-month',
  needs: ['synced-healthy'],
  namespaces: [SPARK_NAMESPACE],
  run: async (ctx) => {
    const settings = await prepareSpark(ctx);
    const [loaded] = (await loadEnvironments(ctx.root, [ctx.environment])).environments;
    const bucket = loaded?.environment.storage.buckets.data ?? '';
    const s3 = await localS3(ctx, bucket);

    const trips = generateTrips(CITIBIKE_YEAR, CITIBIKE_MONTH, CITIBIKE_TRIPS);
    const parts = archiveParts(CITIBIKE_YEAR, CITIBIKE_MONTH, trips);
    const zip = zipArchive(parts.map((p) => ({ name: p.name, data: Buffer.from(p.csv, 'utf8') })));
    const archive = await serveArchive(archiveName(CITIBIKE_YEAR, CITIBIKE_MONTH), zip);
    ctx.log(
      `  archive: ${archive.url}/${archiveName(CITIBIKE_YEAR, CITIBIKE_MONTH)} (${trips.length} trips)`,
    );
    try {
      const airflow = await startHostAirflow(path.join(ctx.root, 'dags'), {
        ...settings,
        sparkConf: { ...settings.sparkConf, ...localS3SparkConf(), ...CITIBIKE_LOCAL_CONF },
        dataBucket: bucket,
        s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey },
        extraVariables: { citibike_source_url: archive.url },
      });
      const month = `${CITIBIKE_YEAR}-${String(CITIBIKE_MONTH).padStart(2, '0')}`;
      const { outcome, pods } = await runWatched(ctx, airflow, 'citibike_ridership', { month });
      for (const task of CITIBIKE_TASKS) expectTask(outcome, task, 'success');
      const missing = missingApplicationPods(pods);
      if (missing) throw new Error(`citibike_ridership succeeded but ${missing}`);

      const objects = path.join(s3.dataDir, bucket, 'citibike');
      const partition = `year=${CITIBIKE_YEAR}/month=${CITIBIKE_MONTH}`;
      const parquet = await readParquet(ctx.root, path.join(objects, 'parquet', partition));
      const parquetProblem = parquetDifference(trips, parquet);
      if (parquetProblem) throw new Error(parquetProblem);
      const expected = expectedReports(trips);
      const reports: Record<string, ReportRows> = {};
      for (const name of REPORT_NAMES) {
        reports[name] = await readReport(path.join(objects, 'results', name, partition), name);
        const difference = reportDifference(name, expected[name], reports[name]);
        if (difference) throw new Error(difference);
      }
      await noApplicationsLeft(ctx);
      return {
        runId: outcome.runId,
        tasks: outcome.tasks,
        month,
        trips: trips.length,
        parquetRows: parquet.rows,
        reports,
        sparkPods: pods,
      };
    } finally {
      archive.server.close();
    }
  },
};

/** In the order they run, after the Spark Operator scenarios. */
export const citibikeScenarios: readonly Scenario[] = [citibikeMonth];
