import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadComponents } from '../src/component-loader.js';

let root: string;

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'airspark-components-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const livy = `name: livy
enabledBy: components.livy.enabled
namespace: livy
syncWave: 20
syncOptions: [CreateNamespace=true]
source:
  type: helm-local
  path: apps/livy/chart
values:
  files: [apps/livy/values.yaml]
  environmentFile: clusters/{env}/values/livy.yaml
  fromEnvironment:
    image.tag: components.livy.image.tag
`;

describe('loadComponents', () => {
  it('loads a valid declaration', async () => {
    await write('apps/livy/component.yaml', livy);
    await write('apps/livy/chart/Chart.yaml', 'apiVersion: v2\nname: livy\nversion: 0.1.0\n');
    await write('apps/livy/values.yaml', 'replicas: 1\n');
    const result = await loadComponents(root);
    expect(result.findings).toEqual([]);
    expect(result.components.map((c) => c.component.source.type)).toEqual(['helm-local']);
  });

  it('reports an unknown key at its line with a suggestion', async () => {
    await write('apps/livy/component.yaml', livy.replace('syncWave: 20', 'syncWav: 20'));
    const result = await loadComponents(root);
    expect(result.components).toEqual([]);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        file: 'apps/livy/component.yaml',
        line: 4,
        rule: 'config/component-schema',
        message: expect.stringContaining('Did you mean "syncWave"'),
      }),
    );
  });

  it('rejects upstream fields on a local source, a missing chart folder and a missing values file', async () => {
    await write(
      'apps/livy/component.yaml',
      livy.replace('  path: apps/livy/chart\n', '  path: apps/livy/chart\n  chart: livy\n'),
    );
    const result = await loadComponents(root);
    const messages = result.findings.map((f) => `${f.line}: ${f.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^9: source.chart is only for type helm-upstream/));
    expect(messages).toContainEqual(expect.stringMatching(/^8: apps\/livy\/chart is not a folder/));
    expect(messages).toContainEqual(
      expect.stringMatching(/^11: values file apps\/livy\/values.yaml does not exist/),
    );
  });

  it('requires repoURL, chart and versionFrom for an upstream chart', async () => {
    await write(
      'apps/airflow/component.yaml',
      'name: airflow\nnamespace: airflow\nsyncWave: 20\nsource:\n  type: helm-upstream\n  chart: airflow\n',
    );
    const result = await loadComponents(root);
    expect(result.findings.map((f) => f.message)).toEqual([
      expect.stringContaining('needs "repoURL"'),
      expect.stringContaining('needs "versionFrom"'),
    ]);
  });

  it('requires the name to equal the folder and rejects reserved names', async () => {
    await write('apps/x/component.yaml', livy.replace('name: livy', 'name: y'));
    await write('apps/root/component.yaml', livy.replace('name: livy', 'name: root'));
    const result = await loadComponents(root);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        file: 'apps/x/component.yaml',
        line: 1,
        message: expect.stringContaining('folder is apps/x'),
      }),
    );
    expect(result.findings).toContainEqual(
      expect.objectContaining({ file: 'apps/root/component.yaml', line: 1 }),
    );
  });

  it('rejects values on a kustomize source and a kustomize folder without kustomization.yaml', async () => {
    await write(
      'apps/k/component.yaml',
      'name: k\nnamespace: k\nsyncWave: 30\nsource:\n  type: kustomize\n  path: apps/k/base\nvalues:\n  files: []\n',
    );
    await write('apps/k/base/x.yaml', 'kind: ConfigMap\n');
    const result = await loadComponents(root);
    expect(result.findings.map((f) => `${f.line}: ${f.message}`).sort()).toEqual([
      expect.stringMatching(/^6: apps\/k\/base has no kustomization.yaml/),
      expect.stringMatching(/^7: values are only for helm sources/),
    ]);
  });

  it('requires CreateNamespace=true for namespaceMetadata', async () => {
    await write('apps/livy/chart/Chart.yaml', 'apiVersion: v2\nname: livy\nversion: 0.1.0\n');
    await write('apps/livy/values.yaml', 'replicas: 1\n');
    await write(
      'apps/livy/component.yaml',
      livy.replace(
        'syncOptions: [CreateNamespace=true]',
        'syncOptions: []\nnamespaceMetadata:\n  labels: { a: b }',
      ),
    );
    const result = await loadComponents(root);
    expect(result.findings).toEqual([
      expect.objectContaining({
        line: 6,
        message: expect.stringContaining('only takes effect with CreateNamespace=true'),
      }),
    ]);
  });
});
