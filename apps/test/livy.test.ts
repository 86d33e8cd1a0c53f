import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { helm } from './support/helm.js';
import {
  ENVIRONMENTS,
  environment,
  find,
  type K8sObject,
  one,
  type Rendered,
  ROOT,
  readYaml,
  renderChart,
  renderComponent,
} from './support/repo.js';

const CHART = 'apps/livy/chart';
const TEST_VALUES = `${CHART}/ci/test-values.yaml`;

type Container = {
  name: string;
  image: string;
  securityContext: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
};
type PodSpec = {
  securityContext: Record<string, unknown>;
  containers: Container[];
  serviceAccountName: string;
};

function podSpec(deployment: K8sObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

function configData(objects: readonly K8sObject[]): Record<string, string> {
  return (one(objects, 'ConfigMap', 'livy-conf', 'livy') as unknown as { data: Record<string, string> }).data;
}

/** spark-defaults.conf as a map (key, then whitespace, then value). */
function sparkDefaults(objects: readonly K8sObject[]): Map<string, string> {
  const entries = (configData(objects)['spark-defaults.conf'] ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [key = '', ...rest] = line.split(/\s+/);
      return [key, rest.join(' ')] as const;
    });
  return new Map(entries);
}

describe('Livy chart with stand-in environment values', () => {
  let rendered: Rendered;
  beforeAll(async () => {
    rendered = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
    });
  });

  it('passes helm lint', async () => {
    const lint = await helm(['lint', CHART, '--values', TEST_VALUES, '--kube-version', '1.35.0'], ROOT);
    expect(lint.stderr).not.toMatch(/\[ERROR\]/);
    expect(lint.ok).toBe(true);
  });

  it('exposes Livy on a ClusterIP Service on 8998', () => {
    expect(rendered.ok, rendered.stderr).toBe(true);
    const service = one(rendered.objects, 'Service', 'livy', 'livy') as unknown as {
      spec: { type: string; ports: { port: number; targetPort: string }[] };
    };
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 8998, targetPort: 'http' })]);
  });

  it('runs one non-root, read-only pod with probes on /version and resources', () => {
    const deployment = one(rendered.objects, 'Deployment', 'livy', 'livy');
    expect((deployment.spec as { replicas: number }).replicas).toBe(1);
    expect((deployment.spec as { strategy: { type: string } }).strategy.type).toBe('Recreate');
    const pod = podSpec(deployment);
    expect(pod.serviceAccountName).toBe('livy');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 185,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [livy] = pod.containers;
    expect(livy?.image).toBe(
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/airspark/livy:0.9.0-spark3.5.6-r1',
    );
    expect(livy?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    for (const probe of [livy?.readinessProbe, livy?.livenessProbe, livy?.startupProbe]) {
      expect(probe?.httpGet?.path).toBe('/version');
    }
    expect(livy?.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(livy?.resources.limits?.memory).toBeDefined();
  });

  it('gives Livy a mounted, writable log folder: the read-only root cannot hold it, and Livy exits without it', () => {
    const deployment = one(rendered.objects, 'Deployment', 'livy', 'livy');
    const spec = (
      deployment.spec as { template: { spec: { volumes: Array<{ name: string; emptyDir?: object }> } } }
    ).template.spec;
    const livy = (
      podSpec(deployment).containers as Array<
        Container & {
          env: Array<{ name: string; value?: string }>;
          volumeMounts: Array<{ name: string; mountPath: string }>;
        }
      >
    )[0];
    const logDir = livy?.env.find((e) => e.name === 'LIVY_LOG_DIR')?.value;
    const mount = livy?.volumeMounts.find((m) => m.mountPath === logDir);
    expect(mount, `LIVY_LOG_DIR ${logDir} must be a mount point`).toBeDefined();
    expect(spec.volumes.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
  });

  it('keeps the service account token out of the logs (Livy logs it at INFO when it refreshes it)', () => {
    const log4j = configData(rendered.objects)['log4j.properties'] ?? '';
    expect(log4j).toMatch(/^log4j\.logger\.org\.apache\.livy\.utils\.SparkKubernetesApp\$=WARN$/m);
  });

  it('admits only the airflow namespace on the Livy port', () => {
    const policy = one(rendered.objects, 'NetworkPolicy', 'livy', 'livy') as unknown as {
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: unknown[];
      };
    };
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'livy' });
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airflow' } } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
  });

  it('writes a Kubernetes livy.conf in cluster mode with recovery', () => {
    const conf = configData(rendered.objects)['livy.conf'] ?? '';
    expect(conf).toContain('livy.spark.master = k8s://https://kubernetes.default.svc:443');
    expect(conf).toContain('livy.spark.deploy-mode = cluster');
    expect(conf).toContain('livy.server.port = 8998');
    expect(conf).toContain('livy.server.recovery.mode = recovery');
    expect(conf).toContain('livy.server.recovery.state-store = filesystem');
  });

  it('places drivers on on-demand spark-driver nodes and executors on spark-executor nodes', () => {
    const defaults = sparkDefaults(rendered.objects);
    expect(defaults.get('spark.kubernetes.namespace')).toBe('spark-team-a');
    expect(defaults.get('spark.kubernetes.authenticate.driver.serviceAccountName')).toBe('spark');
    expect(defaults.get('spark.kubernetes.driver.node.selector.NodeGroupType')).toBe('spark-driver');
    expect(defaults.get('spark.kubernetes.driver.node.selector.karpenter.sh/capacity-type')).toBe(
      'on-demand',
    );
    expect(defaults.get('spark.kubernetes.driver.annotation.karpenter.sh/do-not-disrupt')).toBe('true');
    expect(defaults.get('spark.kubernetes.executor.node.selector.NodeGroupType')).toBe('spark-executor');
  });

  it('reads S3 through s3a with container (Pod Identity) credentials and logs events to the bucket', () => {
    const defaults = sparkDefaults(rendered.objects);
    expect(defaults.get('spark.hadoop.fs.s3a.aws.credentials.provider')).toBe(
      'com.amazonaws.auth.ContainerCredentialsProvider',
    );
    expect(defaults.get('spark.eventLog.dir')).toBe('s3a://airspark-test-spark-events/team-a/');
    expect(
      defaults.get('spark.kubernetes.driver.volumes.persistentVolumeClaim.shared.options.claimName'),
    ).toBe('spark-shared');
    expect(defaults.get('spark.kubernetes.executor.volumes.persistentVolumeClaim.shared.mount.path')).toBe(
      '/shared',
    );
    // A batch may not pick another identity or another credentials provider.
    const blocked = configData(rendered.objects)['spark-blacklist.conf'] ?? '';
    expect(blocked).toMatch(/^spark\.kubernetes\.authenticate\.driver\.serviceAccountName$/m);
    expect(blocked).toMatch(/^spark\.hadoop\.fs\.s3a\.aws\.credentials\.provider$/m);
  });

  it('gives Livy a Role in every team namespace, and cluster-wide only the list of pods', () => {
    for (const namespace of ['spark-team-a', 'spark-team-b']) {
      const role = one(rendered.objects, 'Role', 'livy-submitter', namespace) as unknown as {
        rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      };
      const pods = role.rules.find((r) => r.resources.includes('pods'));
      expect(pods?.verbs).toEqual(expect.arrayContaining(['create', 'get', 'list', 'watch', 'delete']));
      // Each state refresh lists the batch's ingresses (Livy 0.9.0); it never creates one here.
      const ingresses = role.rules.find((r) => r.resources.includes('ingresses'));
      expect(ingresses).toEqual({
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses'],
        verbs: ['list'],
      });
      expect(role.rules.flatMap((r) => r.verbs)).not.toContain('*');
      const binding = one(rendered.objects, 'RoleBinding', 'livy-submitter', namespace) as unknown as {
        subjects: unknown[];
      };
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'livy', namespace: 'livy' }]);
    }
    // Livy finds a batch's driver by listing pods in every namespace (ADR 0058): list, nothing more.
    const clusterRoles = find(rendered.objects, 'ClusterRole') as unknown as {
      metadata: { name: string };
      rules: unknown[];
    }[];
    expect(clusterRoles.map((r) => [r.metadata.name, r.rules])).toEqual([
      ['livy-find-driver-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]],
    ]);
    const clusterBinding = one(
      rendered.objects,
      'ClusterRoleBinding',
      'livy-find-driver-pods',
    ) as unknown as {
      roleRef: unknown;
      subjects: unknown[];
    };
    expect(clusterBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'livy-find-driver-pods',
    });
    expect(clusterBinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'livy', namespace: 'livy' }]);
  });
});

