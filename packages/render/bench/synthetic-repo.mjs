import { cp, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A generated repository for benchmarks before (or besides) the real components: the real
 * environment files, 8 local charts of 6 templates, 2 kustomize bases and 2 plain directories.
 */
export async function syntheticRepository(repoRoot) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'airspark-bench-'));
  const write = async (file, text) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  await write('pnpm-workspace.yaml', 'packages: []\n');
  const clusters = await readdir(path.join(repoRoot, 'clusters'), { withFileTypes: true });
  for (const env of clusters.filter((e) => e.isDirectory()).map((e) => e.name)) {
    await mkdir(path.join(root, 'clusters', env), { recursive: true });
    await cp(
      path.join(repoRoot, 'clusters', env, 'environment.yaml'),
      path.join(root, 'clusters', env, 'environment.yaml'),
    );
  }
  for (let c = 0; c < 8; c++) {
    const name = `chart${c}`;
    await write(
      `apps/${name}/component.yaml`,
      `name: ${name}\nnamespace: ${name}\nsyncWave: 20\nsource:\n  type: helm-local\n  path: apps/${name}/chart\nvalues:\n  files: [apps/${name}/values.yaml]\n  fromEnvironment:\n    cluster: names.clusterName\n`,
    );
    await write(`apps/${name}/chart/Chart.yaml`, `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`);
    await write(`apps/${name}/chart/values.yaml`, 'replicas: 1\ncluster: x\n');
    await write(`apps/${name}/values.yaml`, 'replicas: 2\n');
    for (let t = 0; t < 6; t++) {
      await write(
        `apps/${name}/chart/templates/t${t}.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-${t}\n  labels: {{- include "labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: c\n          image: "example/app:{{ .Values.cluster }}"\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-${t}\nspec:\n  ports: [{ port: 80 }]\n`,
      );
    }
    await write(
      `apps/${name}/chart/templates/_helpers.tpl`,
      '{{- define "labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n',
    );
  }
  for (let k = 0; k < 2; k++) {
    await write(
      `apps/kz${k}/component.yaml`,
      `name: kz${k}\nnamespace: kz${k}\nsyncWave: 30\nsource:\n  type: kustomize\n  path: apps/kz${k}/base\n`,
    );
    await write(
      `apps/kz${k}/base/kustomization.yaml`,
      'resources: [cm.yaml]\nlabels:\n  - pairs: { team: a }\n',
    );
    await write(
      `apps/kz${k}/base/cm.yaml`,
      Array.from(
        { length: 10 },
        (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\n`,
      ).join('---\n'),
    );
  }
  for (let d = 0; d < 2; d++) {
    await write(
      `apps/dir${d}/component.yaml`,
      `name: dir${d}\nnamespace: dir${d}\nsyncWave: 0\nsource:\n  type: directory\n  path: apps/dir${d}/m\n`,
    );
    for (let i = 0; i < 10; i++)
      await write(
        `apps/dir${d}/m/cm${i}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\n`,
      );
  }
  return root;
}
