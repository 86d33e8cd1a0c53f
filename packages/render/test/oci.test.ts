import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadComponents, loadEnvironment } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectChartRefs, pullCharts } from '../src/charts/pull-charts.js';
import { renderEnvironment } from '../src/render/render-environment.js';
import { type FixtureRepo, fixtureRepo } from './fixture.js';
import { type OciRegistry, startOciRegistry } from './oci-registry.js';

let tools: Tools;
let registry: OciRegistry;
let repo: FixtureRepo;
let cache: string;

const nodeClass = {
  'nodeclass.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  clusterName: {{ .Values.settings.clusterName | quote }}\n',
};

beforeAll(async () => {
  tools = await ensureTools();
  registry = await startOciRegistry(tools.helm);
  await registry.publish('karpenter', 'karpenter', '1.14.1', nodeClass);
  cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-ocicache-'));
  repo = await fixtureRepo(['dev']);
  await repo.write(
    'apps/karpenter/component.yaml',
    `name: karpenter\nenabledBy: components.karpenter.enabled\nnamespace: karpenter\nsyncWave: 10\nsource:\n  type: helm-upstream\n  repoURL: ${registry.url}/karpenter\n  chart: karpenter\n  versionFrom: components.karpenter.chartVersion\nvalues:\n  fromEnvironment:\n    settings.clusterName: names.clusterName\n`,
  );
});
afterAll(async () => {
  await registry.close();
  await repo.cleanup();
  await rm(cache, { recursive: true, force: true });
});

describe('OCI charts against a real OCI registry on loopback (go-containerregistry + helm push)', () => {
  it('pulls with helm, locks the package digest, and renders from the cache', async () => {
    const cacheEnv = { ...process.env, AIRSPARK_CACHE_DIR: cache };
    const dev = await loadEnvironment(repo.root, 'dev');
    if (!dev.environment) throw new Error('dev did not load');
    const { refs } = await collectChartRefs(repo.root, [dev.environment], await loadComponents(repo.root));
    expect(refs).toEqual([{ repoURL: `${registry.url}/karpenter`, chart: 'karpenter', version: '1.14.1' }]);
    const pulled = await pullCharts({ root: repo.root, refs, helm: tools.helm, cacheEnv });
    expect(pulled.outcomes).toEqual([
      expect.objectContaining({ status: 'pulled', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }),
    ]);
    expect(parse(await repo.read('charts.lock.yaml')).charts[0]).toMatchObject({
      repoURL: `${registry.url}/karpenter`,
      chart: 'karpenter',
    });

    const render = await renderEnvironment({
      root: repo.root,
      env: dev.environment,
      tools,
      cacheEnv,
      strict: true,
    });
    expect(render.findings).toEqual([]);
    const app = parse(render.hydration.files.get('clusters/dev/apps/karpenter.yaml') as string);
    // Argo CD takes OCI Helm repositories without the scheme
    expect(app.spec.source.repoURL).toBe(`${registry.url.slice('oci://'.length)}/karpenter`);
    const cm = render.objects.find((o) => o.app === 'karpenter');
    expect(cm?.object).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'karpenter-settings', namespace: 'karpenter' },
      data: { clusterName: 'airspark-dev' },
    });
    expect(cm?.source.file).toBe('karpenter-1.14.1.tgz#karpenter/templates/nodeclass.yaml');

    // A republished 1.14.1 with other content is refused against the lock.
    await registry.publish('karpenter', 'karpenter', '1.14.1', {
      ...nodeClass,
      'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    });
    await rm(path.join(cache, 'charts'), { recursive: true, force: true });
    const again = await pullCharts({ root: repo.root, refs, helm: tools.helm, cacheEnv });
    expect(again.outcomes[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('charts.lock.yaml records'),
    });
  });
});