describe('Livy values schema and guards', () => {
  it('fails on a typo, naming the key', async () => {
    const result = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
      values: { server: { heapp: '1g' } },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/\/server.*additional properties 'heapp' not allowed/);
  });

  it('fails on a typo in clusters/staging/values/livy.yaml', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'livy-staging-'));
    try {
      const staging = parse(await readFile(path.join(ROOT, 'clusters/staging/values/livy.yaml'), 'utf8'));
      const broken = path.join(work, 'livy.yaml');
      await writeFile(broken, stringify({ ...staging, resouces: staging.resources }));
      const result = await helm(
        ['template', 'livy', CHART, '--namespace', 'livy', '--values', TEST_VALUES, '--values', broken],
        ROOT,
      );
      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/additional properties 'resouces' not allowed/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('refuses to render without a pinned image', async () => {
    const result = await renderChart({ chart: CHART, release: 'livy', namespace: 'livy' });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/\/image\/repository/);
  });

  it('refuses the latest tag and an IRSA annotation', async () => {
    const latest = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
      values: { image: { tag: 'latest' } },
    });
    expect(latest.ok).toBe(false);
    expect(latest.stderr).toMatch(/\/image\/tag/);
    const irsa = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
      values: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } } },
    });
    expect(irsa.ok).toBe(false);
    expect(irsa.stderr).toMatch(/\/serviceAccount\/annotations/);
  });

  it('refuses a default namespace it has no Role in', async () => {
    const result = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
      values: { spark: { namespace: 'spark-team-z' } },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('spark.namespace "spark-team-z" must be one of spark.namespaces');
  });

  it('refuses to override the fixed Kubernetes master through extraConf', async () => {
    const result = await renderChart({
      chart: CHART,
      release: 'livy',
      namespace: 'livy',
      valueFiles: [TEST_VALUES],
      values: { server: { extraConf: { 'livy.spark.master': 'local' } } },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/\/server\/extraConf/);
  });
});

