import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createAjv } from '@airspark/config';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  component,
  ENVIRONMENTS,
  environment,
  mergedValues,
  mergeValues,
  ROOT,
  readYaml,
  type Values,
} from './support/repo.js';

/**
 * The upstream charts cannot be pulled here, so their values are checked the way the renderer does
 * before it renders: the merged values (files, per-environment file, valuesObject) against the
 * strict schema of the keys we set. Each schema rule also gets a case that makes it fire.
 */
const UPSTREAM = [
  'airflow',
  'karpenter',
  'spark-operator',
  'argocd',
  'external-secrets',
  'aws-load-balancer-controller',
] as const;

const validators = new Map<string, ValidateFunction>();

async function validator(name: string): Promise<ValidateFunction> {
  const cached = validators.get(name);
  if (cached) return cached;
  const comp = await component(name);
  const schemaFile = comp.values?.schema;
  if (!schemaFile) throw new Error(`${name} declares no values schema`);
  const schema = JSON.parse(await readFile(path.join(ROOT, schemaFile), 'utf8')) as object;
  const validate = createAjv().compile(schema);
  validators.set(name, validate);
  return validate;
}

function errorsOf(validate: ValidateFunction, values: Values): string[] {
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe.each(UPSTREAM)('%s values', (name) => {
  it.each(ENVIRONMENTS)('are valid in %s', async (env) => {
    const validate = await validator(name);
    expect(errorsOf(validate, await mergedValues(await component(name), env))).toEqual([]);
  });

  it('reject a typo', async () => {
    const validate = await validator(name);
    const values = mergeValues(await mergedValues(await component(name), 'staging'), { replicaz: 2 });
    expect(errorsOf(validate, values)).toContainEqual(' must NOT have additional properties');
  });
});

describe('airflow values: the platform rules', () => {
  let validate: ValidateFunction;
  let dev: Values;
  beforeAll(async () => {
    validate = await validator('airflow');
    dev = await mergedValues(await component('airflow'), 'dev');
  });

  const broken = (patch: Values) => errorsOf(validate, mergeValues(dev, patch));

  it('never creates a default user', () => {
    expect(broken({ createUserJob: { enabled: true } })).toContainEqual(
      '/createUserJob/enabled must be equal to constant',
    );
  });

  it('runs migrate and create-user jobs without Helm hooks and without the custom env', () => {
    expect(broken({ migrateDatabaseJob: { useHelmHooks: true } })).toContainEqual(
      '/migrateDatabaseJob/useHelmHooks must be equal to constant',
    );
    expect(broken({ createUserJob: { applyCustomEnv: true } })).toContainEqual(
      '/createUserJob/applyCustomEnv must be equal to constant',
    );
  });

  it('takes database credentials by reference only', () => {
    expect(broken({ data: { metadataConnection: { user: 'postgres', pass: 'postgres' } } })).toContainEqual(
      '/data must NOT have additional properties',
    );
    expect(broken({ postgresql: { auth: { postgresPassword: 'postgres' } } })).toContainEqual(
      '/postgresql/auth must NOT have additional properties',
    );
    const noSecret = structuredClone(dev) as { postgresql: Values };
    delete noSecret.postgresql.auth;
    expect(errorsOf(validate, noSecret)).toContainEqual("/postgresql must have required property 'auth'");
  });

  it('keeps credentials out of connection environment variables', () => {
    const env = [
      ...((dev.env as Values[]) ?? []),
      { name: 'AIRFLOW_CONN_X', value: 'postgresql://u:p@host/db' },
    ];
    expect(broken({ env })).toContainEqual('/env/3/value must NOT be valid');
    const named = [...((dev.env as Values[]) ?? []), { name: 'DB_PASSWORD', value: 'x' }];
    expect(broken({ env: named })).toContainEqual('/env/3/name must NOT be valid');
  });

  it('uses the KubernetesExecutor and Airflow 3', () => {
    expect(broken({ executor: 'CeleryExecutor' })).toContainEqual('/executor must be equal to constant');
    expect(broken({ airflowVersion: '2.11.0' })).toContainEqual(
      '/airflowVersion must match pattern "^3\\.[0-9]+\\.[0-9]+$"',
    );
  });

  it('refuses IRSA annotations on service accounts', () => {
    expect(
      broken({
        scheduler: {
          serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
        },
      }),
    ).toContainEqual('/scheduler/serviceAccount/annotations must NOT be valid');
  });
});

describe.each(ENVIRONMENTS)('airflow in %s', (env) => {
  it('uses the in-chart Postgres exactly where the environment says in-cluster', async () => {
    const { components } = await environment(env);
    const values = await mergedValues(await component('airflow'), env);
    const postgresql = values.postgresql as { enabled: boolean };
    expect(postgresql.enabled).toBe(components.airflow.database.type === 'in-cluster');
    expect((values.data as Values).metadataSecretName).toBe(components.airflow.database.secretName);
  });

  it('runs the platform image built on the pinned Airflow version', async () => {
    const { components } = await environment(env);
    const values = await mergedValues(await component('airflow'), env);
    expect(values.airflowVersion).toBe(components.airflow.imageTag);
    expect(values.images).toMatchObject({ airflow: components.airflow.image });
    expect(components.airflow.image.tag.startsWith(`${components.airflow.imageTag}-`)).toBe(true);
  });

  it('tracks dags/ of this repository at the pinned revision through the Git DAG bundle', async () => {
    const { dags, storage, spark } = await environment(env);
    const values = await mergedValues(await component('airflow'), env);
    const config = values.config as Record<string, Values>;
    expect(config.airspark).toEqual({
      dags_revision: dags.revision,
      logs_bucket: storage.buckets.logs,
      data_bucket: storage.buckets.data,
      spark_job_image_repository: spark.jobImage.repository,
      spark_job_image_tag: spark.jobImage.tag,
      spark_event_log_bucket: storage.buckets.sparkEventLogs,
    });
    // The Variables the DAGs read (dags/README.md), templated from those facts by the chart.
    expect(values.extraEnv).toContain('name: AIRFLOW_VAR_SPARK_JOB_IMAGE');
    expect(values.extraEnv).toContain(
      '"{{ .Values.config.airspark.spark_job_image_repository }}:{{ .Values.config.airspark.spark_job_image_tag }}"',
    );
    expect(values.extraEnv).toContain('name: AIRFLOW_VAR_AIRSPARK_DATA_BUCKET');
    expect(values.extraEnv).toContain('name: AIRFLOW_VAR_SPARK_EVENT_LOG_BUCKET');
    expect(values.extraEnv).toContain('"{{ .Values.config.airspark.spark_event_log_bucket }}"');
    // What the chart's tpl turns the entry into, with the environment's values substituted.
    const bundles = JSON.parse(
      String(config.dag_processor?.dag_bundle_config_list)
        .replace('{{ .Values.config.airspark.dags_revision }}', dags.revision)
        .replace(
          '{{ .Values.config.dag_processor.refresh_interval | int }}',
          String(dags.refreshIntervalSeconds),
        ),
    );
    expect(bundles).toEqual([
      {
        name: 'airspark',
        classpath: 'airflow.providers.git.bundles.git.GitDagBundle',
        kwargs: {
          git_conn_id: 'airspark_dags',
          tracking_ref: dags.revision,
          subdir: 'dags',
          refresh_interval: dags.refreshIntervalSeconds,
        },
      },
    ]);
    expect(config.logging?.remote_base_log_folder).toBe(
      's3://{{ .Values.config.airspark.logs_bucket }}/airflow-logs',
    );
  });
});

describe('connections and identities line up across components', () => {
  it('every Airflow component gets kubernetes_default in-cluster, livy_default and aws_default without keys', async () => {
    const values = await readYaml('apps/airflow/values.yaml');
    const env = Object.fromEntries(
      (values.env as { name: string; value: string }[]).map((e) => [e.name, JSON.parse(e.value)]),
    );
    expect(env.AIRFLOW_CONN_KUBERNETES_DEFAULT).toEqual({
      conn_type: 'kubernetes',
      extra: { in_cluster: true },
    });
    expect(env.AIRFLOW_CONN_LIVY_DEFAULT).toMatchObject({ host: 'livy.livy.svc.cluster.local', port: 8998 });
    expect(env.AIRFLOW_CONN_AWS_DEFAULT).toEqual({ conn_type: 'aws' });
  });

  it("Airflow's task pods are the submitters the team namespaces grant SparkApplications to", async () => {
    const airflow = await readYaml<{ workers: { kubernetes: { serviceAccount: { name: string } } } }>(
      'apps/airflow/values.yaml',
    );
    const teams = await readYaml<{
      submitters: { name: string; namespace: string; serviceAccount: string }[];
    }>('apps/spark-teams/chart/values.yaml');
    const airflowComponent = await component('airflow');
    expect(teams.submitters).toContainEqual({
      name: 'airflow',
      namespace: airflowComponent.namespace,
      serviceAccount: airflow.workers.kubernetes.serviceAccount.name,
    });
  });

  it('Livy admits the namespace Airflow runs in', async () => {
    const livy = await readYaml<{ networkPolicy: { allowedNamespaces: string[] } }>(
      'apps/livy/chart/values.yaml',
    );
    expect(livy.networkPolicy.allowedNamespaces).toEqual([(await component('airflow')).namespace]);
  });

  it('the Spark Operator creates no second driver ServiceAccount next to the teams one', async () => {
    const values = await readYaml<{ spark: { serviceAccount: { create: boolean; name: string } } }>(
      'apps/spark-operator/values.yaml',
    );
    const teams = await readYaml<{ driverServiceAccount: string }>('apps/spark-teams/chart/values.yaml');
    expect(values.spark.serviceAccount).toEqual({ create: false, name: teams.driverServiceAccount });
  });
});

describe('argocd values: the platform rules', () => {
  it('refuse the local admin, insecure mode and missing NetworkPolicies', async () => {
    const validate = await validator('argocd');
    const prod = await mergedValues(await component('argocd'), 'prod');
    const broken = (patch: Values) => errorsOf(validate, mergeValues(prod, patch));
    expect(broken({ configs: { cm: { 'admin.enabled': true } } })).toContainEqual(
      '/configs/cm/admin.enabled must be equal to constant',
    );
    expect(broken({ configs: { params: { 'server.insecure': true } } })).toContainEqual(
      '/configs/params/server.insecure must be equal to constant',
    );
    expect(broken({ global: { networkPolicy: { create: false } } })).toContainEqual(
      '/global/networkPolicy/create must be equal to constant',
    );
    expect(
      broken({ configs: { cm: { 'oidc.config': 'name: SSO\nclientSecret: hunter2\n' } } }),
    ).toContainEqual('/configs/cm/oidc.config must NOT be valid');
    expect(
      broken({ configs: { cm: { 'oidc.config': 'name: SSO\nclientSecret: $oidc.clientSecret\n' } } }),
    ).toEqual([]);
  });
});

describe('spark-operator and karpenter values: the platform rules', () => {
  it('keep the webhook on and the job namespaces explicit', async () => {
    const validate = await validator('spark-operator');
    const dev = await mergedValues(await component('spark-operator'), 'dev');
    expect(errorsOf(validate, mergeValues(dev, { webhook: { enable: false } }))).toContainEqual(
      '/webhook/enable must be equal to constant',
    );
    expect(errorsOf(validate, mergeValues(dev, { spark: { jobNamespaces: [''] } }))).toContainEqual(
      '/spark/jobNamespaces/0 must match pattern "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"',
    );
  });

  it('give Karpenter the platform names and the Pod Identity service account', async () => {
    const validate = await validator('karpenter');
    const prod = await mergedValues(await component('karpenter'), 'prod');
    expect(prod.settings).toMatchObject({
      clusterName: 'airspark-prod',
      interruptionQueue: 'airspark-prod-karpenter',
    });
    expect(
      errorsOf(validate, mergeValues(prod, { serviceAccount: { name: 'karpenter-irsa' } })),
    ).toContainEqual('/serviceAccount/name must be equal to constant');
  });
});

describe('external-secrets values: the platform rules', () => {
  let validate: ValidateFunction;
  let prod: Values;
  beforeAll(async () => {
    validate = await validator('external-secrets');
    prod = await mergedValues(await component('external-secrets'), 'prod');
  });
  const broken = (patch: Values) => errorsOf(validate, mergeValues(prod, patch));

  it('uses the service account infra binds through Pod Identity, never an IRSA annotation', () => {
    expect(broken({ serviceAccount: { name: 'eso' } })).toContainEqual(
      '/serviceAccount/name must be equal to constant',
    );
    expect(
      broken({ serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } } }),
    ).toContainEqual('/serviceAccount/annotations must NOT be valid');
  });

  it('keeps every NetworkPolicy on, with egress rules, and never pushes secrets to AWS', () => {
    expect(broken({ webhook: { networkPolicy: { enabled: false } } })).toContainEqual(
      '/webhook/networkPolicy/enabled must be equal to constant',
    );
    expect(broken({ networkPolicy: { egress: [] } })).toContainEqual(
      '/networkPolicy/egress must NOT have fewer than 1 items',
    );
    expect(broken({ processPushSecret: true })).toContainEqual(
      '/processPushSecret must be equal to constant',
    );
  });

  it('runs on the system node group', async () => {
    const values = await mergedValues(await component('external-secrets'), 'staging');
    expect(values.global).toEqual({ nodeSelector: { 'eks.amazonaws.com/nodegroup': 'system' } });
  });
});

