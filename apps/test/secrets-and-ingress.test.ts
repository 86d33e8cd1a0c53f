import { platformNames } from '@airspark/config';
import { describe, expect, it } from 'vitest';
import {
  component,
  ENVIRONMENTS,
  environment,
  find,
  INFRA_STAND_IN,
  type K8sObject,
  mergedValues,
  one,
  renderChart,
  renderComponent,
  type Values,
} from './support/repo.js';

type ExternalSecret = K8sObject & {
  spec: {
    secretStoreRef: { kind: string; name: string };
    target: { name: string; creationPolicy: string; template?: { data: Record<string, string> } };
    data: { secretKey: string; remoteRef: { key: string; property?: string } }[];
  };
};

/** Every Secret (name and key) the Airflow chart is told to read, from its merged values of one environment. */
async function secretsAirflowNames(env: (typeof ENVIRONMENTS)[number]): Promise<Map<string, string>> {
  const values = await mergedValues(await component('airflow'), env);
  const wanted = new Map<string, string>([
    [values.fernetKeySecretName as string, 'fernet-key'],
    [values.apiSecretKeySecretName as string, 'api-secret-key'],
    [values.jwtSecretName as string, 'jwt-secret'],
    [(values.data as Values).metadataSecretName as string, 'connection'],
  ]);
  for (const entry of (values.secret as { secretName: string; secretKey: string }[]) ?? [])
    wanted.set(entry.secretName, entry.secretKey);
  const postgresql = values.postgresql as { enabled: boolean; auth?: { existingSecret?: string } };
  if (postgresql.enabled && postgresql.auth?.existingSecret)
    wanted.set(postgresql.auth.existingSecret, 'postgres-password');
  return wanted;
}

/** The Secrets the rendered ExternalSecrets (airflow-secrets and, with a database on RDS, airflow-metadata-db) make. */
async function secretsMade(env: (typeof ENVIRONMENTS)[number]): Promise<Map<string, string[]>> {
  const made = new Map<string, string[]>();
  const names = platformNames(await environment(env));
  const apps = ['airflow-secrets', ...(names.airflowDatabase.provisioned ? ['airflow-metadata-db'] : [])];
  for (const app of apps) {
    const rendered = await renderComponent(app, env);
    expect(rendered.ok, rendered.stderr).toBe(true);
    for (const es of find(rendered.objects, 'ExternalSecret') as ExternalSecret[]) {
      expect(es.metadata.namespace).toBe('airflow');
      expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'aws-secrets-manager' });
      expect(es.spec.target.name).toBe(es.metadata.name);
      const keys = es.spec.target.template
        ? Object.keys(es.spec.target.template.data)
        : es.spec.data.map((d) => d.secretKey);
      made.set(es.spec.target.name, keys);
    }
  }
  return made;
}

