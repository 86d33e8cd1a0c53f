import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allScenarios, selectScenarios } from '../src/index.js';
import { LIVY_PI_LOGICAL_DATE, livyScenarios, resultKeys, runResultFolder } from '../src/scenarios/livy.js';
import { KARPENTER_STAND_IN_LABELS, linesWith, sparkScenarios } from '../src/scenarios/spark.js';
import { hostAirflowEnv, parseRunOutcome, runDagArgs } from '../src/spark/host-airflow.js';
import { localS3Objects } from '../src/spark/local-s3.js';
import { missingSparkRoles, recordSparkPods, sparkPodKeys } from '../src/spark/spark-pods.js';

const pod = (name: string, role: string | undefined, phase: string, node?: string) => ({
  metadata: {
    name,
    namespace: 'spark-team-a',
    labels: (role ? { 'spark-role': role } : {}) as Record<string, string>,
  },
  spec: node ? { nodeName: node } : {},
  status: { phase },
});

describe('the Spark pods a run saw', () => {
  it('keeps every pod once, with each phase it went through, and ignores pods that are not Spark’s', () => {
    let seen = recordSparkPods([], {
      items: [pod('pi-driver', 'driver', 'Pending'), pod('other', undefined, 'Running')],
    });
    seen = recordSparkPods(seen, { items: [pod('pi-driver', 'driver', 'Running', 'airspark-node')] });
    seen = recordSparkPods(seen, {
      items: [pod('pi-driver', 'driver', 'Running'), pod('pi-exec-1', 'executor', 'Running')],
    });
    seen = recordSparkPods(seen, { items: [] });
    expect(seen).toEqual([
      {
        namespace: 'spark-team-a',
        name: 'pi-driver',
        role: 'driver',
        phases: ['Pending', 'Running'],
        node: 'airspark-node',
      },
      { namespace: 'spark-team-a', name: 'pi-exec-1', role: 'executor', phases: ['Running'] },
    ]);
    expect(missingSparkRoles(seen)).toBeUndefined();
  });

  it('leaves out the pods that were there before the run (Livy keeps its finished drivers)', () => {
    const before = {
      items: [pod('old-driver', 'driver', 'Succeeded'), pod('unrelated', undefined, 'Running')],
    };
    const earlier = sparkPodKeys(before);
    expect([...earlier]).toEqual(['spark-team-a/old-driver']);
    const seen = recordSparkPods(
      [],
      { items: [pod('old-driver', 'driver', 'Succeeded'), pod('new-driver', 'driver', 'Running')] },
      earlier,
    );
    expect(seen.map((p) => p.name)).toEqual(['new-driver']);
    expect(missingSparkRoles(seen)).toBe(
      'no executor pod ran; Spark pods seen: new-driver (driver: Running)',
    );
  });

  it('says which role never ran, listing what was seen', () => {
    const seen = recordSparkPods([], {
      items: [pod('pi-driver', 'driver', 'Running'), pod('pi-exec-1', 'executor', 'Pending')],
    });
    expect(missingSparkRoles(seen)).toBe(
      'no executor pod ran; Spark pods seen: pi-driver (driver: Running), pi-exec-1 (executor: Pending)',
    );
    expect(missingSparkRoles([])).toBe('no driver and no executor pod ran; Spark pods seen: none');
  });
});

describe('Airflow on the host', () => {
  it('gets the platform’s Variables and Connections as environment variables', () => {
    const env = hostAirflowEnv('/tmp/home', '/repo/dags', {
      kubeconfig: '/k/config',
      jobImage: 'airspark.local/spark-jobs:1',
      sparkConf: { 'spark.eventLog.enabled': 'false' },
      nodeSelectors: { driver: KARPENTER_STAND_IN_LABELS, executor: KARPENTER_STAND_IN_LABELS },
      eventLogBucket: 'events',
      dataBucket: 'data',
      s3: { endpoint: 'http://192.0.2.2:7070', accessKey: 'ak', secretKey: 'sk' },
      livyUrl: 'http://127.0.0.1:18998',
    });
    expect(JSON.parse(env.AIRFLOW_CONN_KUBERNETES_DEFAULT ?? '')).toEqual({
      conn_type: 'kubernetes',
      extra: { kube_config_path: '/k/config' },
    });
    expect(JSON.parse(env.AIRFLOW_VAR_SPARK_NODE_SELECTORS ?? '')).toEqual({
      driver: { 'airspark.dev/karpenter-stand-in': 'spark' },
      executor: { 'airspark.dev/karpenter-stand-in': 'spark' },
    });
    expect(JSON.parse(env.AIRFLOW_CONN_LIVY_DEFAULT ?? '')).toEqual({
      conn_type: 'livy',
      host: '127.0.0.1',
      port: 18998,
      schema: 'http',
    });
    expect(JSON.parse(env.AIRFLOW_CONN_AWS_DEFAULT ?? '').extra.endpoint_url).toBe('http://192.0.2.2:7070');
    expect(env.AIRFLOW_VAR_AIRSPARK_DATA_BUCKET).toBe('data');
    expect(env.AIRFLOW__CORE__DAGS_FOLDER).toBe('/repo/dags');
  });

  it('reads the run’s outcome from the last line tools/run_dag.py prints', () => {
    const stdout =
      'noise\n{"dag_id": "pyspark_pi", "run_id": "r1", "state": "failed", "tasks": {"estimate_pi": "failed"}}\n';
    expect(parseRunOutcome(stdout, 'the log')).toEqual({
      dagId: 'pyspark_pi',
      runId: 'r1',
      state: 'failed',
      tasks: { estimate_pi: 'failed' },
      log: 'the log',
    });
  });

  it('fails with the log’s tail when the run printed no outcome', () => {
    expect(() => parseRunOutcome('Traceback…', '…ImportError: no module airflow')).toThrow(
      /printed no outcome; its output ends:\n…ImportError: no module airflow/,
    );
  });
});

