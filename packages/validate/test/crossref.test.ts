import { describe, expect, it } from 'vitest';
import { globMatch, permitted } from '../src/crossref/argocd.js';
import {
  constraintOf,
  incompatibility,
  intersect,
  requirementsOf,
} from '../src/crossref/node-requirements.js';
import { maskJinja } from '../src/spark/jinja.js';
import { parseSparkDefaults, selectorsFromSparkConf } from '../src/spark/spark-pods.js';
import { environment, external, files, replaceOnce } from './fixtures/platform.js';
import { lineOf, objectsFromYaml, only, ruleIds, validate } from './helpers.js';

const run = (edit: Parameters<typeof environment>[0], extra = {}) =>
  validate(environment(edit), { externalResources: external, ...extra });

describe('Karpenter requirement algebra', () => {
  it('intersects In, NotIn, Exists and bounds like Karpenter', () => {
    const a = constraintOf({ key: 'k', operator: 'In', values: ['a', 'b'] });
    const b = constraintOf({ key: 'k', operator: 'NotIn', values: ['a'] });
    expect([...intersect(a, b).values]).toEqual(['b']);
    const gt = constraintOf({ key: 'gen', operator: 'Gt', values: ['4'] });
    expect([
      ...intersect(gt, constraintOf({ key: 'gen', operator: 'In', values: ['3', '6'] })).values,
    ]).toEqual(['6']);
  });
  it('accepts well-known labels a pool does not name, refuses custom ones', () => {
    const pool = requirementsOf([{ key: 'NodeGroupType', operator: 'In', values: ['x'] }]);
    expect(
      incompatibility(
        requirementsOf([{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }]),
        pool,
      ),
    ).toBeUndefined();
    expect(incompatibility(requirementsOf([{ key: 'team', operator: 'In', values: ['a'] }]), pool)).toMatch(
      /neither labels nor requires team/,
    );
    expect(
      incompatibility(requirementsOf([{ key: 'team', operator: 'DoesNotExist' }]), pool),
    ).toBeUndefined();
  });
});

