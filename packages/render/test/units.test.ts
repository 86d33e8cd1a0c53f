import { parseExpression, resolveExpression, setIn, splitValuesPath } from '@airspark/config';
import { describe, expect, it } from 'vitest';
import { bootstrapPlan } from '../src/bootstrap/bootstrap.js';
import { answersMayChange, apiVersionQuestionsIn, mergeQuestions } from '../src/render/chart-scan.js';
import { argoGlob } from '../src/render/glob.js';
import { helmErrorPosition, helmTemplateArgs } from '../src/render/helm.js';
import { splitManifests } from '../src/render/manifests.js';
import { customKindsOf, scopeOf } from '../src/render/scope.js';
import { coalesce } from '../src/render/values.js';

describe('expressions', () => {
  it('parses paths with indexes and wildcards and splits values paths with escaped dots', () => {
    expect(parseExpression('spark.teams[*].namespace')).toEqual([
      { key: 'spark' },
      { key: 'teams' },
      { all: true },
      { key: 'namespace' },
    ]);
    expect(splitValuesPath('podAnnotations.eks\\.amazonaws\\.com/role')).toEqual([
      'podAnnotations',
      'eks.amazonaws.com/role',
    ]);
    const target = { a: 1 } as Record<string, unknown>;
    setIn(target, ['a', 'b', 'c'], 2);
    expect(target).toEqual({ a: { b: { c: 2 } } });
  });

  it('resolves environment paths, names and infra outputs, and says what is missing', () => {
    const scope = {
      environment: { name: 'dev', spark: { teams: [{ namespace: 'a' }, { namespace: 'b' }] } } as never,
      names: { clusterName: 'c' } as never,
      infra: undefined,
    };
    expect(resolveExpression('spark.teams[*].namespace', scope)).toEqual({ ok: true, value: ['a', 'b'] });
    expect(resolveExpression('spark.teams[1].namespace', scope)).toEqual({ ok: true, value: 'b' });
    expect(resolveExpression('names.clusterName', scope)).toEqual({ ok: true, value: 'c' });
    expect(resolveExpression('names.nope', scope)).toMatchObject({ ok: false, kind: 'not-found' });
    expect(resolveExpression('infra.efs', scope)).toMatchObject({ ok: false, kind: 'infra-missing' });
    expect(resolveExpression('infra.efs', { ...scope, infra: { efs: 'fs-1' } })).toEqual({
      ok: true,
      value: 'fs-1',
    });
    expect(resolveExpression('spark.teams[5].namespace', scope)).toMatchObject({
      ok: false,
      kind: 'not-found',
    });
  });
});

describe('Argo CD semantics', () => {
  it('translates gobwas globs (no separators: * crosses /)', () => {
    expect(argoGlob('*.yaml').test('a/b/c.yaml')).toBe(true);
    expect(argoGlob('{a,b}/*.yaml').test('b/x.yaml')).toBe(true);
    expect(argoGlob('{a,b}/*.yaml').test('c/x.yaml')).toBe(false);
    expect(argoGlob('file?.json').test('file1.json')).toBe(true);
    expect(argoGlob('[!x]*').test('xy')).toBe(false);
    expect(argoGlob('a.b').test('axb')).toBe(false);
  });

  it('builds the helm command line in Argo CD order', () => {
    expect(
      helmTemplateArgs(
        {
          helm: 'helm',
          chart: 'c',
          releaseName: 'r',
          namespace: 'n',
          kubeVersion: '1.35',
          apiVersions: ['x/v1'],
          valueFiles: ['/a.yaml', '/b.yaml'],
          parameters: [
            { name: 'p', value: '1' },
            { name: 's', value: '2', forceString: true },
          ],
        },
        '/extra.yaml',
      ),
    ).toEqual([
      'template',
      'c',
      '--name-template',
      'r',
      '--namespace',
      'n',
      '--kube-version',
      '1.35',
      '--set',
      'p=1',
      '--set-string',
      's=2',
      '--values',
      '/a.yaml',
      '--values',
      '/b.yaml',
      '--values',
      '/extra.yaml',
      '--api-versions',
      'x/v1',
      '--include-crds',
    ]);
  });

  it('finds the template position in helm errors', () => {
    expect(
      helmErrorPosition(
        'Error: template: livy/templates/x.yaml:12:20: executing "livy/templates/x.yaml" at <.Values.a>: nil pointer',
      ),
    ).toEqual({ helmPath: 'livy/templates/x.yaml', line: 12, column: 20 });
    expect(
      helmErrorPosition('Error: YAML parse error on livy/templates/y.yaml: error converting YAML to JSON'),
    ).toEqual({ helmPath: 'livy/templates/y.yaml', line: 1, column: 1 });
    expect(helmErrorPosition("Error: values don't meet the specifications")).toBeUndefined();
  });

  it('merges values like helm: maps deep, lists and scalars replace, null deletes', () => {
    expect(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { c: 3 }, l: [3], d: null })).toEqual({
      a: { b: 1, c: 3 },
      l: [3],
    });
  });

  it('knows scopes from the built-in table and from CRDs', () => {
    const custom = customKindsOf(
      splitManifests(
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec:\n  group: karpenter.k8s.aws\n  scope: Cluster\n  names: {kind: EC2NodeClass}\n  versions: [{name: v1, served: true}, {name: v1beta1, served: false}]\n',
      ).objects.map((o) => o.object),
    );
    expect(custom.apiVersions).toEqual(['karpenter.k8s.aws/v1', 'karpenter.k8s.aws/v1/EC2NodeClass']);
    expect(scopeOf('karpenter.k8s.aws/v1', 'EC2NodeClass', custom)).toBe('Cluster');
    expect(scopeOf('rbac.authorization.k8s.io/v1', 'ClusterRole', custom)).toBe('Cluster');
    expect(scopeOf('rbac.authorization.k8s.io/v1', 'Role', custom)).toBe('Namespaced');
    expect(scopeOf('example.com/v1', 'Thing', custom)).toBe('Unknown');
  });
});

