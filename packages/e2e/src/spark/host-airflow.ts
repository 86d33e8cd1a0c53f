// Airflow on the host, in the DAG bundle's uv environment, driving the cluster through its
// kubeconfig: the official Airflow chart cannot be obtained here, so Airflow is not in the cluster.
// Each DAG run is `python -m tools.run_dag` (dag.test() with the DAG's own, unmodified operators).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '@airspark/tools';

/** What the platform gives the DAGs on this cluster (dags/README.md, "What the platform must provide"). */
export interface HostAirflowSettings {
  readonly kubeconfig: string;
  readonly jobImage: string;
  /** JSON-able Spark properties merged into every SparkApplication (Variable spark_conf). */
  readonly sparkConf: Readonly<Record<string, string>>;
  /** The Spark pods' nodeSelectors (Variable spark_node_selectors, ADR 0057). */
  readonly nodeSelectors: {
    readonly driver: Readonly<Record<string, string>>;
    readonly executor: Readonly<Record<string, string>>;
  };
  readonly eventLogBucket: string;
  readonly dataBucket?: string;
  /** S3 for the tasks on the host (aws_default): endpoint and keys of a server that is not AWS. */
  readonly s3?: { readonly endpoint: string; readonly accessKey: string; readonly secretKey: string };
  /** Livy's URL as the host reaches it. */
  readonly livyUrl?: string;
  readonly extraVariables?: Readonly<Record<string, string>>;
}

/** The environment variables that carry the settings to Airflow (AIRFLOW_CONN_*, AIRFLOW_VAR_*). */
export function hostAirflowEnv(
  airflowHome: string,
  bundle: string,
  s: HostAirflowSettings,
): Record<string, string> {
  const env: Record<string, string> = {
    AIRFLOW_HOME: airflowHome,
    AIRFLOW__CORE__DAGS_FOLDER: bundle,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW_CONN_KUBERNETES_DEFAULT: JSON.stringify({
      conn_type: 'kubernetes',
      extra: { kube_config_path: s.kubeconfig },
    }),
    AIRFLOW_VAR_SPARK_JOB_IMAGE: s.jobImage,
    AIRFLOW_VAR_SPARK_EVENT_LOG_BUCKET: s.eventLogBucket,
    AIRFLOW_VAR_SPARK_CONF: JSON.stringify(s.sparkConf),
    AIRFLOW_VAR_SPARK_NODE_SELECTORS: JSON.stringify(s.nodeSelectors),
  };
  if (s.dataBucket) env.AIRFLOW_VAR_AIRSPARK_DATA_BUCKET = s.dataBucket;
  if (s.s3)
    env.AIRFLOW_CONN_AWS_DEFAULT = JSON.stringify({
      conn_type: 'aws',
      login: s.s3.accessKey,
      password: s.s3.secretKey,
      extra: { endpoint_url: s.s3.endpoint, region_name: 'us-east-1' },
    });
  if (s.livyUrl) {
    const url = new URL(s.livyUrl);
    env.AIRFLOW_CONN_LIVY_DEFAULT = JSON.stringify({
      conn_type: 'livy',
      host: url.hostname,
      port: Number(url.port),
      schema: url.protocol.replace(':', ''),
    });
  }
  for (const [name, value] of Object.entries(s.extraVariables ?? {}))
    env[`AIRFLOW_VAR_${name.toUpperCase()}`] = value;
  return env;
}

export interface DagRunOutcome {
  readonly dagId: string;
  readonly runId: string;
  /** The DAG run's state: success or failed. */
  readonly state: string;
  /** Each task's (or mapped task's, `task[i]`) final state. */
  readonly tasks: Readonly<Record<string, string>>;
  /** Everything the run printed: the task logs, the driver's log the operator follows. */
  readonly log: string;
}

/** The outcome line tools/run_dag.py prints last on stdout. */
export function parseRunOutcome(stdout: string, log: string): DagRunOutcome {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"dag_id"'));
  if (!line) throw new Error(`tools/run_dag.py printed no outcome; its output ends:\n${log.slice(-3000)}`);
  const o = JSON.parse(line) as {
    dag_id: string;
    run_id: string;
    state: string;
    tasks: Record<string, string>;
  };
  return { dagId: o.dag_id, runId: o.run_id, state: o.state, tasks: o.tasks, log };
}

export interface RunDagOptions {
  readonly conf?: Record<string, unknown>;
  readonly retries?: number;
  readonly timeoutMs?: number;
  /**
   * ISO date-time with offset: the run's logical date (and run_after), so the same date names the
   * same run (`manual__<date>`) and a second call re-creates it, as a rerun does.
   */
  readonly logicalDate?: string;
}

/** tools/run_dag.py's arguments for one run (pure). */
export function runDagArgs(dagId: string, options: RunDagOptions = {}): string[] {
  const args = ['python', '-m', 'tools.run_dag', dagId, '--conf', JSON.stringify(options.conf ?? {})];
  if (options.retries !== undefined) args.push('--retries', String(options.retries));
  if (options.logicalDate !== undefined) args.push('--logical-date', options.logicalDate);
  return args;
}

export interface HostAirflow {
  readonly env: Record<string, string>;
  runDag(dagId: string, options?: RunDagOptions): Promise<DagRunOutcome>;
}

/** A fresh AIRFLOW_HOME with its SQLite metadata database migrated, for the DAGs of `bundle`. */
export async function startHostAirflow(bundle: string, settings: HostAirflowSettings): Promise<HostAirflow> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'airspark-e2e-airflow-'));
  // The connection names the kubeconfig; the provider refuses KUBECONFIG besides it ("Options
  // kube_config_path, kube_config, in_cluster, and config_dict are mutually exclusive").
  const { KUBECONFIG: _ignored, ...inherited } = process.env;
  const env = { ...inherited, ...hostAirflowEnv(home, bundle, settings) } as Record<string, string>;
  const uv = (args: readonly string[], timeoutMs?: number) =>
    run('uv', ['run', '--frozen', ...args], { cwd: bundle, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const migrated = await uv(['airflow', 'db', 'migrate']);
  if (migrated.code !== 0)
    throw new Error(
      `airflow db migrate failed in ${bundle}:\n${(migrated.stderr || migrated.stdout).slice(-2000)}`,
    );
  return {
    env,
    async runDag(dagId, options = {}) {
      const r = await uv(runDagArgs(dagId, options), options.timeoutMs);
      const log = `${r.stderr}\n${r.stdout}`;
      if (r.code !== 0) throw new Error(`tools/run_dag.py ${dagId} exited ${r.code}:\n${log.slice(-3000)}`);
      return parseRunOutcome(r.stdout, log);
    },
  };
}