describe('airflow-secrets and airflow-metadata-db: exactly the Secrets the Airflow values name', () => {
  it.each(ENVIRONMENTS)(
    '%s: one ExternalSecret per Secret and key the Airflow chart reads, no other',
    async (env) => {
      const wanted = await secretsAirflowNames(env);
      const made = await secretsMade(env);
      expect([...made.keys()].sort()).toEqual([...wanted.keys()].sort());
      for (const [secret, key] of wanted) expect(made.get(secret), secret).toEqual([key]);
    },
  );

  it.each(ENVIRONMENTS)(
    '%s: reads only secrets under the platform prefix, from a store in the airflow namespace',
    async (env) => {
      const names = platformNames(await environment(env));
      const rendered = await renderComponent('airflow-secrets', env);
      const store = one(rendered.objects, 'SecretStore', 'aws-secrets-manager', 'airflow') as K8sObject & {
        spec: { provider: { aws: Record<string, unknown> } };
      };
      // No credentials in the store: the operator's Pod Identity role, scoped to the prefix, is used.
      expect(store.spec.provider.aws).toEqual({ service: 'SecretsManager', region: 'eu-west-1' });
      for (const es of find(rendered.objects, 'ExternalSecret') as ExternalSecret[])
        for (const d of es.spec.data)
          expect(d.remoteRef.key.startsWith(names.secrets.secretsPrefix)).toBe(true);
    },
  );

  it('builds the RDS connection URL from the RDS-managed secret and the handed-off host, with TLS required', async () => {
    const rendered = await renderComponent('airflow-metadata-db', 'prod');
    expect(rendered.ok, rendered.stderr).toBe(true);
    const es = one(rendered.objects, 'ExternalSecret', 'airflow-metadata-db', 'airflow') as ExternalSecret;
    expect(es.spec.data).toEqual([
      {
        secretKey: 'username',
        remoteRef: { key: INFRA_STAND_IN.airflowDatabaseSecretArn, property: 'username' },
      },
      {
        secretKey: 'password',
        remoteRef: { key: INFRA_STAND_IN.airflowDatabaseSecretArn, property: 'password' },
      },
    ]);
    expect(es.spec.target.template?.data.connection).toBe(
      `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${INFRA_STAND_IN.airflowDatabaseAddress}:5432/airflow?sslmode=require`,
    );
  });

  it('refuses to render the RDS connection without the hand-off', async () => {
    const result = await renderChart({
      chart: 'apps/airflow-metadata-db/chart',
      release: 'airflow-metadata-db',
      namespace: 'airflow',
      values: { secretName: 'airflow-metadata-db' },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('database.host is required (infra.airflowDatabaseAddress)');
  });

  it('makes the in-cluster Postgres secrets only for an in-cluster database', async () => {
    const dev = await renderComponent('airflow-secrets', 'dev');
    const prod = await renderComponent('airflow-secrets', 'prod');
    expect(find(dev.objects, 'ExternalSecret', 'airspark-airflow-postgresql')).toHaveLength(1);
    const connection = one(dev.objects, 'ExternalSecret', 'airflow-metadata-db') as ExternalSecret;
    expect(connection.spec.target.template?.data.connection).toBe(
      'postgresql://postgres:{{ .password | urlquery }}@airflow-postgresql.airflow:5432/postgres?sslmode=disable',
    );
    expect(find(prod.objects, 'ExternalSecret', 'airspark-airflow-postgresql')).toHaveLength(0);
    expect(find(prod.objects, 'ExternalSecret', 'airflow-metadata-db')).toHaveLength(0);
  });
});

type Ingress = K8sObject & {
  metadata: { annotations: Record<string, string> };
  spec: { ingressClassName: string; tls: { hosts: string[] }[]; rules: { host: string }[] };
};

describe('airflow-ingress: the UI behind an internal ALB with TLS', () => {
  it.each(ENVIRONMENTS)(
    '%s: internal, HTTPS only with the ACM certificate of the environment',
    async (env) => {
      const { components, network } = await environment(env);
      const ingress = components.airflow.ingress;
      const rendered = await renderComponent('airflow-ingress', env);
      expect(rendered.ok, rendered.stderr).toBe(true);
      const object = one(rendered.objects, 'Ingress', 'airflow-ui', 'airflow') as Ingress;
      expect(object.spec.ingressClassName).toBe('alb');
      expect(object.metadata.annotations).toMatchObject({
        'alb.ingress.kubernetes.io/scheme': 'internal',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/certificate-arn': ingress?.certificateArn,
      });
      expect(object.spec.rules.map((r) => r.host)).toEqual([ingress?.host]);
      const policy = one(rendered.objects, 'NetworkPolicy', 'airflow-api-server-access') as K8sObject & {
        spec: { ingress: { from: Values[]; ports: Values[] }[] };
      };
      expect(policy.spec.ingress[0]?.from).toEqual([
        { podSelector: { matchLabels: { tier: 'airflow' } } },
        { ipBlock: { cidr: network.vpcCidr } },
      ]);
    },
  );

  it('publishes nothing when the ingress is off, and still lets Airflow reach its API server', async () => {
    const result = await renderChart({
      chart: 'apps/airflow-ingress/chart',
      release: 'airflow-ingress',
      namespace: 'airflow',
      values: { ingress: { enabled: false } },
    });
    expect(result.ok, result.stderr).toBe(true);
    expect(find(result.objects, 'Ingress')).toEqual([]);
    const policy = one(result.objects, 'NetworkPolicy', 'airflow-api-server-access') as K8sObject & {
      spec: { ingress: { from: Values[] }[] };
    };
    expect(policy.spec.ingress[0]?.from).toEqual([{ podSelector: { matchLabels: { tier: 'airflow' } } }]);
  });
});

type Deployment = K8sObject & {
  spec: {
    template: {
      spec: {
        serviceAccountName: string;
        securityContext: Values;
        containers: {
          image: string;
          env: { name: string; value: string }[];
          resources: Values;
          securityContext: Values;
        }[];
      };
    };
  };
};

describe('spark-history-server: one read-only server per team over its event-log folder', () => {
  it.each(ENVIRONMENTS)(
    '%s: runs the job image as uid 185 with the Pod Identity service account',
    async (env) => {
      const data = await environment(env);
      const names = platformNames(data);
      const rendered = await renderComponent('spark-history-server', env);
      expect(rendered.ok, rendered.stderr).toBe(true);
      for (const team of data.spark.teams) {
        const deployment = one(
          rendered.objects,
          'Deployment',
          `spark-history-${team.name}`,
          'spark-history',
        ) as Deployment;
        const pod = deployment.spec.template.spec;
        expect(pod.serviceAccountName).toBe(names.podIdentityBindings.sparkHistoryServer.serviceAccounts[0]);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185 });
        const [container] = pod.containers;
        expect(container?.image).toBe(`${data.spark.jobImage.repository}:${data.spark.jobImage.tag}`);
        expect(container?.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(container?.resources).toHaveProperty('limits.memory');
        const location = names.storage.sparkEventLogs[team.name];
        const opts = container?.env.find((e) => e.name === 'SPARK_HISTORY_OPTS')?.value ?? '';
        expect(opts).toContain(
          `-Dspark.history.fs.logDirectory=s3a://${location?.bucket}/${location?.prefix}`,
        );
        expect(opts).toContain('ContainerCredentialsProvider');
      }
      const policy = one(rendered.objects, 'NetworkPolicy', 'spark-history-server') as K8sObject & {
        spec: { policyTypes: string[]; ingress: { from: Values[] }[] };
      };
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress[0]?.from).toHaveLength(2);
    },
  );

  it('refuses to render without teams or the event-log bucket', async () => {
    const result = await renderChart({
      chart: 'apps/spark-history-server/chart',
      release: 'spark-history-server',
      namespace: 'spark-history',
      values: { image: { repository: 'r', tag: 't' }, eventLogBucket: 'event-logs' },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('teams is required (spark.teams)');
  });
});
