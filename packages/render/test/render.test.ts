// biome-ignore-all lint/suspicious/noExplicitAny: the assertions walk untyped YAML objects
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvironment } from '@airspark/config';
import { ensureTools, run, type Tools } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeRendered } from '../src/render/output.js';
import { type EnvironmentRender, renderEnvironment } from '../src/render/render-environment.js';
import { type FixtureRepo, fixtureRepo, writeKustomizeAndDirectory, writeLocalChart } from './fixture.js';

let repo: FixtureRepo;
let tools: Tools;
let dev: EnvironmentRender;

async function renderEnv(name: string, extra: Partial<Parameters<typeof renderEnvironment>[0]> = {}) {
  const loaded = await loadEnvironment(repo.root, name);
  if (!loaded.environment) throw new Error(JSON.stringify(loaded.findings));
  return renderEnvironment({ root: repo.root, env: loaded.environment, tools, ...extra });
}

const find = (r: EnvironmentRender, app: string, kind: string, name: string) =>
  r.objects.find(
    (o) => o.app === app && o.object.kind === kind && (o.object.metadata as { name?: string })?.name === name,
  );

beforeAll(async () => {
  tools = await ensureTools();
  repo = await fixtureRepo();
  await writeLocalChart(repo);
  await writeKustomizeAndDirectory(repo);
  dev = await renderEnv('dev');
});
afterAll(() => repo.cleanup());

