// biome-ignore-all lint/suspicious/noExplicitAny: the assertions walk untyped Kubernetes objects
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadComponents, loadEnvironments, SYSTEM_NODE_LABELS } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectChartRefs, pullCharts } from '../src/charts/pull-charts.js';
import { type RenderedObject, renderEnvironment } from '../src/render/render-environment.js';
import { REPO } from './fixture.js';

/**
 * The real platform rendered from the upstream chart mirror `../shared/charts` (the same files
 * charts.lock.yaml pins), checked for what only shows on a cluster: can the long-running pods be
 * scheduled on the nodes that exist before Karpenter, and can Argo CD reach its Redis HA in prod.
 */
const MIRROR = process.env.AIRSPARK_CHART_MIRROR ?? path.resolve(REPO, '..', 'shared', 'charts');

let tools: Tools;
let cache: string;
const rendered = new Map<string, RenderedObject[]>();

beforeAll(async () => {
  if (!existsSync(path.join(MIRROR, 'index.yaml')))
    throw new Error(
      `the upstream chart mirror is missing: ${MIRROR}/index.yaml (CI provides ../shared/charts; elsewhere set AIRSPARK_CHART_MIRROR)`,
    );
  tools = await ensureTools();
  cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-mirrored-'));
  const cacheEnv = { ...process.env, AIRSPARK_CACHE_DIR: cache };
  const loaded = await loadEnvironments(REPO, ['dev', 'prod', 'local']);
  const components = await loadComponents(REPO);
  const { refs } = await collectChartRefs(REPO, loaded.environments, components);
  // Into a scratch copy of the lock's folder: pulling must not rewrite the repository's lock.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'airspark-mirrored-lock-'));
  const { cp } = await import('node:fs/promises');
  await cp(path.join(REPO, 'charts.lock.yaml'), path.join(scratch, 'charts.lock.yaml'));
  const pulled = await pullCharts({ root: scratch, refs, helm: tools.helm, mirror: MIRROR, cacheEnv });
  expect(pulled.lockChanged).toBe(false); // the mirror satisfies the committed lock
  await rm(scratch, { recursive: true, force: true });
  for (const env of loaded.environments) {
    const r = await renderEnvironment({ root: REPO, env, components, tools, cacheEnv });
    rendered.set(env.name, r.objects);
  }
}, 600_000);
afterAll(() => (cache ? rm(cache, { recursive: true, force: true }) : undefined));

type Labels = Record<string, string>;
const matches = (selector: any, labels: Labels) =>
  Object.entries((selector?.matchLabels ?? {}) as Labels).every(([k, v]) => labels[k] === v) &&
  ((selector?.matchExpressions ?? []) as any[]).every((e) =>
    e.operator === 'In' ? e.values.includes(labels[e.key]) : e.operator === 'Exists' ? e.key in labels : true,
  );

function podsOf(objects: RenderedObject[], app: string) {
  return objects
    .filter((o) => o.app === app && ['Deployment', 'StatefulSet'].includes(String(o.object.kind)))
    .map((o) => ({
      name: `${o.object.kind}/${(o.object.metadata as any).name}`,
      labels: (o.object.spec as any).template.metadata.labels as Labels,
      spec: (o.object.spec as any).template.spec,
    }));
}

/** Whether NetworkPolicies in `namespace` let pod `from` reach pod `to` on `port` (same namespace). */
function allowed(objects: RenderedObject[], from: Labels, to: Labels, port: number): boolean {
  const policies = objects
    .map((o) => o.object as any)
    .filter((o) => o.kind === 'NetworkPolicy')
    .filter((p) => matches(p.spec.podSelector, to))
    .filter((p) => (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (policies.length === 0) return true; // not isolated
  return policies.some((p) =>
    ((p.spec.ingress ?? []) as any[]).some(
      (rule) =>
        (!rule.from ||
          rule.from.some(
            (peer: any) => !peer.namespaceSelector && peer.podSelector && matches(peer.podSelector, from),
          )) &&
        (!rule.ports || rule.ports.some((q: any) => q.port === port)),
    ),
  );
}

describe('the platform with the mirrored upstream charts', () => {
  it.each(['dev', 'prod', 'local'])(
    '%s: every long-running pod of Argo CD, the Spark Operator and Livy fits the system node group',
    (env) => {
      const objects = rendered.get(env) as RenderedObject[];
      const pods = ['argocd', 'spark-operator', 'livy'].flatMap((app) => podsOf(objects, app));
      expect(pods.length).toBeGreaterThan(5);
      // A system node: the labels infra/ gives the node group, plus what every kubelet sets.
      const node: Labels = {
        ...SYSTEM_NODE_LABELS,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      };
      const misfits = pods
        .filter((p) => Object.entries((p.spec.nodeSelector ?? {}) as Labels).some(([k, v]) => node[k] !== v))
        .map((p) => `${p.name} selects ${JSON.stringify(p.spec.nodeSelector)}`);
      expect(misfits).toEqual([]);
    },
  );

  it('prod: Argo CD reaches Redis HA through HAProxy, and Redis HA reaches itself, with ingress denied by default', () => {
    const objects = (rendered.get('prod') as RenderedObject[]).filter((o) => o.app === 'argocd');
    const pods = podsOf(objects, 'argocd');
    const pod = (name: string) => {
      const found = pods.find((p) => p.name.endsWith(`/${name}`));
      if (!found)
        throw new Error(`no ${name} in prod's Argo CD (have ${pods.map((p) => p.name).join(', ')})`);
      return found.labels;
    };
    const haproxy = pod('argocd-redis-ha-haproxy');
    const redis = pod('argocd-redis-ha-server');
    // Default deny: some policy selects every pod and lets nothing in.
    expect(
      objects.some(
        (o: any) =>
          o.object.kind === 'NetworkPolicy' &&
          Object.keys(o.object.spec.podSelector ?? {}).length === 0 &&
          !(o.object.spec.ingress ?? []).length,
      ),
    ).toBe(true);
    for (const client of ['argocd-server', 'argocd-repo-server', 'argocd-application-controller'])
      expect(allowed(objects, pod(client), haproxy, 6379), `${client} -> haproxy:6379`).toBe(true);
    expect(allowed(objects, haproxy, redis, 6379), 'haproxy -> redis:6379').toBe(true);
    expect(allowed(objects, haproxy, redis, 26379), 'haproxy -> sentinel:26379').toBe(true);
    expect(allowed(objects, redis, redis, 26379), 'sentinel <-> sentinel').toBe(true);
    expect(allowed(objects, redis, redis, 6379), 'replica -> primary').toBe(true);
    // And not everyone: Livy's pods, say, are kept out.
    expect(allowed(objects, { 'app.kubernetes.io/name': 'livy' }, haproxy, 6379)).toBe(false);
  });
});
