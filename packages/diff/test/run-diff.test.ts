import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type EnvironmentRenderer, type RenderedObject, runDiff } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A stand-in renderer (the real one, @airspark/render, is wired in by the CLI and tested there):
 * every YAML document under apps/<app>/manifests/ is an object of Application <app>, and the
 * environment's values file may override a ConfigMap value, so that environment inputs matter.
 */
const standInRenderer: EnvironmentRenderer = async (root, env) => {
  const objects: RenderedObject[] = [];
  const apps = await readdir(path.join(root, 'apps')).catch(() => []);
  const override = await readFile(path.join(root, `clusters/${env}/values/stand-in.yaml`), 'utf8').catch(
    () => '',
  );
  for (const app of apps.sort()) {
    const dir = path.join(root, 'apps', app, 'manifests');
    for (const file of (await readdir(dir).catch(() => [])).sort()) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        if (!('toJS' in doc)) continue;
        const object = doc.toJS() as Record<string, unknown>;
        if (object.kind === 'ConfigMap' && override)
          (object.data as Record<string, string>).override = override.trim();
        objects.push({
          env,
          app,
          object,
          source: { file: `apps/${app}/manifests/${file}`, line: 1, column: 1 },
        });
      }
    }
  }
  const broken = objects.some((o) => o.object.kind === 'Broken');
  // An app whose manifests folder holds UNCACHED renders nothing, like an upstream chart not in the cache.
  const uncached: string[] = [];
  for (const app of apps) {
    const files = await readdir(path.join(root, 'apps', app, 'manifests')).catch(() => [] as string[]);
    if (files.includes('UNCACHED')) uncached.push(app);
  }
  const error = {
    severity: 'error',
    rule: 'render/helm',
    message: 'chart not cached',
    file: 'apps/x',
    line: 0,
    column: 0,
  } as const;
  return {
    objects: objects.filter((o) => !uncached.includes(o.app)),
    findings: broken ? [error] : [],
    incomplete: uncached.map((app) => ({ app, reason: 'chart not cached: demo 1.0.0' })),
  };
};

const manifests = (image: string, secret: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: livy, namespace: livy }
spec:
  template:
    spec:
      containers:
        - name: livy
          image: ${image}
---
apiVersion: v1
kind: Secret
metadata: { name: livy-auth, namespace: livy }
data:
  token: ${secret}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: livy-conf, namespace: livy }
data:
  livy.conf: "livy.server.port = 8998"
