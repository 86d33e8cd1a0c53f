import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this package lives in: fixtures start from its real environment files. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface FixtureRepo {
  root: string;
  write(file: string, text: string): Promise<void>;
  read(file: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A temporary airspark repository with the real clusters/<env>/environment.yaml files. */
export async function fixtureRepo(envs: readonly string[] = ['dev', 'staging']): Promise<FixtureRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'airspark-render-'));
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  await write('pnpm-workspace.yaml', 'packages: []\n');
  for (const env of envs) {
    await mkdir(path.join(root, 'clusters', env), { recursive: true });
    await cp(
      path.join(REPO, 'clusters', env, 'environment.yaml'),
      path.join(root, 'clusters', env, 'environment.yaml'),
    );
  }
  return {
    root,
    write,
    read: (file) => readFile(path.join(root, file), 'utf8'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A small chart of our own, like apps/livy: Deployment, Service, NetworkPolicy, a values schema. */
export async function writeLocalChart(repo: FixtureRepo): Promise<void> {
  await repo.write(
    'apps/livy/component.yaml',
    `name: livy
enabledBy: components.livy.enabled
namespace: livy
extraNamespaces:
  - spark.teams[*].namespace
syncWave: 20
syncOptions: [CreateNamespace=true]
clusterResources: [rbac.authorization.k8s.io/ClusterRole]
source:
  type: helm-local
  path: apps/livy/chart
values:
  files: [apps/livy/values.yaml]
  environmentFile: clusters/{env}/values/livy.yaml
  schema: apps/livy/chart/values.schema.json
  fromEnvironment:
    image.repository: components.livy.image.repository
    image.tag: components.livy.image.tag
    sparkNamespace: spark.teams[0].namespace
    clusterName: names.clusterName
`,
  );
  await repo.write(
    'apps/livy/chart/Chart.yaml',
    'apiVersion: v2\nname: livy\nversion: 0.1.0\nappVersion: 0.9.0\n',
  );
  await repo.write(
    'apps/livy/chart/values.yaml',
    'replicas: 1\nport: 8998\nimage:\n  repository: example/livy\n  tag: dev\nsparkNamespace: default\nclusterName: ""\n',
  );
  await repo.write(
    'apps/livy/chart/values.schema.json',
    JSON.stringify(
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        required: ['replicas', 'port', 'image'],
        properties: {
          replicas: { type: 'integer', minimum: 1 },
          port: { type: 'integer' },
          image: {
            type: 'object',
            additionalProperties: false,
            properties: { repository: { type: 'string' }, tag: { type: 'string' } },
          },
          sparkNamespace: { type: 'string' },
          clusterName: { type: 'string' },
        },
      },
      null,
      2,
    ),
  );
  await repo.write(
    'apps/livy/chart/templates/deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: livy
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app.kubernetes.io/name: livy }
  template:
    metadata:
      labels: { app.kubernetes.io/name: livy }
    spec:
      containers:
        - name: livy
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - { name: SPARK_NAMESPACE, value: {{ .Values.sparkNamespace | quote }} }
            - { name: CLUSTER, value: {{ .Values.clusterName | quote }} }
            - { name: KUBE_VERSION, value: "{{ .Capabilities.KubeVersion.Version }}" }
`,
  );
  await repo.write(
    'apps/livy/chart/templates/service.yaml',
    `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: { app.kubernetes.io/name: livy }
  ports:
    - { name: http, port: {{ .Values.port }} }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}-from-airflow
  namespace: {{ .Release.Namespace }}
spec:
  podSelector: {}
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: airflow } } }]
{{- if .Capabilities.APIVersions.Has "karpenter.sh/v1/NodePool" }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: karpenter-aware
{{- end }}
`,
  );
  await repo.write('apps/livy/values.yaml', 'replicas: 2\n');
}

/** A kustomize component (like the Karpenter NodePools) and a plain directory component. */
export async function writeKustomizeAndDirectory(repo: FixtureRepo): Promise<void> {
  await repo.write(
    'apps/pools/component.yaml',
    'name: pools\nnamespace: karpenter\nsyncWave: 30\nclusterResources: [karpenter.sh/NodePool]\nsource:\n  type: kustomize\n  path: apps/pools/base\n',
  );
  await repo.write(
    'apps/pools/base/kustomization.yaml',
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [nodepools.yaml, config.yaml]\ncommonLabels:\n  airspark.dev/part-of: pools\n',
  );
  await repo.write(
    'apps/pools/base/nodepools.yaml',
    `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: spark-driver
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements: []
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: spark-executor
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements: []
`,
  );
  await repo.write(
    'apps/pools/base/config.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pools\ndata: { a: "1" }\n',
  );
  await repo.write(
    'apps/teams/component.yaml',
    'name: teams\nnamespace: spark-team-a\nsyncWave: 0\nclusterResources: [/Namespace]\nsource:\n  type: directory\n  path: apps/teams/manifests\n',
  );
  await repo.write(
    'apps/teams/manifests/namespace.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: spark-team-a\n',
  );
  await repo.write(
    'apps/teams/manifests/rbac/role.yaml',
    '# the team role\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: spark\nrules: []\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spark\n  namespace: spark-team-a\n',
  );
  await repo.write('apps/teams/manifests/README.md', 'not a manifest\n');
  await repo.write('apps/teams/manifests/notes.yaml', 'just: some\nother: yaml\n');
  await repo.write(
    'apps/teams/manifests/skipped.yaml',
    '# +argocd:skip-file-rendering\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skipped\n',
  );
}
