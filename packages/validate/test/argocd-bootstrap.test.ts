import { describe, expect, it } from 'vitest';
import { appliedByArgoCD } from '../src/argocd-applies.js';
import { objectsFromYaml, ruleIds, validate } from './helpers.js';

const pod = (annotations: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', annotations },
});

describe('objects Argo CD applies (gitops-engine pkg/sync/hook)', () => {
  it('never applies a Helm test hook, or any Helm hook that maps to no sync phase', () => {
    for (const hook of ['test', 'test-success', 'test-failure', 'pre-delete', 'post-rollback'])
      expect(appliedByArgoCD(pod({ 'helm.sh/hook': hook })), hook).toBe(false);
  });
  it('applies install/upgrade hooks (PreSync/PostSync), crd-install objects and plain objects', () => {
    expect(appliedByArgoCD(pod({ 'helm.sh/hook': 'pre-install,pre-upgrade' }))).toBe(true);
    expect(appliedByArgoCD(pod({ 'helm.sh/hook': 'test,post-install' }))).toBe(true);
    expect(appliedByArgoCD(pod({ 'helm.sh/hook': 'crd-install' }))).toBe(true);
    expect(appliedByArgoCD(pod({}))).toBe(true);
  });
  it('follows an Argo CD hook annotation over the Helm one, and skips `Skip`', () => {
    expect(appliedByArgoCD(pod({ 'helm.sh/hook': 'test', 'argocd.argoproj.io/hook': 'PostSync' }))).toBe(
      true,
    );
    expect(appliedByArgoCD(pod({ 'argocd.argoproj.io/hook': 'Skip' }))).toBe(false);
  });
  it('keeps a test hook out of validation: its policy findings are findings nobody can hit', () => {
    const testPod = `apiVersion: v1
kind: Pod
metadata: {name: chart-test, namespace: argocd, annotations: {helm.sh/hook: test-success}}
spec:
  containers: [{name: t, image: "busybox:1.37.0"}]
`;
    expect(validate(objectsFromYaml('apps/x/test.yaml', testPod, { app: 'x' }))).toEqual([]);
    const sameWithoutHook = testPod.replace(', annotations: {helm.sh/hook: test-success}', '');
    expect(
      validate(objectsFromYaml('apps/x/test.yaml', sameWithoutHook, { app: 'x' })).length,
    ).toBeGreaterThan(0);
  });
});

describe('xref/sync-wave and what bootstrap installs', () => {
  // Argo CD's own Application renders the Application CRD at wave 10; the root app-of-apps holds
  // Applications at wave 0. Without bootstrap knowledge that order looks wrong.
  const objects = [
    ...objectsFromYaml(
      'clusters/dev/apps/argocd.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: argocd, namespace: argocd, annotations: {argocd.argoproj.io/sync-wave: "10"}}
spec: {project: default, destination: {server: https://kubernetes.default.svc, namespace: argocd}, source: {repoURL: https://example.invalid/repo.git, path: x}}
`,
      { app: 'root' },
    ),
    ...objectsFromYaml(
      'argo-cd.tgz#crds/application.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: applications.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Application, plural: applications}
  versions: [{name: v1alpha1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
`,
      { app: 'argocd' },
    ),
  ];
  it('reports the Application before its CRD when nothing says bootstrap installs Argo CD', () => {
    expect(ruleIds(validate(objects))).toContain('xref/sync-wave');
  });
  it('accepts it when the CRD comes from an Application that bootstrap installs first', () => {
    expect(ruleIds(validate(objects, { bootstrapApps: ['argocd'] }))).not.toContain('xref/sync-wave');
  });
});

describe('xref/spark-placement without Karpenter', () => {
  const template = objectsFromYaml(
    'dags/spark_apps/pi.yaml',
    `apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: pi, namespace: spark-team-a}
spec:
  type: Python
  mode: cluster
  image: "apache/spark:4.0.4"
  mainApplicationFile: local:///opt/spark/examples/src/main/python/pi.py
  sparkVersion: 4.0.4
  driver: {cores: 1, memory: 512m, nodeSelector: {NodeGroupType: spark-driver}}
  executor: {instances: 1, cores: 1, memory: 512m, nodeSelector: {NodeGroupType: spark-executor}}
`,
    { app: 'dags' },
  );
  const placement = (findings: ReturnType<typeof validate>) =>
    findings.filter((f) => f.rule === 'xref/spark-placement').map((f) => f.severity);
  it('is an error where Karpenter should be', () => {
    expect(placement(validate([], { sparkTemplates: template }))).toEqual(['error', 'error']);
  });
  it('is a warning, saying why, in an environment without Karpenter by design (the local cluster)', () => {
    const findings = validate([], { sparkTemplates: template, noKarpenterReason: 'a local cluster' });
    expect(placement(findings)).toEqual(['warning', 'warning']);
    expect(findings.find((f) => f.rule === 'xref/spark-placement')?.message).toContain(
      'has no Karpenter NodePool in dev (a local cluster)',
    );
  });
});
