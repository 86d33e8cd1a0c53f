import { describe, expect, it } from 'vitest';
import { parseImage, unpinnedReason } from '../src/policies/images.js';
import { parseSuppressions } from '../src/suppress.js';
import { environment, external, files, replaceOnce } from './fixtures/platform.js';
import { lineOf, objectsFromYaml, only, ruleIds, validate } from './helpers.js';

const run = (edit: Parameters<typeof environment>[0]) =>
  validate(environment(edit), { externalResources: external });
const livy = (from: string, to: string) => run({ livy: (t) => replaceOnce(t, from, to) });

describe('policy/pinned-image', () => {
  it('parses references with registry ports, tags and digests', () => {
    expect(parseImage('registry:5000/team/app:1.2@sha256:abc')).toEqual({
      repository: 'registry:5000/team/app',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(parseImage('registry:5000/team/app')).toEqual({ repository: 'registry:5000/team/app' });
    expect(unpinnedReason('apache/spark:4.0.4')).toBeUndefined();
    expect(unpinnedReason('apache/spark@sha256:0123')).toBeUndefined();
    expect(unpinnedReason('apache/spark')).toMatch(/no tag/);
    expect(unpinnedReason('apache/spark:latest')).toMatch(/latest/);
  });
  it('fires for an untagged image and for SparkApplication images', () => {
    expect(ruleIds(livy('livy:0.9.0-spark3.5.6-r1', 'livy'))).toEqual(['policy/pinned-image']);
    const spark = run({
      sparkJob: (t) => replaceOnce(t, 'image: apache/spark:4.0.4', 'image: apache/spark:latest'),
    });
    expect(only(spark, 'policy/pinned-image')).toHaveLength(1);
  });
});

describe('container policies', () => {
  it('policy/resources fires when requests or the memory limit are missing', () => {
    const findings = livy('            limits:\n              memory: 2Gi\n', '');
    expect(ruleIds(findings)).toEqual(['policy/resources']);
    expect(findings[0]?.message).toContain('limits.memory');
  });
  it('policy/run-as-non-root fires without runAsNonRoot or a non-root user, and for user 0', () => {
    expect(ruleIds(livy('        runAsNonRoot: true\n        runAsUser: 185\n', ''))).toEqual([
      'policy/run-as-non-root',
    ]);
    expect(ruleIds(livy('runAsUser: 185', 'runAsUser: 0'))).toEqual(['policy/run-as-non-root']);
    // A non-zero user alone passes.
    expect(livy('        runAsNonRoot: true\n', '')).toEqual([]);
  });
  it('policy/privileged fires for privileged containers', () => {
    expect(
      ruleIds(
        livy(
          'allowPrivilegeEscalation: false',
          'allowPrivilegeEscalation: false\n            privileged: true',
        ),
      ),
    ).toEqual(['policy/privileged']);
  });
  it('policy/privilege-escalation fires unless allowPrivilegeEscalation is false', () => {
    expect(ruleIds(livy('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'))).toEqual([
      'policy/privilege-escalation',
    ]);
  });
  it('policy/read-only-root-fs fires for a writable root filesystem', () => {
    const findings = livy('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    expect(ruleIds(findings)).toEqual(['policy/read-only-root-fs']);
    expect(findings[0]?.line).toBe(lineOf(files.livy.text, 'allowPrivilegeEscalation: false'));
  });
  it('policy/host-namespaces and policy/host-path fire', () => {
    const findings = livy(
      '      serviceAccountName: livy\n',
      '      serviceAccountName: livy\n      hostNetwork: true\n      hostPID: true\n',
    );
    expect(only(findings, 'policy/host-namespaces')).toHaveLength(2);
    const hostPath = livy('          emptyDir: {}', '          hostPath:\n            path: /var/run');
    expect(ruleIds(hostPath)).toEqual(['policy/host-path']);
  });
});

describe('policy/plaintext-secret', () => {
  const secret = (body: string) =>
    run({
      livy: (t) => `${t}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: livy\n${body}`,
    });
  it('fires for data and for stringData', () => {
    expect(only(secret('stringData:\n  token: abc\n'), 'policy/plaintext-secret')).toHaveLength(1);
  });
  it('passes a Secret without data (e.g. one a controller fills)', () => {
    expect(secret('type: Opaque\n')).toEqual([]);
  });
});

describe('suppressions (airspark.dev/suppress)', () => {
  const annotate = (value: string) =>
    run({
      livy: (t) =>
        replaceOnce(
          replaceOnce(t, 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'),
          '  name: livy\n  namespace: livy\nspec:',
          `  name: livy\n  namespace: livy\n  annotations:\n    airspark.dev/suppress: |\n${value
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}\nspec:`,
        ),
    });

  it('suppresses a policy on the object when a reason is given', () => {
    expect(
      annotate('policy/read-only-root-fs: Livy unpacks session jars into its working directory'),
    ).toEqual([]);
  });
  it('rejects a suppression without a reason, and keeps the finding', () => {
    const findings = annotate('policy/read-only-root-fs: ok');
    expect(ruleIds(findings)).toEqual(['policy/read-only-root-fs', 'suppress/invalid']);
  });
  it('rejects unknown and unsuppressible rules, and reports unused ones', () => {
    const findings = annotate(
      'policy/read-only-root-fs: Livy unpacks session jars into its working directory\npolicy/nope: whatever the reason is\nxref/secret: the secret is made by hand\npolicy/privileged: nothing is privileged here at all',
    );
    expect(only(findings, 'suppress/invalid')).toHaveLength(2);
    expect(only(findings, 'suppress/unused')).toHaveLength(1);
    expect(only(findings, 'policy/read-only-root-fs')).toHaveLength(0);
  });
  it('parses one rule per line', () => {
    expect(parseSuppressions('policy/host-path: the node exporter reads /proc\n\n').suppressions).toEqual([
      { rule: 'policy/host-path', reason: 'the node exporter reads /proc' },
    ]);
    expect(parseSuppressions('read-only please').problems[0]).toMatch(/not of the form/);
  });
});

describe('privilege: wildcard roles, Spark pod security, added capabilities, Livy NetworkPolicy', () => {
  const rbac = (roleRef: string, rules = '') =>
    objectsFromYaml(
      'apps/livy/templates/rbac.yaml',
      `${rules}apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: livy-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  ${roleRef}
subjects:
  - kind: ServiceAccount
    name: livy
    namespace: livy
`,
      { app: 'livy' },
    );
  const withRbac = (extra: ReturnType<typeof rbac>) =>
    validate([...environment(), ...extra], { externalResources: external });

  it('policy/wildcard-role fires for cluster-admin and for a role with a wildcard, at the roleRef', () => {
    const admin = only(withRbac(rbac('kind: ClusterRole\n  name: cluster-admin')), 'policy/wildcard-role');
    expect(admin).toEqual([
      expect.objectContaining({
        file: 'apps/livy/templates/rbac.yaml',
        line: 8,
        message: expect.stringContaining('cluster-admin'),
      }),
    ]);
    const wildcard = rbac(
      'kind: ClusterRole\n  name: everything',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\nrules:\n  - apiGroups: [""]\n    resources: ["*"]\n    verbs: [get]\n---\n',
    );
    expect(only(withRbac(wildcard), 'policy/wildcard-role')[0]?.message).toContain('resources: ["*"]');
  });
  it('policy/wildcard-role does not fire for a role that lists what it grants (legitimate)', () => {
    const narrow = rbac(
      'kind: ClusterRole\n  name: reader',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get, list]\n---\n',
    );
    expect(only(withRbac(narrow), 'policy/wildcard-role')).toEqual([]);
  });

  const dagTemplate = (driverExtra: string, specExtra = '') =>
    objectsFromYaml(
      'dags/spark_apps/job.yaml',
      `apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: job
  namespace: spark-team-a
spec:
  type: Python
  mode: cluster
  image: apache/spark:4.0.4
  mainApplicationFile: local:///opt/jobs/job.py
  sparkVersion: 4.0.4
${specExtra}  driver:
    serviceAccount: spark
    nodeSelector:
      NodeGroupType: spark-driver
      karpenter.sh/capacity-type: on-demand
    securityContext:
      runAsNonRoot: true
${driverExtra}  executor:
    nodeSelector:
      NodeGroupType: spark-executor
      karpenter.sh/capacity-type: spot
    tolerations:
      - { key: airspark.dev/spark-executor, operator: Equal, value: "true", effect: NoSchedule }
    securityContext:
      runAsNonRoot: true
`,
      { app: 'dags' },
    );
  const withTemplate = (t: ReturnType<typeof dagTemplate>) =>
    validate(environment(), { externalResources: external, sparkTemplates: t });

  it('pod-security rules apply to the DAG templates: privileged, root, capabilities, hostPath, hostNetwork', () => {
    expect(withTemplate(dagTemplate(''))).toEqual([]);
    const privileged = withTemplate(dagTemplate('      privileged: true\n'));
    expect(privileged.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      'policy/privileged dags/spark_apps/job.yaml:19',
    ]);
    expect(ruleIds(withTemplate(dagTemplate('      runAsUser: 0\n')))).toEqual(['policy/run-as-non-root']);
    expect(ruleIds(withTemplate(dagTemplate('      capabilities: { add: [SYS_ADMIN] }\n')))).toEqual([
      'policy/capabilities',
    ]);
    expect(ruleIds(withTemplate(dagTemplate('    hostNetwork: true\n')))).toEqual(['policy/host-namespaces']);
    expect(
      ruleIds(
        withTemplate(dagTemplate('', '  volumes:\n    - name: node\n      hostPath: { path: /var/run }\n')),
      ),
    ).toEqual(['policy/host-path']);
    // NET_BIND_SERVICE is what the restricted standard allows.
    expect(withTemplate(dagTemplate('      capabilities: { add: [NET_BIND_SERVICE] }\n'))).toEqual([]);
  });

  it('policy/capabilities fires for a chart container that adds a capability', () => {
    expect(ruleIds(livy('drop: ["ALL"]', 'drop: ["ALL"]\n              add: ["NET_ADMIN"]'))).toEqual([
      'policy/capabilities',
    ]);
  });

  it('xref/network-policy fires when Livy is left without its NetworkPolicy', () => {
    const findings = run({ livy: (t) => t.slice(0, t.lastIndexOf('---\napiVersion: networking.k8s.io/v1')) });
    expect(findings.map((f) => `${f.rule} ${f.resource}`)).toEqual(['xref/network-policy Service/livy/livy']);
    // A policy that selects other pods does not count.
    const other = run({
      livy: (t) =>
        t.replace(
          'matchLabels:\n      app: livy\n  policyTypes',
          'matchLabels:\n      app: other\n  policyTypes',
        ),
    });
    expect(ruleIds(other)).toEqual(['xref/network-policy']);
  });
});
