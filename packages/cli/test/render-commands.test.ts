import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { captureContext } from './capture.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLOW = 180_000;
let root: string;

const capture = () => captureContext(root, { ...process.env, NO_COLOR: '1' });

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

async function airspark(...args: string[]) {
  const c = capture();
  const code = await main([...args, '--root', root], c.ctx);
  return { code, out: c.out(), err: c.err() };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'airspark-cli-'));
  await write('pnpm-workspace.yaml', 'packages: []\n');
  for (const env of ['dev', 'staging']) {
    await mkdir(path.join(root, 'clusters', env), { recursive: true });
    await cp(
      path.join(REPO, 'clusters', env, 'environment.yaml'),
      path.join(root, 'clusters', env, 'environment.yaml'),
    );
  }
  await write(
    'apps/livy/component.yaml',
    'name: livy\nenabledBy: components.livy.enabled\nnamespace: livy\nsyncWave: 20\nsyncOptions: [CreateNamespace=true]\nsource:\n  type: helm-local\n  path: apps/livy/chart\nvalues:\n  environmentFile: clusters/{env}/values/livy.yaml\n  schema: apps/livy/chart/values.schema.json\n  fromEnvironment:\n    image.tag: components.livy.image.tag\n',
  );
  await write('apps/livy/chart/Chart.yaml', 'apiVersion: v2\nname: livy\nversion: 0.1.0\n');
  await write('apps/livy/chart/values.yaml', 'port: 8998\nimage:\n  tag: x\n');
  await write(
    'apps/livy/chart/values.schema.json',
    '{"type":"object","additionalProperties":false,"properties":{"port":{"type":"integer"},"replicas":{"type":"integer"},"image":{"type":"object","additionalProperties":false,"properties":{"tag":{"type":"string"}}}}}',
  );
  await write(
    'apps/livy/chart/templates/service.yaml',
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: livy\nspec:\n  ports: [{ port: {{ .Values.port }} }]\n',
  );
  await write(
    'apps/airflow/component.yaml',
    'name: airflow\nnamespace: airflow\nsyncWave: 20\nsource:\n  type: helm-upstream\n  repoURL: https://airflow.apache.org\n  chart: airflow\n  versionFrom: components.airflow.chartVersion\n',
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('airspark render / validate', () => {
  it(
    'hydrates and renders an environment; the upstream chart that is not cached is a warning, not a success',
    async () => {
      const out = path.join(root, 'rendered');
      const r = await airspark('render', '--env', 'dev', '--out', out);
      expect(r.code).toBe(0);
      expect(r.err).toContain('wrote clusters/dev/apps/livy.yaml');
      expect(r.err).toMatch(/NOT complete: airflow/);
      expect(r.out).toContain(
        'not rendered: chart not cached: airflow 1.22.0 from https://airflow.apache.org',
      );
      const service = await readFile(path.join(out, 'livy', 'service-livy-livy.yaml'), 'utf8');
      expect(service).toContain('# Source: apps/livy/chart/templates/service.yaml:2');
      expect(service).toContain('port: 8998');
      const strict = await airspark('render', '--env', 'dev', '--out', out, '--strict');
      expect(strict.code).toBe(1);
    },
    SLOW,
  );

  it(
    'validate fails naming the stale file when a chart version changes without re-hydrating',
    async () => {
      await airspark('render', '--hydrate-only');
      expect((await airspark('validate')).code).toBe(0);
      const envFile = path.join(root, 'clusters/dev/environment.yaml');
      const original = await readFile(envFile, 'utf8');
      await writeFile(envFile, original.replace('chartVersion: 1.22.0', 'chartVersion: 1.22.1'));
      const stale = await airspark('validate', '--format', 'json');
      expect(stale.code).toBe(1);
      const report = JSON.parse(stale.out) as {
        findings: { severity: string; rule: string; file: string; line: number }[];
      };
      // Besides warnings (the upstream chart is not cached), the stale Application is the one error.
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([
        expect.objectContaining({ rule: 'render/stale-application', file: 'clusters/dev/apps/airflow.yaml' }),
      ]);
      await writeFile(envFile, original);
      expect((await airspark('validate')).code).toBe(0);
    },
    SLOW,
  );

  it(
    'reports a values typo in clusters/staging/values/livy.yaml with its file and line',
    async () => {
      await write('clusters/staging/values/livy.yaml', '# staging overrides\nreplicas: 2\nreplicaz: 3\n');
      await airspark('render', '--hydrate-only', '--env', 'staging');
      const r = await airspark('render', '--env', 'staging', '--out', path.join(root, 'rendered-staging'));
      expect(r.code).toBe(1);
      expect(r.out).toContain('clusters/staging/values/livy.yaml:3:1');
      expect(r.out).toContain('unknown values key "replicaz". Did you mean "replicas"?');
      await rm(path.join(root, 'clusters/staging/values/livy.yaml'));
    },
    SLOW,
  );

  it(
    'writes all or nothing: a component that cannot be read does not delete its hydrated Application',
    async () => {
      await airspark('render', '--hydrate-only');
      const component = path.join(root, 'apps/livy/component.yaml');
      const original = await readFile(component, 'utf8');
      await writeFile(component, original.replace('syncWave: 20', 'syncWave: twenty'));
      const r = await airspark('render', '--hydrate-only');
      expect(r.code).toBe(1);
      expect(r.err).toContain('nothing written');
      expect(await readFile(path.join(root, 'clusters/dev/apps/livy.yaml'), 'utf8')).toContain('name: livy');
      await writeFile(component, original);
    },
    SLOW,
  );

  it(
    'rejects an unknown format and an output folder it did not create',
    async () => {
      expect((await airspark('render', '--format', 'xml')).code).toBe(2);
      const r = await airspark('render', '--env', 'dev', '--out', path.join(root, 'apps'));
      expect(r.code).toBe(2);
      expect(r.err).toContain('was not written by airspark render');
    },
    SLOW,
  );
});

describe('airspark bootstrap', () => {
  it('needs --env', async () => {
    const r = await airspark('bootstrap');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--env is required');
  });

  it(
    'says clearly that the cluster cannot be reached, and changes nothing',
    async () => {
      await write(
        'apps/argocd/component.yaml',
        'name: argocd\nnamespace: argocd\nsyncWave: -50\nsource:\n  type: helm-local\n  path: apps/argocd/chart\n',
      );
      await write('apps/argocd/chart/Chart.yaml', 'apiVersion: v2\nname: argo-cd\nversion: 10.9.5\n');
      await write(
        'apps/argocd/chart/templates/cm.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n',
      );
      await airspark('render', '--hydrate-only');
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as { port: number }).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const kubeconfig = path.join(root, 'kubeconfig');
      await writeFile(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true }\nusers:\n- name: me\n  user: { token: t }\ncontexts:\n- name: airspark-dev\n  context: { cluster: gone, user: me }\ncurrent-context: airspark-dev\n`,
      );
      const r = await airspark('bootstrap', '--env', 'dev', '--kubeconfig', kubeconfig);
      expect(r.code).toBe(2);
      expect(r.err).toContain(
        `cannot reach the cluster of kubeconfig context "airspark-dev" at https://127.0.0.1:${port}`,
      );
      expect(r.err).toContain('nothing was changed');
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    },
    SLOW,
  );
});