describe.each(ENVIRONMENTS)('Livy in %s', (env) => {
  it('renders from the environment: image, team namespaces, event log bucket', async () => {
    const environmentData = await environment(env);
    const rendered = await renderComponent('livy', env);
    expect(rendered.ok, rendered.stderr).toBe(true);
    const image = `${environmentData.components.livy.image.repository}:${environmentData.components.livy.image.tag}`;
    expect(podSpec(one(rendered.objects, 'Deployment', 'livy', 'livy')).containers[0]?.image).toBe(image);
    const defaults = sparkDefaults(rendered.objects);
    expect(defaults.get('spark.kubernetes.namespace')).toBe(environmentData.spark.teams[0]?.namespace);
    // The default team's folder, where its Spark History Server reads (as the operator's apps write).
    expect(defaults.get('spark.eventLog.dir')).toBe(
      `s3a://${environmentData.storage.buckets.sparkEventLogs}/${environmentData.spark.teams[0]?.name}/`,
    );
    expect(defaults.get('spark.hadoop.fs.s3a.endpoint.region')).toBe(environmentData.aws.region);
    for (const team of environmentData.spark.teams) {
      expect(find(rendered.objects, 'Role', 'livy-submitter', team.namespace)).toHaveLength(1);
    }
  });

  it('is the chart version the environment pins', async () => {
    const environmentData = await environment(env);
    const chart = await readYaml<{ version: string; appVersion: string }>(`${CHART}/Chart.yaml`);
    expect(chart.version).toBe(environmentData.components.livy.chartVersion);
    expect(chart.appVersion).toBe('0.9.0-incubating');
  });
});
