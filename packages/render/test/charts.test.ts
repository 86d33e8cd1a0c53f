import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadComponents, loadEnvironment } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cachedChart } from '../src/charts/chart-cache.js';
import { chartContentDigest } from '../src/charts/chart-content.js';
import { ChartPullError, pullChart } from '../src/charts/chart-pull.js';
import { collectChartRefs, pullCharts } from '../src/charts/pull-charts.js';
import { renderEnvironment } from '../src/render/render-environment.js';
import { type ChartRepository, startChartRepository } from './chart-repository.js';
import { type FixtureRepo, fixtureRepo } from './fixture.js';

let tools: Tools;
let charts: ChartRepository;
let repo: FixtureRepo;
let cache: string;
let cacheEnv: NodeJS.ProcessEnv;

const airflowTemplates = {
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-scheduler
spec:
  replicas: {{ .Values.scheduler.replicas }}
  template:
    spec:
      containers:
        - name: scheduler
          image: "apache/airflow:{{ .Values.defaultAirflowTag }}"
          args: [{{ .Values.executor | quote }}]
`,
};
const airflowDefaults = 'executor: CeleryExecutor\ndefaultAirflowTag: 3.2.2\nscheduler:\n  replicas: 1\n';

async function envs() {
  return Promise.all(
    ['dev', 'staging'].map(async (n) => {
      const l = await loadEnvironment(repo.root, n);
      if (!l.environment) throw new Error(JSON.stringify(l.findings));
      return l.environment;
    }),
  );
}

async function render(name: string, strict = false) {
  const [dev, staging] = await envs();
  return renderEnvironment({
    root: repo.root,
    env: (name === 'dev' ? dev : staging) as NonNullable<typeof dev>,
    tools,
    strict,
    cacheEnv,
  });
}

async function pull() {
  const { refs } = await collectChartRefs(repo.root, await envs(), await loadComponents(repo.root));
  return pullCharts({ root: repo.root, refs, helm: tools.helm, cacheEnv });
}

beforeAll(async () => {
  tools = await ensureTools();
  charts = await startChartRepository(tools.helm);
  await charts.publish('airflow', '1.22.0', airflowTemplates, airflowDefaults);
  await charts.publish('airflow', '1.22.1', airflowTemplates, airflowDefaults);
});
afterAll(() => charts.close());

beforeEach(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-chartcache-'));
  cacheEnv = { ...process.env, AIRSPARK_CACHE_DIR: cache };
  repo = await fixtureRepo();
  await repo.write(
    'apps/airflow/component.yaml',
    `name: airflow
enabledBy: components.airflow.enabled
namespace: airflow
syncWave: 20
source:
  type: helm-upstream
  repoURL: ${charts.url}
  chart: airflow
  versionFrom: components.airflow.chartVersion
values:
  files: [apps/airflow/values.yaml]
  environmentFile: clusters/{env}/values/airflow.yaml
  schema: apps/airflow/values.schema.json
  fromEnvironment:
    defaultAirflowTag: components.airflow.imageTag
`,
  );
  await repo.write('apps/airflow/values.yaml', 'executor: KubernetesExecutor\nscheduler:\n  replicas: 2\n');
  await repo.write(
    'apps/airflow/values.schema.json',
    JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: {
        executor: { enum: ['KubernetesExecutor', 'CeleryExecutor'] },
        defaultAirflowTag: { type: 'string' },
        scheduler: {
          type: 'object',
          additionalProperties: false,
          properties: { replicas: { type: 'integer', minimum: 1 } },
        },
      },
    }),
  );
  charts.requests.length = 0;
});
afterEach(async () => {
  await repo.cleanup();
  await rm(cache, { recursive: true, force: true });
});

describe('chart cache against a real chart repository on loopback', () => {
  it('reports a chart that is not cached as a finding, never as success (warning; error when strict)', async () => {
    const dev = await render('dev');
    expect(dev.apps).toEqual([expect.objectContaining({ app: 'airflow', status: 'incomplete', objects: 0 })]);
    expect(dev.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        rule: 'render/chart-not-cached',
        file: 'apps/airflow/component.yaml',
        message: expect.stringMatching(
          /^not rendered: chart not cached: airflow 1\.22\.0 from http:\/\/127\.0\.0\.1:\d+/,
        ),
      }),
    ]);
    expect((await render('dev', true)).findings[0]?.severity).toBe('error');
    expect(charts.requests).toEqual([]);
  });

  it('still checks the values of a chart that is not cached, at the file and line that set them', async () => {
    await repo.write('clusters/dev/values/airflow.yaml', 'scheduler:\n  replicas: 0\n  replica: 3\n');
    const dev = await render('dev');
    expect(dev.findings.map((f) => [f.rule, f.file, f.line])).toEqual(
      expect.arrayContaining([
        ['render/chart-not-cached', 'apps/airflow/component.yaml', 0],
        ['render/values-schema', 'clusters/dev/values/airflow.yaml', 2],
        ['render/values-schema', 'clusters/dev/values/airflow.yaml', 3],
      ]),
    );
    expect(charts.requests).toEqual([]);
  });

  it('pulls every pinned chart once, records digests in charts.lock.yaml, then renders offline from the cache', async () => {
    const first = await pull();
    expect(first.outcomes.map((o) => o.status)).toEqual(['pulled']); // dev and staging pin the same 1.22.0
    expect(first.lockChanged).toBe(true);
    const lock = parse(await repo.read('charts.lock.yaml'));
    const served = await readFile(path.join(charts.dir, 'airflow-1.22.0.tgz'));
    const { createHash } = await import('node:crypto');
    expect(lock.charts).toEqual([
      {
        repoURL: charts.url,
        chart: 'airflow',
        version: '1.22.0',
        contentDigest: await chartContentDigest(served),
      },
    ]);
    const cached = await cachedChart({ repoURL: charts.url, chart: 'airflow', version: '1.22.0' }, cacheEnv);
    expect(cached?.path).toBe(
      path.join(cache, 'charts', `${createHash('sha256').update(served).digest('hex')}.tgz`),
    );

    const again = await pull();
    expect(again).toEqual({ outcomes: [expect.objectContaining({ status: 'cached' })], lockChanged: false });

    charts.requests.length = 0;
    const dev = await render('dev');
    expect(charts.requests).toEqual([]);
    expect(dev.findings).toEqual([]);
    const scheduler = dev.objects.find((o) => o.object.kind === 'Deployment');
    expect(scheduler?.renderedPath).toBe('airflow/deployment-airflow-airflow-scheduler.yaml');
    expect(scheduler?.source).toEqual({
      file: 'airflow-1.22.0.tgz#airflow/templates/deployment.yaml',
      line: 1,
      column: 1,
      inRepository: false,
    });
    const spec = scheduler?.object.spec as {
      replicas: number;
      template: { spec: { containers: { image: string; args: string[] }[] } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.containers[0]).toMatchObject({
      image: 'apache/airflow:3.3.2',
      args: ['KubernetesExecutor'],
    });
  });

  it('rejects a package whose digest differs from the repository index', async () => {
    await charts.publish('airflow', '1.22.0', airflowTemplates, airflowDefaults);
    charts.override('airflow-1.22.0.tgz', Buffer.from('not the package the index describes'));
    try {
      await expect(
        pullChart(
          { repoURL: charts.url, chart: 'airflow', version: '1.22.0' },
          { helm: tools.helm, env: cacheEnv },
        ),
      ).rejects.toThrow(
        /the package has sha256:[0-9a-f]{64} but the repository index says sha256:[0-9a-f]{64}; refusing it/,
      );
      const outcome = await pull();
      expect(outcome.outcomes[0]?.status).toBe('failed');
      expect(
        await cachedChart({ repoURL: charts.url, chart: 'airflow', version: '1.22.0' }, cacheEnv),
      ).toBeUndefined();
    } finally {
      charts.override('airflow-1.22.0.tgz', undefined);
    }
  });

  it('rejects a republished chart whose digest differs from charts.lock.yaml, and keeps the lock entry', async () => {
    await pull();
    const locked = await repo.read('charts.lock.yaml');
    await charts.publish(
      'airflow',
      '1.22.0',
      { ...airflowTemplates, 'extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sneaky\n' },
      airflowDefaults,
    );
    await rm(path.join(cache, 'charts'), { recursive: true, force: true });
    const outcome = await pull();
    expect(outcome.outcomes[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('charts.lock.yaml records'),
    });
    expect(await repo.read('charts.lock.yaml')).toBe(locked);
    const dev = await render('dev');
    expect(dev.findings.map((f) => f.rule)).toEqual(['render/chart-not-cached']);
  });

  it('refuses to render a cached chart that is not in the lock', async () => {
    await pull();
    await rm(path.join(repo.root, 'charts.lock.yaml'));
    const dev = await render('dev');
    expect(dev.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        rule: 'render/chart-lock',
        message: expect.stringContaining('is not in charts.lock.yaml'),
      }),
    ]);
  });

  it('says which repository cannot be reached', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = { repoURL: `http://127.0.0.1:${port}`, chart: 'airflow', version: '1.22.0' };
    await expect(pullChart(dead, { helm: tools.helm, env: cacheEnv, timeoutMs: 5000 })).rejects.toThrow(
      ChartPullError,
    );
    await expect(pullChart(dead, { helm: tools.helm, env: cacheEnv, timeoutMs: 5000 })).rejects.toThrow(
      `cannot reach http://127.0.0.1:${port}/index.yaml: ECONNREFUSED`,
    );
  });

  it('checks values before rendering: a typo in a per-environment file is reported at its file and line', async () => {
    await pull();
    await repo.write(
      'clusters/staging/values/airflow.yaml',
      '# staging\nscheduler:\n  replicas: 3\n  replicaz: 4\n',
    );
    const staging = await render('staging');
    expect(staging.objects.filter((o) => o.app === 'airflow')).toEqual([]);
    expect(staging.findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        rule: 'render/values-schema',
        file: 'clusters/staging/values/airflow.yaml',
        line: 4,
        column: 3,
        message: expect.stringContaining('unknown values key "scheduler.replicaz". Did you mean "replicas"?'),
      }),
    );
    await repo.write('clusters/staging/values/airflow.yaml', 'scheduler:\n  replicas: 0\n');
    const zero = await render('staging');
    expect(zero.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render/values-schema',
        file: 'clusters/staging/values/airflow.yaml',
        line: 2,
      }),
    );
    // a bad value computed from the environment (valuesObject) points at environment.yaml, where it was written
    await repo.write('clusters/staging/values/airflow.yaml', 'scheduler:\n  replicas: 1\n');
    const schema = JSON.parse(await repo.read('apps/airflow/values.schema.json'));
    schema.properties.defaultAirflowTag.pattern = '^2\\.';
    await repo.write('apps/airflow/values.schema.json', JSON.stringify(schema));
    const tag = await render('staging');
    const envLines = (await repo.read('clusters/staging/environment.yaml')).split('\n');
    const imageTagLine = envLines.findIndex((l) => l.includes('imageTag: 3.3.2')) + 1;
    expect(tag.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render/values-schema',
        file: 'clusters/staging/environment.yaml',
        line: imageTagLine,
      }),
    );
  });
});