describe('xref/spark-placement and the Spark capacity policies', () => {
  it('fires when a required affinity term matches no pool, and passes when another term does', () => {
    const affinity = (values: string) =>
      run({
        sparkJob: (t) =>
          replaceOnce(
            t,
            '    nodeSelector:\n      NodeGroupType: spark-driver\n      karpenter.sh/capacity-type: on-demand\n',
            `    affinity:\n      nodeAffinity:\n        requiredDuringSchedulingIgnoredDuringExecution:\n          nodeSelectorTerms:\n${values}`,
          ),
      });
    const term = (group: string) =>
      `            - matchExpressions:\n                - {key: NodeGroupType, operator: In, values: [${group}]}\n                - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n`;
    expect(ruleIds(affinity(term('gpu')))).toEqual(['xref/spark-placement']);
    expect(affinity(term('gpu') + term('spark-driver'))).toEqual([]);
  });

  it('fires when the only matching pool has a taint the pod does not tolerate', () => {
    const findings = run({
      karpenter: (t) =>
        replaceOnce(
          t,
          '        name: spark\n      requirements:\n        - key: karpenter.sh/capacity-type\n          operator: In\n          values: ["spot", "on-demand"]',
          '        name: spark\n      taints:\n        - {key: dedicated, value: gpu, effect: NoSchedule}\n      requirements:\n        - key: karpenter.sh/capacity-type\n          operator: In\n          values: ["spot", "on-demand"]',
        ),
    });
    expect(
      only(findings, 'xref/spark-placement')
        .map((f) => f.resource)
        .sort(),
    ).toEqual(['ConfigMap/livy/livy-spark-defaults', 'SparkApplication/spark-team-a/pi']);
    expect(findings[0]?.message).toMatch(/taint dedicated=gpu:NoSchedule is not tolerated/);
  });

  it('policy/spark-driver-on-demand fires when the driver may land on spot', () => {
    const findings = run({
      sparkJob: (t) =>
        replaceOnce(
          t,
          'NodeGroupType: spark-driver\n      karpenter.sh/capacity-type: on-demand',
          'NodeGroupType: spark-executor',
        ),
    });
    expect(ruleIds(findings)).toEqual(['policy/spark-driver-on-demand']);
    expect(findings[0]?.line).toBe(lineOf(files.sparkJob.text, 'NodeGroupType: spark-driver'));
  });

  it('policy/spark-executor-spot warns when executors can only use on-demand', () => {
    const findings = run({
      sparkJob: (t) =>
        replaceOnce(t, 'karpenter.sh/capacity-type: spot', 'karpenter.sh/capacity-type: on-demand'),
    });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['policy/spark-executor-spot', 'warning']]);
  });

  it("reads Livy's spark-defaults.conf selectors", () => {
    expect(parseSparkDefaults('a.b  c\nd=e\n# comment\nf: g h\n')).toEqual({ 'a.b': 'c', d: 'e', f: 'g h' });
    const selectors = selectorsFromSparkConf({
      'spark.kubernetes.node.selector.zone': 'a',
      'spark.kubernetes.driver.node.selector.zone': 'b',
      'spark.kubernetes.executor.node.selector.pool': 'x',
    });
    expect(selectors).toEqual({ driver: { zone: 'b' }, executor: { zone: 'a', pool: 'x' } });
    const findings = run({
      livy: (t) =>
        replaceOnce(
          t,
          'driver.node.selector.NodeGroupType spark-driver',
          'driver.node.selector.NodeGroupType spark-drvier',
        ),
    });
    expect(ruleIds(findings)).toEqual(['xref/spark-placement']);
    expect(findings[0]).toMatchObject({
      file: files.livy.file,
      resource: 'ConfigMap/livy/livy-spark-defaults',
    });
  });

  it('checks DAG templates (with Jinja) in every environment and points at the template', () => {
    const template = objectsFromYaml(
      'dags/spark_apps/citibike.yaml',
      maskJinja(`apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: citibike
spec:
  type: Python
  mode: cluster
  image: "{{ params.image }}"
  mainApplicationFile: local:///opt/jobs/citibike.py
  sparkVersion: 4.0.4
  driver:
    cores: 1
    memory: 1g
    nodeSelector:
      NodeGroupType: spark-driver
      karpenter.sh/capacity-type: spot
    securityContext: { runAsNonRoot: true }
  executor:
    instances: {{ params.executors }}
    nodeSelector:
      NodeGroupType: spark-executor
    securityContext: { runAsNonRoot: true }
`),
      { app: 'dags' },
    );
    const findings = run({}, { sparkTemplates: template });
    expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['xref/spark-placement', 'dags/spark_apps/citibike.yaml', 15],
    ]);
  });
});