describe('renderEnvironment (real helm and kubectl kustomize)', () => {
  it('renders every app without findings', () => {
    expect(dev.findings).toEqual([]);
    expect(dev.apps.map((a) => [a.app, a.status])).toEqual([
      ['livy', 'rendered'],
      ['pools', 'rendered'],
      ['teams', 'rendered'],
    ]);
  });

  it('renders our chart with the release name, the destination namespace, values precedence and kubeVersion', () => {
    const deployment = find(dev, 'livy', 'Deployment', 'livy');
    expect(deployment?.renderedPath).toBe('livy/deployment-livy-livy.yaml');
    const spec = deployment?.object.spec as any;
    // chart default 1 < apps/livy/values.yaml 2
    expect(spec.replicas).toBe(2);
    const container = spec.template.spec.containers[0];
    // valuesObject from the environment wins over the chart's values.yaml
    expect(container.image).toBe(
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/airspark/livy:0.9.0-spark3.5.6-r1',
    );
    expect(container.env).toEqual([
      { name: 'SPARK_NAMESPACE', value: 'spark-team-a' },
      { name: 'CLUSTER', value: 'airspark-dev' },
      { name: 'KUBE_VERSION', value: 'v1.35' },
    ]);
    // helm does not set a namespace here; Argo CD applies it into the destination namespace
    expect((deployment?.object.metadata as any)?.namespace).toBe('livy');
    expect(deployment?.source).toEqual({
      file: 'apps/livy/chart/templates/deployment.yaml',
      line: 2,
      column: 1,
      inRepository: true,
    });
    expect(deployment?.configuredBy).toEqual(['apps/livy/component.yaml', 'apps/livy/values.yaml']);
  });

  it('points each object at its template and line, also for several objects in one template', () => {
    expect(find(dev, 'livy', 'Service', 'livy')?.source).toMatchObject({
      file: 'apps/livy/chart/templates/service.yaml',
      line: 2,
    });
    expect(find(dev, 'livy', 'NetworkPolicy', 'livy-from-airflow')?.source).toMatchObject({
      file: 'apps/livy/chart/templates/service.yaml',
      line: 11,
    });
    expect((find(dev, 'livy', 'Service', 'livy')?.object.spec as any)?.ports[0].port).toBe(8998);
  });

  it('builds kustomize with the file each object came from; cluster-scoped objects get no namespace', () => {
    const pool = find(dev, 'pools', 'NodePool', 'spark-driver');
    expect(pool?.source).toMatchObject({ file: 'apps/pools/base/nodepools.yaml', inRepository: true });
    expect((pool?.object.metadata as any)?.labels).toEqual({ 'airspark.dev/part-of': 'pools' });
    expect((pool?.object.metadata as any)?.annotations).toBeUndefined();
    // NodePool's scope is unknown without its CRD: left as rendered, not guessed
    expect(pool?.renderedPath).toBe('pools/nodepool-_-spark-driver.yaml');
    expect(find(dev, 'pools', 'ConfigMap', 'pools')?.renderedPath).toBe(
      'pools/configmap-karpenter-pools.yaml',
    );
  });

  it('reads plain directories with Argo CD semantics', () => {
    const teams = dev.objects.filter((o) => o.app === 'teams');
    expect(teams.map((o) => `${o.source.file}:${o.source.line} ${String(o.object.kind)}`)).toEqual([
      'apps/teams/manifests/namespace.yaml:1 Namespace',
      'apps/teams/manifests/rbac/role.yaml:2 Role',
      'apps/teams/manifests/rbac/role.yaml:8 ServiceAccount',
    ]);
    expect(find(dev, 'teams', 'Namespace', 'spark-team-a')?.renderedPath).toBe(
      'teams/namespace-_-spark-team-a.yaml',
    );
  });

  it('renders the AppProjects and Applications themselves as app root', () => {
    const root = dev.objects
      .filter((o) => o.app === 'root')
      .map((o) => `${String(o.object.kind)}/${(o.object.metadata as any).name} ${o.source.file}`);
    expect(root).toEqual(
      expect.arrayContaining([
        'Application/livy clusters/dev/apps/livy.yaml',
        'Application/root clusters/dev/root.yaml',
        'AppProject/airspark-dev clusters/dev/apps/project.yaml',
        'AppProject/airspark-dev-root clusters/dev/root.yaml',
      ]),
    );
  });

  it('writes one folder per app and one file per object, deterministically', async () => {
    const out = path.join(repo.root, 'out', 'dev');
    await writeRendered(out, dev.objects);
    const first = await readdir(path.join(out, 'livy'));
    expect(first.sort()).toEqual([
      'deployment-livy-livy.yaml',
      'networkpolicy-livy-livy-from-airflow.yaml',
      'service-livy-livy.yaml',
    ]);
    const text = await readFile(path.join(out, 'livy', 'service-livy-livy.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# Source: apps/livy/chart/templates/service.yaml:2');
    expect(parse(text).kind).toBe('Service');
    const again = await renderEnv('dev');
    await writeRendered(out, again.objects);
    expect(await readFile(path.join(out, 'livy', 'service-livy-livy.yaml'), 'utf8')).toBe(text);
    await expect(writeRendered(repo.root, dev.objects)).rejects.toThrow(/was not written by airspark render/);
  });

  it('renders a chart once when it asks .Has "<literal>" about none of the environment CRDs', async () => {
    await repo.write(
      'apps/teams/manifests/crd.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`,
    );
    const withOtherCrd = await renderEnv('dev');
    const livy = withOtherCrd.apps.find((a) => a.app === 'livy');
    // livy's chart asks only about karpenter.sh/v1/NodePool: its first render is its answer
    expect(livy?.commands.map((c) => c.args.includes('--api-versions'))).toEqual([false]);
    expect(find(withOtherCrd, 'livy', 'ConfigMap', 'karpenter-aware')).toBeUndefined();
  });

  it('gives helm the environment CRDs as API versions, as Argo CD cluster discovery would', async () => {
    expect(find(dev, 'livy', 'ConfigMap', 'karpenter-aware')).toBeUndefined();
    await repo.write(
      'apps/teams/manifests/crd.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: nodepools.karpenter.sh
spec:
  group: karpenter.sh
  scope: Cluster
  names: { kind: NodePool, plural: nodepools, singular: nodepool, listKind: NodePoolList }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`,
    );
    const withCrd = await renderEnv('dev');
    expect(find(withCrd, 'livy', 'ConfigMap', 'karpenter-aware')).toBeDefined();
    const livyCommands = withCrd.apps.find((a) => a.app === 'livy')?.commands ?? [];
    expect(livyCommands.map((c) => c.args.includes('karpenter.sh/v1/NodePool'))).toEqual([true]);
    // and NodePool is now known to be cluster-scoped
    expect(find(withCrd, 'pools', 'NodePool', 'spark-driver')?.renderedPath).toBe(
      'pools/nodepool-_-spark-driver.yaml',
    );
    // teams may create Namespaces only: Argo CD would refuse its CRD, and so does the render
    expect(withCrd.findings).toEqual([
      expect.objectContaining({
        rule: 'render/project-denied',
        file: 'apps/teams/component.yaml',
        app: 'teams',
        message: expect.stringContaining(
          'cluster-scoped apiextensions.k8s.io/CustomResourceDefinition is not in clusterResources',
        ),
      }),
    ]);
    const { rm } = await import('node:fs/promises');
    await rm(path.join(repo.root, 'apps/teams/manifests/crd.yaml'));
  });

  it('matches helm and kubectl run by hand (no hidden changes to the objects)', async () => {
    const direct = await run(
      tools.helm,
      [
        'template',
        'apps/livy/chart',
        '--name-template',
        'livy',
        '--namespace',
        'livy',
        '--kube-version',
        '1.35',
        '--values',
        'apps/livy/values.yaml',
        '--set',
        'image.repository=111111111111.dkr.ecr.eu-west-1.amazonaws.com/airspark/livy',
        '--set',
        'image.tag=0.9.0-spark3.5.6-r1',
        '--set',
        'sparkNamespace=spark-team-a',
        '--set',
        'clusterName=airspark-dev',
        '--include-crds',
      ],
      { cwd: repo.root },
    );
    const svc = direct.stdout.split('---').find((d) => d.includes('kind: Service'));
    expect(parse(svc as string)).toEqual({
      ...(find(dev, 'livy', 'Service', 'livy')?.object as object),
      metadata: { name: 'livy' },
    });
    const kz = await run(tools.kubectl, ['kustomize', 'apps/pools/base'], { cwd: repo.root });
    expect(parse(kz.stdout.split('---')[1] as string)).toEqual(
      find(dev, 'pools', 'NodePool', 'spark-driver')?.object,
    );
  });
});