`;

describe('runDiff on a real git repository', () => {
  let root: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'airspark-diff-'));
    await cp(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), { recursive: true });
    await write('pnpm-workspace.yaml', 'packages: []\n');
    await write('apps/livy/manifests/all.yaml', manifests('livy:r1', 'T0xEVE9LRU4='));
    await write('README.md', 'readme\n');
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'base');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const diff = (base = 'HEAD', envs?: string[]) =>
    runDiff({ root, base, render: standInRenderer, ...(envs ? { envs } : {}) });

  it('no change: no environment affected', async () => {
    const report = await diff();
    expect(report.environments).toEqual([]);
    expect(report.base.commit).toBe(git('rev-parse', 'HEAD').trim());
  });

  it('a file outside every input affects nothing', async () => {
    await write('README.md', 'changed\n');
    expect((await diff()).environments).toEqual([]);
  });

  it('a per-environment values file affects only that environment, and shows exactly the changed field', async () => {
    await write('clusters/staging/values/stand-in.yaml', 'replicas: 2\n');
    const report = await diff();
    expect(report.environments.map((e) => [e.env, e.status])).toEqual([['staging', 'changed']]);
    const [object] = report.environments[0]?.objects ?? [];
    expect(report.environments[0]?.objects).toHaveLength(1);
    expect(object?.id).toEqual({
      app: 'livy',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'livy',
      name: 'livy-conf',
    });
    expect(object?.fields).toEqual([{ path: 'data.override', change: 'added', after: 'replicas: 2' }]);
  });

  it('after a commit, --base HEAD~1 shows the committed change: a component change reaches every environment, Secrets redacted', async () => {
    await write('apps/livy/manifests/all.yaml', manifests('livy:r2', 'TkVXVE9LRU4='));
    git('commit', '--quiet', '--all', '-m', 'bump livy');
    const report = await diff('HEAD~1');
    expect(report.changedFiles).toEqual(['apps/livy/manifests/all.yaml']);
    expect(report.environments.map((e) => e.env).sort()).toEqual(['dev', 'local', 'prod', 'staging']);
    for (const env of report.environments) {
      expect(
        env.objects.map((o) => [o.change, o.id.kind, o.fields.map((f) => [f.path, f.before, f.after])]),
      ).toEqual([
        ['changed', 'Deployment', [['spec.template.spec.containers[name=livy].image', 'livy:r1', 'livy:r2']]],
        ['changed', 'Secret', [['data.token', '(redacted)', '(redacted)']]],
      ]);
    }
    expect(JSON.stringify(report)).not.toMatch(/T0xEVE9LRU4|TkVXVE9LRU4/);
  });

  it('reports pin changes of environment.yaml next to the objects', async () => {
    const file = 'clusters/dev/environment.yaml';
    await write(
      file,
      (await readFile(path.join(root, file), 'utf8')).replace(
        '    chartVersion: 1.22.0',
        '    chartVersion: 1.22.1',
      ),
    );
    const report = await diff();
    expect(report.environments.map((e) => [e.env, e.status, e.pins])).toEqual([
      ['dev', 'unchanged', [{ pin: 'components.airflow.chartVersion', before: '1.22.0', after: '1.22.1' }]],
    ]);
  });

  it('an environment added in the working tree shows every object as added; a deleted one as removed', async () => {
    await cp(path.join(root, 'clusters/staging'), path.join(root, 'clusters/qa'), { recursive: true });
    const qa = path.join(root, 'clusters/qa/environment.yaml');
    await writeFile(qa, (await readFile(qa, 'utf8')).replace('name: staging', 'name: qa'));
    await rm(path.join(root, 'clusters/prod'), { recursive: true });
    const report = await diff();
    expect(report.environments.map((e) => [e.env, e.status, e.objects.map((o) => o.change)])).toEqual([
      ['qa', 'added', ['added', 'added', 'added']], // promotion order: qa (from dev) before prod
      ['prod', 'removed', ['removed', 'removed', 'removed']],
    ]);
  });

  it('--env renders the named environment even when nothing changed; an unknown one is a usage error', async () => {
    const report = await diff('HEAD', ['prod']);
    expect(report.environments.map((e) => [e.env, e.status])).toEqual([['prod', 'unchanged']]);
    await expect(diff('HEAD', ['qa'])).rejects.toThrow('no environment "qa" in the working tree or at HEAD');
  });

  it('an app one side cannot render (chart not cached) is left out of the comparison and named, not shown as removed', async () => {
    await write(
      'apps/other/manifests/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other, namespace: x }\n',
    );
    git('add', '--all');
    git('commit', '--quiet', '-m', 'other app');
    await write('apps/other/manifests/UNCACHED', '');
    await write('apps/livy/manifests/all.yaml', manifests('livy:r3', 'T0xEVE9LRU4='));
    const report = await diff('HEAD', ['dev']);
    const [dev] = report.environments;
    expect(dev?.skipped).toEqual([
      { app: 'other', reason: 'chart not cached: demo 1.0.0', sides: ['in the working tree'] },
    ]);
    expect(dev?.objects.map((o) => [o.change, o.id.app, o.id.kind])).toEqual([
      ['changed', 'livy', 'Deployment'],
    ]);
    expect(dev?.status).toBe('changed');
  });

  it('a render failure on either side marks the environment failed with the reason', async () => {
    await write('apps/livy/manifests/broken.yaml', 'apiVersion: v1\nkind: Broken\nmetadata: { name: b }\n');
    const report = await diff('HEAD', ['dev']);
    expect(report.environments).toMatchObject([
      { env: 'dev', status: 'failed', problems: ['in the working tree: apps/x: chart not cached'] },
    ]);
  });

  it('an unknown ref is a usage error that says how to fetch it', async () => {
    await expect(diff('origin/main')).rejects.toThrow('--base "origin/main" names no commit here');
    await expect(diff('--output=/tmp/x')).rejects.toThrow('is not a git ref');
  });

  it("leaves the user's working tree, index, branches and worktrees untouched", async () => {
    await write('clusters/dev/values/stand-in.yaml', 'a: 1\n');
    git('add', 'clusters/dev/values/stand-in.yaml');
    await write(
      'apps/livy/manifests/extra.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: livy }\ndata: {}\n',
    );
    const state = () => [
      git('status', '--porcelain'),
      git('branch', '--list'),
      git('worktree', 'list'),
      git('stash', 'list'),
    ];
    const before = state();
    await diff();
    expect(state()).toEqual(before);
  });
});