describe('references: ServiceAccounts, Secrets, ConfigMaps, PVCs, namespaces', () => {
  it('fire for each kind of missing reference', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(
          replaceOnce(
            t,
            'name: livy-spark-defaults\n        - name: tmp',
            'name: livy-defaults\n        - name: tmp',
          ),
          '        - name: tmp\n          emptyDir: {}',
          '        - name: tmp\n          emptyDir: {}\n        - name: creds\n          secret: {secretName: livy-creds}\n        - name: data\n          persistentVolumeClaim: {claimName: livy-data}\n        - name: opt\n          secret: {secretName: maybe, optional: true}',
        ),
      teams: (t) => replaceOnce(t, 'namespace: spark-team-a', 'namespace: spark-team-b'),
    });
    expect(ruleIds(findings)).toEqual([
      'xref/config-map',
      'xref/namespace',
      'xref/pvc',
      'xref/secret',
      'xref/service-account',
    ]);
  });

  it("check the shared-volume claim in Livy's spark-defaults.conf against the claims rendered", () => {
    const defaults = (claim: string) =>
      run({
        livy: (t) =>
          replaceOnce(
            t,
            '    spark.kubernetes.executor.node.selector.NodeGroupType spark-executor\n',
            `    spark.kubernetes.executor.node.selector.NodeGroupType spark-executor\n    spark.kubernetes.driver.volumes.persistentVolumeClaim.shared.options.claimName ${claim}\n`,
          ),
        teams: (t) =>
          `${t}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: spark-shared\n  namespace: spark-team-a\nspec:\n  accessModes: [ReadWriteMany]\n  storageClassName: efs-sc\n  resources:\n    requests:\n      storage: 5Gi\n`,
      });
    expect(defaults('spark-shared')).toEqual([]);
    const wrong = defaults('spark-shraed');
    expect(wrong.map((f) => `${f.rule} ${f.file}`)).toEqual(['xref/pvc apps/livy/templates/livy.yaml']);
    expect(wrong[0]?.message).toContain('"spark-shraed" in namespace spark-team-a');
    // While the storage component is skipped (no infrastructure outputs yet), claims are not judged.
    expect(
      validate(
        environment({
          livy: (t) =>
            replaceOnce(
              t,
              '    spark.kubernetes.executor.node.selector.NodeGroupType spark-executor\n',
              '    spark.kubernetes.executor.node.selector.NodeGroupType spark-executor\n    spark.kubernetes.driver.volumes.persistentVolumeClaim.shared.options.claimName x\n',
            ),
        }),
        { externalResources: external, unjudgedKinds: ['PersistentVolumeClaim'] },
      ),
    ).toEqual([]);
  });

  it('accept what the allow-list names, and warn about allow-list entries nobody uses', () => {
    const extra = [
      {
        kind: 'Secret',
        namespace: 'livy',
        name: 'livy-creds',
        reason: 'created by cdktf from Secrets Manager',
        file: 'clusters/dev/external-resources.yaml',
        line: 7,
        column: 5,
      },
      {
        kind: 'Secret',
        namespace: 'livy',
        name: 'stale',
        reason: 'nobody uses this one any more',
        file: 'clusters/dev/external-resources.yaml',
        line: 11,
        column: 5,
      },
    ] as const;
    const findings = run(
      {
        livy: (t) =>
          replaceOnce(
            t,
            '        - name: tmp\n          emptyDir: {}',
            '        - name: tmp\n          emptyDir: {}\n        - name: creds\n          secret: {secretName: livy-creds}',
          ),
      },
      { externalResources: [...external, ...extra] },
    );
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['xref/external-unused', 11]]);
  });

  it('know what controllers create: ExternalSecret targets and StatefulSet claims', () => {
    const consumer = objectsFromYaml(
      'apps/x/consumer.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: consumer, namespace: default}
spec:
  containers: [{name: c, image: busybox:1.37}]
  volumes:
    - {name: creds, secret: {secretName: db-credentials}}
    - {name: data, persistentVolumeClaim: {claimName: data-web-0}}
`,
    );
    const creators = objectsFromYaml(
      'apps/x/creators.yaml',
      `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db, namespace: default}
spec: {target: {name: db-credentials}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: default}
spec:
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: busybox:1.37}]}
  volumeClaimTemplates: [{metadata: {name: data}}]