describe('what charts ask of .Capabilities.APIVersions', () => {
  it('reads literal .Has questions, and calls any other use computed', () => {
    const literal = apiVersionQuestionsIn(
      '{{- if and (.Capabilities.APIVersions.Has "policy/v1") .Values.pdb }}\n{{ if $.Capabilities.APIVersions.Has  "monitoring.coreos.com/v1/PodMonitor" }}',
    );
    expect(literal).toEqual({ asks: true, only: ['policy/v1', 'monitoring.coreos.com/v1/PodMonitor'] });
    expect(apiVersionQuestionsIn('kind: ConfigMap\n')).toEqual({ asks: false, only: [] });
    for (const computed of [
      '{{ if .Capabilities.APIVersions.Has $apiVersion }}',
      '{{ range .Capabilities.APIVersions }}{{ . }}{{ end }}',
      '{{ toYaml .Capabilities.APIVersions }}',
    ])
      expect(apiVersionQuestionsIn(computed)).toEqual({ asks: true });
    expect(mergeQuestions(literal, { asks: true })).toEqual({ asks: true });
    expect(mergeQuestions({ asks: false, only: [] }, literal)).toBe(literal);
    expect(mergeQuestions(literal, { asks: true, only: ['a/v1'] }).only).toEqual([
      'a/v1',
      'monitoring.coreos.com/v1/PodMonitor',
      'policy/v1',
    ]);
  });

  it('renders again only when an answer may change with the environment CRDs', () => {
    const crds = ['karpenter.sh/v1', 'karpenter.sh/v1/NodePool'];
    expect(answersMayChange({ asks: true, only: ['policy/v1'] }, crds)).toBe(false);
    expect(answersMayChange({ asks: true, only: ['policy/v1', 'karpenter.sh/v1/NodePool'] }, crds)).toBe(
      true,
    );
    expect(answersMayChange({ asks: true }, crds)).toBe(true);
    expect(answersMayChange({ asks: true }, [])).toBe(false);
    expect(answersMayChange({ asks: false, only: [] }, crds)).toBe(false);
  });
});

describe('bootstrap plan', () => {
  it('orders namespace, CRDs, Argo CD, then the root; drops helm test hooks', () => {
    const plan = bootstrapPlan(
      [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'argocd-server', namespace: 'argocd' },
        },
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'applications.argoproj.io' },
        },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 't', annotations: { 'helm.sh/hook': 'test' } } },
      ],
      [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root' } }],
    );
    expect(plan.map((p) => [p.name, p.objects.map((o) => o.kind), p.wait])).toEqual([
      ['namespace argocd', ['Namespace'], undefined],
      ['1 Argo CD CRDs', ['CustomResourceDefinition'], 'crds-established'],
      ['1 Argo CD objects', ['Deployment'], 'workloads-ready'],
      ['root project and app-of-apps', ['Application'], undefined],
    ]);
  });
});
