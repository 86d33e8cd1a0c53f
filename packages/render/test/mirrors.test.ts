// biome-ignore-all lint/suspicious/noExplicitAny: the assertions walk untyped YAML objects
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadEnvironment } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pullCharts } from '../src/charts/pull-charts.js';
import { hydrate } from '../src/hydrate/hydrate-environment.js';
import { renderEnvironment } from '../src/render/render-environment.js';
import { type ChartRepository, startChartRepository } from './chart-repository.js';
import { type FixtureRepo, fixtureRepo } from './fixture.js';

let tools: Tools;
let mirror: ChartRepository;
let repo: FixtureRepo;

const UPSTREAM = 'https://airflow.invalid.example'; // never reached: everything comes from the mirror
const GIT_MIRROR = 'http://git.airspark-system.svc.cluster.local/airspark.git';

const component = `name: airflow
enabledBy: components.airflow.enabled
namespace: airflow
syncWave: 20
source:
  type: helm-upstream
  repoURL: ${UPSTREAM}
  chart: airflow
  versionFrom: components.airflow.chartVersion
values:
  files: [apps/airflow/values.yaml]
images:
  airflow:
    repository: images.airflow.repository
    tag: images.airflow.tag
    pullPolicy: images.airflow.pullPolicy
`;

async function withMirrors(block: string) {
  const env = await repo.read('clusters/dev/environment.yaml');
  await repo.write('clusters/dev/environment.yaml', `${env}\n${block}`);
  const loaded = await loadEnvironment(repo.root, 'dev');
  return loaded;
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

beforeAll(async () => {
  tools = await ensureTools();
  mirror = await startChartRepository(tools.helm);
  await mirror.publish(
    'airflow',
    '1.22.0',
    {
      'scheduler.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: airflow-scheduler }
spec:
  selector: { matchLabels: { app: s } }
  template:
    metadata: { labels: { app: s } }
    spec:
      containers:
        - name: scheduler
          image: "{{ .Values.images.airflow.repository }}:{{ .Values.images.airflow.tag }}"
          imagePullPolicy: {{ .Values.images.airflow.pullPolicy }}
`,
    },
    'images:\n  airflow:\n    repository: apache/airflow\n    tag: 3.2.2\n    pullPolicy: IfNotPresent\n',
  );
});
afterAll(() => mirror.close());
beforeEach(async () => {
  repo = await fixtureRepo(['dev']);
  await repo.write('apps/airflow/component.yaml', component);
  await repo.write('apps/airflow/values.yaml', 'executor: KubernetesExecutor\n');
});
afterEach(() => repo.cleanup());

describe('mirrors in the environment model', () => {
  it('point the hydrated Applications, project and root at the chart and Git mirrors', async () => {
    const dev = await withMirrors(
      `mirrors:\n  charts:\n    repoURL: ${mirror.url}\n  git:\n    repoURL: ${GIT_MIRROR}\n`,
    );
    expect(dev.findings).toEqual([]);
    const h = await hydrate(repo.root, dev.environment as NonNullable<typeof dev.environment>);
    expect(h.findings).toEqual([]);
    const app = parse(h.files.get('clusters/dev/apps/airflow.yaml') as string);
    expect(app.spec.sources.map((s: any) => s.repoURL)).toEqual([mirror.url, GIT_MIRROR]);
    const [, project] = [null, parse(h.files.get('clusters/dev/apps/project.yaml') as string)];
    expect(project.spec.sourceRepos).toEqual([GIT_MIRROR, mirror.url].sort());
    const root = (h.files.get('clusters/dev/root.yaml') as string).split('\n---\n').map((d) => parse(d));
    expect(root[1].spec.source.repoURL).toBe(GIT_MIRROR);
    expect(root[0].spec.sourceRepos).toEqual([GIT_MIRROR]);
  });

  it('renders the mirrored chart (same lock as upstream) with a named image override', async () => {
    const dev = await withMirrors(
      `mirrors:\n  charts:\n    repoURL: ${mirror.url}\n  images:\n    airflow:\n      repository: airspark.local/airflow\n      tag: 3.3.2-local\n      pullPolicy: Never\n      reason: built on this machine by pnpm images build\n`,
    );
    const env = dev.environment as NonNullable<typeof dev.environment>;
    const { chartVersion } = env.environment.components.airflow;
    const cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-mirror-cache-'));
    try {
      const cacheEnv = { ...process.env, AIRSPARK_CACHE_DIR: cache };
      const refs = [{ repoURL: UPSTREAM, chart: 'airflow', version: chartVersion }];
      const pulled = await pullCharts({
        root: repo.root,
        refs,
        helm: tools.helm,
        mirror: mirror.url,
        cacheEnv,
      });
      expect(pulled.outcomes.map((o) => o.status)).toEqual(['pulled']);
      const rendered = await renderEnvironment({ root: repo.root, env, tools, strict: true, cacheEnv });
      expect(rendered.findings).toEqual([]);
      const scheduler = rendered.objects.find((o) => o.object.kind === 'Deployment')?.object as any;
      expect(scheduler.spec.template.spec.containers[0]).toMatchObject({
        image: 'airspark.local/airflow:3.3.2-local',
        imagePullPolicy: 'Never',
      });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('reports a bad mirror URL at its line in environment.yaml', async () => {
    const dev = await withMirrors('mirrors:\n  charts:\n    repoURL: ftp://charts.example/x\n');
    const text = await repo.read('clusters/dev/environment.yaml');
    expect(dev.environment).toBeUndefined();
    expect(dev.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'clusters/dev/environment.yaml',
        line: lineOf(text, 'ftp://charts.example/x'),
      }),
    ]);
  });

  it('reports an override of an image no component declares, and a field the component cannot set, at their lines', async () => {
    await repo.write(
      'apps/airflow/component.yaml',
      component.replace('    pullPolicy: images.airflow.pullPolicy\n', ''),
    );
    const dev = await withMirrors(
      'mirrors:\n  images:\n    airflw:\n      repository: airspark.local/airflow\n      reason: a typo of the image name\n    airflow:\n      repository: airspark.local/airflow\n      pullPolicy: Never\n      reason: built on this machine\n',
    );
    const text = await repo.read('clusters/dev/environment.yaml');
    const h = await hydrate(repo.root, dev.environment as NonNullable<typeof dev.environment>);
    expect(h.findings.map((f) => [f.rule, f.line, f.message.split(':')[0]])).toEqual(
      expect.arrayContaining([
        ['render/image-override', lineOf(text, 'airflw:'), 'mirrors.images.airflw'],
        [
          'render/image-override',
          lineOf(text, 'pullPolicy: Never'),
          'mirrors.images.airflow.pullPolicy cannot be applied',
        ],
      ]),
    );
    expect(h.findings).toHaveLength(2);
  });
});