`,
    );
    const xref = (objects: ReturnType<typeof objectsFromYaml>) =>
      ruleIds(validate(objects).filter((f) => f.rule.startsWith('xref/')));
    expect(xref(consumer)).toEqual(['xref/pvc', 'xref/secret']);
    expect(xref([...consumer, ...creators])).toEqual([]);
  });
});

describe('Argo CD: AppProjects, sync waves, ownership', () => {
  it('globs follow Argo CD (a star crosses slashes, ! excludes)', () => {
    expect(globMatch('https://github.com/airspark/*', 'https://github.com/airspark/a/b.git')).toBe(true);
    expect(permitted(['*', '!https://evil.example/*'], 'https://evil.example/x')).toBe(false);
    expect(globMatch('spark-{a,b}', 'spark-b')).toBe(true);
  });

  it('xref/app-project fires for a foreign repo, a forbidden destination, a cluster kind not whitelisted and an unknown project', () => {
    const findings = run({
      root: (t) =>
        replaceOnce(
          replaceOnce(
            replaceOnce(t, '      namespace: "*"', '      namespace: "spark-*"'),
            '    path: apps/livy\n',
            '    path: apps/livy\n',
          ).replace('    - group: karpenter.k8s.aws\n      kind: EC2NodeClass\n', ''),
          'repoURL: https://github.com/airspark/airspark.git\n    targetRevision: main\n    path: apps/spark-jobs',
          'repoURL: https://github.com/someone/else.git\n    targetRevision: main\n    path: apps/spark-jobs',
        ),
    });
    const messages = only(findings, 'xref/app-project').map((f) => f.message);
    expect(messages.some((m) => m.includes('someone/else.git'))).toBe(true);
    expect(messages.some((m) => m.includes('EC2NodeClass'))).toBe(true);
    expect(messages.some((m) => m.includes('namespace "livy"'))).toBe(true);
    const unknown = run({
      root: (t) =>
        replaceOnce(
          t,
          '  project: platform\n  source:\n    repoURL: https://github.com/airspark/airspark.git\n    targetRevision: main\n    path: apps/livy',
          '  project: data\n  source:\n    repoURL: https://github.com/airspark/airspark.git\n    targetRevision: main\n    path: apps/livy',
        ),
    });
    expect(only(unknown, 'xref/app-project')[0]?.message).toContain('AppProject "data"');
  });

  it('xref/sync-wave fires when a Namespace syncs no earlier than what lives in it', () => {
    const findings = run({
      root: (t) => replaceOnce(t, 'argocd.argoproj.io/sync-wave: "3"', 'argocd.argoproj.io/sync-wave: "1"'),
    });
    expect(ruleIds(findings)).toEqual(['xref/sync-wave']);
    expect(findings[0]?.resource).toBe('SparkApplication/spark-team-a/pi');
  });

  it('xref/duplicate-object fires for an object two Applications render', () => {
    const findings = run({
      livy: (t) =>
        `${t}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spark\n  namespace: spark-team-a\n`,
    });
    expect(ruleIds(findings)).toEqual(['xref/duplicate-object']);
    expect(findings[0]?.message).toContain('both Application spark-operator');
  });
});

describe('objects without a namespace', () => {
  it('are checked in their Application destination namespace, as Argo CD applies them', () => {
    const withoutNamespace = (ns: string) =>
      run({
        livy: (t) =>
          replaceOnce(
            t,
            'kind: ServiceAccount\nmetadata:\n  name: livy\n  namespace: livy\n',
            'kind: ServiceAccount\nmetadata:\n  name: livy\n',
          ),
        root: (t) =>
          ns === 'livy'
            ? t
            : replaceOnce(
                t,
                '    path: apps/livy\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: livy',
                `    path: apps/livy\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${ns}`,
              ),
      });
    expect(withoutNamespace('livy')).toEqual([]);
    // Sent to another namespace, the ServiceAccount is not where the Deployment looks for it.
    expect(ruleIds(withoutNamespace('spark-team-a'))).toEqual(['xref/service-account']);
  });
});

describe('sync waves within one Application', () => {
  const crdAndWidget = (widgetWave: string) =>
    objectsFromYaml(
      'apps/widgets/all.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, annotations: {argocd.argoproj.io/sync-wave: "${widgetWave}"}}
`,
      { app: 'widgets' },
    );
  it('accept a custom resource in the same wave as its CRD (Argo CD orders them by kind)', () => {
    expect(validate(crdAndWidget('0'))).toEqual([]);
  });
  it('reject a custom resource in an earlier wave than its CRD', () => {
    const findings = validate(crdAndWidget('-1'));
    expect(ruleIds(findings)).toEqual(['xref/sync-wave']);
    expect(findings[0]?.message).toContain('no earlier than its CRD');
  });
});

describe('Applications the renderer could not render', () => {
  it('leave references into their destination namespace unjudged', () => {
    const edit = {
      livy: (t: string) =>
        replaceOnce(
          t,
          'name: livy-spark-defaults\n        - name: tmp',
          'name: from-another-chart\n        - name: tmp',
        ),
    };
    expect(ruleIds(run(edit))).toEqual(['xref/config-map']);
    expect(run(edit, { incompleteApps: ['livy'] })).toEqual([]);
  });
});

