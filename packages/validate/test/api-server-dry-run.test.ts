import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadComponents, loadEnvironments } from '@airspark/config';
import { dryRunObjects, type KubeObject, startTestCluster, type TestCluster } from '@airspark/kube';
import { ensureTools, renderEnvironment, type Tools } from '@airspark/render';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationsOf } from '../src/crossref/argocd.js';
import { groupKindKey, gvkOf, type RenderedObject } from '../src/model.js';
import { loadKubernetesApi, loadPinnedCrdManifests, SchemaCatalog } from '../src/schema/catalog.js';
import { findingsFromServer } from '../src/server-rejections.js';
import { inDestinationNamespaces } from '../src/validate.js';

/**
 * Every environment's complete rendered output, server-side dry-run against a real kube-apiserver
 * 1.35 (envtest from @airspark/kube): what no schema check can promise (CEL rules of the CRDs, the
 * API server's own validation) is checked by the server itself, and each rejection is mapped back to
 * the source line that produced the object.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLOW = 300_000;

let cluster: TestCluster;
let tools: Tools;
const api = loadKubernetesApi('1.35');
if (!api) throw new Error('no Kubernetes 1.35 schemas');
const catalog = new SchemaCatalog(api, []);
const pinnedCrds = loadPinnedCrdManifests();

beforeAll(async () => {
  [cluster, tools] = await Promise.all([startTestCluster(), ensureTools()]);
}, SLOW);
afterAll(() => cluster?.stop());

/** What Argo CD would send, the CRDs it needs that the environment does not render, and the namespaces it creates. */
function asArgoSyncs(objects: readonly RenderedObject[]) {
  const sent = inDestinationNamespaces(objects, catalog);
  const rendered = new Set(
    objects
      .filter((o) => o.object.kind === 'CustomResourceDefinition')
      .map((o) => {
        const spec = o.object.spec as { group: string; names: { kind: string } };
        return groupKindKey(spec.group, spec.names.kind);
      }),
  );
  const crds = new Map<string, Record<string, unknown>>();
  for (const o of objects) {
    const gvk = gvkOf(o.object);
    if (!gvk || catalog.isBuiltinGroup(gvk.group)) continue;
    const key = groupKindKey(gvk.group, gvk.kind);
    const crd = pinnedCrds.get(key);
    if (!rendered.has(key) && crd) crds.set(key, crd);
  }
  const apps = applicationsOf(objects);
  const createNamespaces = new Set<string>();
  for (const app of apps) {
    if (app.createNamespace && app.destination.namespace) createNamespaces.add(app.destination.namespace);
    // Argo CD's own namespace, where its Applications live, comes from the bootstrap.
    const own = (app.rendered.object.metadata as { namespace?: string } | undefined)?.namespace;
    if (own) createNamespaces.add(own);
  }
  return { sent, crds: [...crds.values()], createNamespaces: [...createNamespaces] };
}

async function dryRun(objects: readonly RenderedObject[]) {
  const { sent, crds, createNamespaces } = asArgoSyncs(objects);
  // Rendered objects all carry apiVersion and kind (the schema check reports any that does not).
  const toSend = [...crds, ...sent.map((o) => o.object)] as unknown as KubeObject[];
  const results = await dryRunObjects(cluster.kubeConfig, toSend, { createNamespaces });
  const crdFailures = results.slice(0, crds.length).filter((r) => !r.ok);
  const verdicts = results.slice(crds.length).map((r) => ({ ...r, index: r.index - crds.length }));
  return { crdFailures, findings: findingsFromServer(sent, verdicts), crds: crds.length, sent: sent.length };
}

async function render(env: string) {
  const loaded = await loadEnvironments(repoRoot, [env]);
  const environment = loaded.environments[0];
  if (!environment) throw new Error(`${env} did not load: ${JSON.stringify(loaded.findings)}`);
  const components = await loadComponents(repoRoot);
  const result = await renderEnvironment({ root: repoRoot, env: environment, components, tools });
  return result.objects;
}

describe('server-side dry-run of every environment on a real API server', () => {
  it.each(['dev', 'staging', 'prod'])(
    '%s: the API server accepts every rendered object (namespaces and CRDs first)',
    async (env) => {
      const objects = await render(env);
      expect(objects.length).toBeGreaterThan(10);
      const { crdFailures, findings } = await dryRun(objects);
      expect(crdFailures).toEqual([]);
      expect(findings).toEqual([]);
    },
    SLOW,
  );

  it(
    'maps rejections only the server sees (its own validation, CEL rules of CRDs) back to their templates',
    async () => {
      const objects = await render('dev');
      const broken = objects.map((o) => {
        if (o.object.kind === 'Deployment') {
          // The selector no longer matches the pod template's labels: valid by schema, invalid to the server.
          const object = structuredClone(o.object) as {
            spec: { selector: { matchLabels: Record<string, string> } };
          };
          object.spec.selector.matchLabels = { app: 'something-else' };
          return { ...o, object: object as unknown as Record<string, unknown> };
        }
        if (o.object.kind === 'NodePool' && (o.object.metadata as { name: string }).name === 'general') {
          // A CEL rule of Karpenter's CRD (the label karpenter.sh/nodepool is Karpenter's own to set).
          const object = structuredClone(o.object) as {
            spec: { template: { spec: { requirements: unknown[] } } };
          };
          object.spec.template.spec.requirements.push({
            key: 'karpenter.sh/nodepool',
            operator: 'In',
            values: ['x'],
          });
          return { ...o, object: object as unknown as Record<string, unknown> };
        }
        return o;
      });
      const { findings } = await dryRun(broken);
      expect(findings.every((f) => f.rule === 'server/rejected')).toBe(true);
      // Our own charts' Deployments map to their template; an upstream chart's (cached) to our values.
      const deployment = findings.find(
        (f) => f.resource?.startsWith('Deployment/') && f.file.endsWith('/templates/deployment.yaml'),
      );
      expect(deployment).toMatchObject({
        env: 'dev',
        file: expect.stringMatching(/^apps\/.+\/templates\/deployment\.yaml$/),
      });
      expect(deployment?.message).toMatch(/selector/);
      const nodePool = findings.find((f) => f.resource === 'NodePool/general');
      expect(nodePool).toMatchObject({ file: 'apps/karpenter-nodepools/chart/templates/nodepools.yaml' });
      expect(nodePool?.message).toMatch(/karpenter\.sh\/nodepool/);
    },
    SLOW,
  );
});
