import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvironment } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderEnvironment } from '../src/render/render-environment.js';
import { type FixtureRepo, fixtureRepo, writeLocalChart } from './fixture.js';

let tools: Tools;
let repo: FixtureRepo;

async function render() {
  const loaded = await loadEnvironment(repo.root, 'dev');
  if (!loaded.environment) throw new Error(JSON.stringify(loaded.findings));
  return renderEnvironment({ root: repo.root, env: loaded.environment, tools });
}

const directory = (name: string, extra = '') =>
  `name: ${name}\nnamespace: ${name}\nsyncWave: 0\nsource:\n  type: directory\n  path: apps/${name}/m\n${extra}`;

beforeAll(async () => {
  tools = await ensureTools();
});
beforeEach(async () => {
  repo = await fixtureRepo(['dev']);
});
afterEach(() => repo.cleanup());

describe('render failures become findings at the file that caused them', () => {
  it('maps a helm template error to the template file and line', async () => {
    await writeLocalChart(repo);
    await repo.write(
      'apps/livy/chart/templates/broken.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.image.tag | nosuchfunction }}\n',
    );
    const r = await render();
    expect(r.apps).toEqual([expect.objectContaining({ app: 'livy', status: 'incomplete' })]);
    expect(r.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        rule: 'render/helm',
        file: 'apps/livy/chart/templates/broken.yaml',
        line: 6,
        app: 'livy',
        message: expect.stringContaining('function "nosuchfunction" not defined'),
      }),
    ]);
  });

  it('checks the merged values: a chart default removed with null fails a required key', async () => {
    await writeLocalChart(repo);
    await repo.write('apps/livy/values.yaml', 'replicas: null\n'); // null removes the chart default…
    const r = await render();
    // …which the chart schema requires: the error points at the file that removed it
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render/values-schema',
        message: expect.stringContaining('missing the required key "replicas"'),
      }),
    );
  });

  it('refuses a values file that is a symlink out of the repository, as Argo CD does, and one over 1 MiB', async () => {
    await writeLocalChart(repo);
    const outside = await mkdtemp(path.join(tmpdir(), 'airspark-outside-'));
    await writeFile(path.join(outside, 'values.yaml'), 'replicas: 3\n');
    await rm(path.join(repo.root, 'apps/livy/values.yaml'));
    await symlink(path.join(outside, 'values.yaml'), path.join(repo.root, 'apps/livy/values.yaml'));
    let r = await render();
    expect(r.apps).toEqual([expect.objectContaining({ app: 'livy', status: 'incomplete' })]);
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/values-file',
        file: 'apps/livy/values.yaml',
        message: expect.stringContaining('outside the repository'),
      }),
    ]);
    await rm(path.join(repo.root, 'apps/livy/values.yaml'));
    await repo.write('apps/livy/values.yaml', `replicas: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    r = await render();
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/values-file',
        file: 'apps/livy/values.yaml',
        message: expect.stringContaining('limited to 1 MiB'),
      }),
    ]);
    await rm(outside, { recursive: true, force: true });
  });

  it('reads a values file symlinked inside the repository (legitimate)', async () => {
    await writeLocalChart(repo);
    await repo.write('apps/livy/shared-values.yaml', 'replicas: 2\n');
    await rm(path.join(repo.root, 'apps/livy/values.yaml'));
    await symlink('shared-values.yaml', path.join(repo.root, 'apps/livy/values.yaml'));
    const r = await render();
    expect(r.findings).toEqual([]);
    expect(r.apps).toEqual([expect.objectContaining({ app: 'livy', status: 'rendered' })]);
  });

  it('reports a failing kustomize build at its kustomization', async () => {
    await repo.write(
      'apps/k/component.yaml',
      'name: k\nnamespace: k\nsyncWave: 0\nsource:\n  type: kustomize\n  path: apps/k/base\n',
    );
    await repo.write('apps/k/base/kustomization.yaml', 'resources: [missing.yaml]\n');
    const r = await render();
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/kustomize',
        file: 'apps/k/base/kustomization.yaml',
        message: expect.stringContaining('missing.yaml'),
      }),
    ]);
  });

  it('reports a duplicate key in a kustomize resource at that file and line, not at kustomization.yaml', async () => {
    await repo.write(
      'apps/k/component.yaml',
      'name: k\nnamespace: k\nsyncWave: 0\nsource:\n  type: kustomize\n  path: apps/k/base\n',
    );
    await repo.write('apps/k/base/kustomization.yaml', 'resources: [cm.yaml]\n');
    await repo.write(
      'apps/k/base/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1"\n  x: "2"\n',
    );
    const r = await render();
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/kustomize',
        file: 'apps/k/base/cm.yaml',
        line: 7,
        message: expect.stringContaining('duplicate key "x"'),
      }),
    ]);
  });

  it('applies directory include/exclude globs, reads JSON, and rejects broken manifests, jsonnet and symlinks out of the repository', async () => {
    await repo.write(
      'apps/d/component.yaml',
      directory('d', '  directory:\n    include: "{*.yaml,*.json}"\n    exclude: "*skip*"\n'),
    );
    await repo.write('apps/d/m/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    await repo.write('apps/d/m/sub/b.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    await repo.write(
      'apps/d/m/skip-me.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skipped\n',
    );
    await repo.write('apps/d/m/c.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}');
    await repo.write('apps/d/m/c.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-included\n');
    await repo.write('apps/e/component.yaml', directory('e'));
    await repo.write('apps/e/m/bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    await repo.write('apps/e/m/lib.jsonnet', '{}');
    await repo.write(
      'apps/e/m/list.yaml',
      'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: l1 } }\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: l2 } }\n',
    );
    await symlink('/etc/hostname', path.join(repo.root, 'apps/e/m/outside.yaml'));
    const r = await render();
    const names = (app: string) =>
      r.objects.filter((o) => o.app === app).map((o) => (o.object.metadata as { name: string }).name);
    // `*` crosses folders in Argo CD's globs, so sub/b.yaml is included
    expect(names('d')).toEqual(['a', 'b', 'c']);
    expect(names('e')).toEqual(['l1', 'l2']);
    expect(r.findings.map((f) => `${f.rule} ${f.file}:${f.line}`).sort()).toEqual([
      'render/directory apps/e/m/bad.yaml:5',
      'render/directory apps/e/m/lib.jsonnet:1',
      'render/directory apps/e/m/outside.yaml:1',
    ]);
  });

  it('reports an object that appears twice in one Application', async () => {
    await repo.write('apps/d/component.yaml', directory('d'));
    await repo.write('apps/d/m/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    await repo.write(
      'apps/d/m/b.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: d\n',
    );
    const r = await render();
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/duplicate-object',
        file: 'apps/d/m/b.yaml',
        message: expect.stringContaining('also from apps/d/m/a.yaml:1'),
      }),
    ]);
    expect(r.objects.filter((o) => o.app === 'd')).toHaveLength(1);
  });

  it('reports a namespaced object outside the project destinations', async () => {
    await repo.write('apps/d/component.yaml', directory('d'));
    await repo.write(
      'apps/d/m/a.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: elsewhere\n',
    );
    const r = await render();
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'render/project-denied',
        file: 'apps/d/component.yaml',
        resource: 'ConfigMap/elsewhere/a',
      }),
    ]);
  });
});