describe('clusters/<env>/external-resources.yaml', () => {
  it('loads entries with their lines, reports a malformed file, and treats a missing one as empty', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadExternalResources } = await import('../src/crossref/external-resources.js');
    const root = await mkdtemp(path.join(os.tmpdir(), 'airspark-external-'));
    await mkdir(path.join(root, 'clusters/dev'), { recursive: true });
    expect(await loadExternalResources(root, 'dev')).toEqual({ resources: [], findings: [] });
    await writeFile(
      path.join(root, 'clusters/dev/external-resources.yaml'),
      '# made by cdktf\nresources:\n  - kind: Secret\n    namespace: airflow\n    name: airflow-fernet-key\n    reason: created by the infra stack from Secrets Manager\n',
    );
    const loaded = await loadExternalResources(root, 'dev');
    expect(loaded.findings).toEqual([]);
    expect(loaded.resources).toMatchObject([
      { kind: 'Secret', name: 'airflow-fernet-key', file: 'clusters/dev/external-resources.yaml', line: 3 },
    ]);
    await writeFile(
      path.join(root, 'clusters/dev/external-resources.yaml'),
      'resources:\n  - kind: Secret\n    name: x\n',
    );
    const broken = await loadExternalResources(root, 'dev');
    expect(broken.findings).toMatchObject([{ rule: 'xref/external-resources', line: 2, env: 'dev' }]);
    expect(broken.findings[0]?.message).toContain('reason');
  });
});

describe('xref/pod-placement: every pod, on a node that exists when its Application syncs', () => {
  const system = (labels: Record<string, string>) => ({
    name: 'system',
    instanceTypes: ['m7i.large'],
    zones: ['eu-west-1a'],
    labels,
  });
  const livySelecting = (selector: string) => (t: string) =>
    replaceOnce(
      t,
      '      serviceAccountName: livy\n',
      `      serviceAccountName: livy\n      nodeSelector:\n${selector}`,
    );
  const place = (
    edit: Parameters<typeof environment>[0],
    labels: Record<string, string> = { 'airspark.dev/node-group': 'system' },
  ) => validate(environment(edit), { externalResources: external, systemNodeGroup: system(labels) });

  it('fires for a Livy pod whose selector matches no node, at the nodeSelector line', () => {
    const findings = place({ livy: livySelecting('        NodeGroupType: general\n') });
    expect(findings.map((f) => `${f.rule} ${f.resource}`)).toEqual([
      'xref/pod-placement Deployment/livy/livy',
    ]);
    expect(findings[0]?.line).toBe(
      lineOf(livySelecting('        NodeGroupType: general\n')(files.livy.text), 'NodeGroupType: general'),
    );
    expect(findings[0]?.message).toContain('system node group system: needs NodeGroupType in {general}');
  });

  it('passes when the system node group carries the label, or a NodePool of an earlier wave matches (legitimate)', () => {
    expect(
      place({ livy: livySelecting('        NodeGroupType: general\n') }, { NodeGroupType: 'general' }),
    ).toEqual([]);
    expect(
      place({
        livy: livySelecting(
          '        NodeGroupType: spark-driver\n        karpenter.sh/capacity-type: on-demand\n',
        ),
      }),
    ).toEqual([]);
    expect(place({ livy: livySelecting('        kubernetes.io/arch: amd64\n') })).toEqual([]);
  });

  it('fires when the only matching NodePool syncs after the pod (bootstrap order)', () => {
    const findings = place({
      livy: livySelecting(
        '        NodeGroupType: spark-driver\n        karpenter.sh/capacity-type: on-demand\n',
      ),
      root: (t) => replaceOnce(t, 'argocd.argoproj.io/sync-wave: "0"', 'argocd.argoproj.io/sync-wave: "5"'),
    });
    expect(only(findings, 'xref/pod-placement')[0]?.message).toContain(
      'NodePool spark-driver has no nodes yet when livy syncs (wave 2): karpenter syncs in wave 5',
    );
  });
});