describe('the Spark scenarios', () => {
  it('run after the platform’s, each needing a synced platform', () => {
    const names = allScenarios.map((s) => s.name);
    const first = names.indexOf(sparkScenarios[0]?.name ?? '');
    expect(names.slice(first, first + sparkScenarios.length)).toEqual(sparkScenarios.map((s) => s.name));
    // Only scenarios of Spark come after them: citibike-month, then Livy's.
    expect(names.slice(first + sparkScenarios.length)).toEqual(['citibike-month', 'livy-pi', 'livy-failure']);
    for (const s of sparkScenarios) expect(s.needs).toEqual(['synced-healthy']);
    expect(selectScenarios(['spark-operator-pi']).map((s) => s.name)).toEqual([
      'bootstrap',
      'synced-healthy',
      'spark-operator-pi',
    ]);
  });

  it('run Livy’s last, livy-failure after the livy-pi run it reruns', () => {
    expect(livyScenarios.map((s) => s.name)).toEqual(['livy-pi', 'livy-failure']);
    expect(allScenarios.slice(-2)).toEqual([...livyScenarios]);
    expect(selectScenarios(['livy-failure']).map((s) => s.name)).toEqual([
      'bootstrap',
      'synced-healthy',
      'livy-pi',
      'livy-failure',
    ]);
  });

  it('quote only the log lines that carry the needle', () => {
    expect(linesWith('a\n  x: boom \nb\nboom again', 'boom')).toEqual(['x: boom', 'boom again']);
  });
});

describe('S3 for the local Spark pods', () => {
  it('is a Service without selector pointing at the host, and a Secret with the run’s keys', () => {
    const [service, slice, secret] = localS3Objects('192.0.2.2', 41234, 'ak', 'sk');
    expect(service?.metadata).toMatchObject({ name: 'local-s3', namespace: 'spark-team-a' });
    expect(service?.spec).toEqual({
      ports: [{ name: 'http', port: 80, targetPort: 41234, protocol: 'TCP' }],
    });
    expect(slice?.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'local-s3' });
    expect(slice?.endpoints).toEqual([{ addresses: ['192.0.2.2'], conditions: { ready: true } }]);
    expect(secret?.stringData).toEqual({
      credentials: '[default]\naws_access_key_id = ak\naws_secret_access_key = sk\n',
    });
  });
});

describe('the Livy scenarios’ runs', () => {
  it('rerun a run by its logical date, which names the run', () => {
    expect(runDagArgs('livy_spark_pi', { conf: { partitions: 2 }, retries: 0 })).toEqual([
      'python',
      '-m',
      'tools.run_dag',
      'livy_spark_pi',
      '--conf',
      '{"partitions":2}',
      '--retries',
      '0',
    ]);
    expect(runDagArgs('livy_spark_pi', { logicalDate: LIVY_PI_LOGICAL_DATE }).slice(-2)).toEqual([
      '--logical-date',
      '2026-12-01T00:00:00+00:00',
    ]);
  });

  it('find a run’s results where the DAG writes them (its run id made safe for s3a)', () => {
    // airspark.platform.run_key: every run of other characters becomes one "_", none at either end.
    expect(runResultFolder(`manual__${LIVY_PI_LOGICAL_DATE}`)).toBe(
      'airspark/livy-spark-pi/manual__2026-12-01T00_00_00_00_00/',
    );
    expect(runResultFolder('manual__2026-12-04T11:20:03.123+00:00')).toBe(
      'airspark/livy-spark-pi/manual__2026-12-04T11_20_03.123_00_00/',
    );
  });

  it('list the JSON results versitygw holds as files, and none for a folder never written', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'livy-results-'));
    try {
      const folder = path.join(dataDir, 'data', 'airspark/livy-spark-pi/run_1/try-1');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'part-00000-x.json'), '{"pi": 3.14}\n');
      await writeFile(path.join(folder, '_SUCCESS'), '');
      const s3 = { dataDir } as Parameters<typeof resultKeys>[0];
      expect(await resultKeys(s3, 'data', 'airspark/livy-spark-pi/run_1/')).toEqual([
        'airspark/livy-spark-pi/run_1/try-1/part-00000-x.json',
      ]);
      expect(await resultKeys(s3, 'data', 'airspark/livy-spark-pi/run_2/')).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