describe('aws-load-balancer-controller values: no public endpoint', () => {
  let validate: ValidateFunction;
  let prod: Values;
  beforeAll(async () => {
    validate = await validator('aws-load-balancer-controller');
    prod = await mergedValues(await component('aws-load-balancer-controller'), 'prod');
  });
  const broken = (patch: Values) => errorsOf(validate, mergeValues(prod, patch));

  it('pins every ALB of class alb to internal, by IngressClassParams and by default', () => {
    expect(prod.ingressClassParams).toEqual({
      create: true,
      spec: { scheme: 'internal', ipAddressType: 'ipv4' },
    });
    expect(broken({ ingressClassParams: { spec: { scheme: 'internet-facing' } } })).toContainEqual(
      '/ingressClassParams/spec/scheme must be equal to constant',
    );
    expect(broken({ defaultLoadBalancerScheme: 'internet-facing' })).toContainEqual(
      '/defaultLoadBalancerScheme must be equal to constant',
    );
  });

  it('asks for no add-on the IAM policy does not grant (WAF, Shield)', () => {
    expect(broken({ enableWafv2: true })).toContainEqual('/enableWafv2 must be equal to constant');
    expect(broken({ enableShield: true })).toContainEqual('/enableShield must be equal to constant');
  });

  it('finds the VPC by the Name tag infra gives it (the cluster name) and runs on the system node group', () => {
    expect(prod.vpcTags).toEqual({ Name: 'airspark-prod' });
    expect(prod.clusterName).toBe('airspark-prod');
    expect(prod.nodeSelector).toEqual({ 'eks.amazonaws.com/nodegroup': 'system' });
  });
});
