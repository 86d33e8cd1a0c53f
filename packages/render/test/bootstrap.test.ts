import { loadComponents, loadEnvironment } from '@airspark/config';
import { startTestCluster, type TestCluster } from '@airspark/kube';
import { ensureTools, run, type Tools } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/bootstrap/bootstrap.js';
import { writeHydration } from '../src/hydrate/files.js';
import { hydrate } from '../src/hydrate/hydrate-environment.js';
import { type FixtureRepo, fixtureRepo } from './fixture.js';

// A real kube-apiserver + etcd (envtest) from @airspark/kube. It runs no controllers, so
// Deployments never become ready: the apply path is tested with --no-wait, CRDs are waited for.
let cluster: TestCluster;
let tools: Tools;
let repo: FixtureRepo;

beforeAll(async () => {
  [cluster, tools] = await Promise.all([startTestCluster(), ensureTools()]);
  repo = await fixtureRepo(['dev']);
  await repo.write(
    'apps/argocd/component.yaml',
    'name: argocd\nnamespace: argocd\nsyncWave: 10\nclusterResources: [apiextensions.k8s.io/CustomResourceDefinition]\nsource:\n  type: helm-local\n  path: apps/argocd/chart\n',
  );
  await repo.write('apps/argocd/chart/Chart.yaml', 'apiVersion: v2\nname: argo-cd\nversion: 10.9.5\n');
  await repo.write(
    'apps/argocd/chart/crds/applications.yaml',
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
spec:
  group: argoproj.io
  scope: Namespaced
  names: { kind: Application, plural: applications, singular: application, listKind: ApplicationList }
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: appprojects.argoproj.io
spec:
  group: argoproj.io
  scope: Namespaced
  names: { kind: AppProject, plural: appprojects, singular: appproject, listKind: AppProjectList }
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`,
  );
  await repo.write(
    'apps/argocd/chart/templates/server.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-server
spec:
  selector: { matchLabels: { app: argocd-server } }
  template:
    metadata: { labels: { app: argocd-server } }
    spec:
      containers: [{ name: server, image: "quay.io/argoproj/argocd:v3.5.3" }]
      volumes:
        - name: scripts
          configMap: { name: argocd-cm, defaultMode: 0755 }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
data:
  exec.enabled: "no"
  resource.customizations.health.argoproj.io_Application: "hs = {}\\nhs.status = 'Healthy'\\nreturn hs\\n"
`,
  );
  const dev = await loadEnvironment(repo.root, 'dev');
  if (!dev.environment) throw new Error('dev did not load');
  await writeHydration(repo.root, await hydrate(repo.root, dev.environment));
});
afterAll(async () => {
  await cluster?.stop();
  await repo?.cleanup();
});

async function kubectl(...args: string[]) {
  const r = await run(tools.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('bootstrap against a real kube-apiserver (envtest)', () => {
  it('hands kubectl what helm wrote: a quoted "no" stays a string, 0755 stays octal (YAML 1.1)', async () => {
    const dev = await loadEnvironment(repo.root, 'dev');
    if (!dev.environment) throw new Error('dev did not load');
    // A re-serialisation writes `exec.enabled: no` (kubectl: the boolean false, rejected in a
    // ConfigMap) and `defaultMode: 755` (decimal 755 = mode 01363 instead of 0755 = 493).
    await bootstrap({
      root: repo.root,
      env: dev.environment,
      components: await loadComponents(repo.root),
      tools,
      kubeconfig: cluster.kubeconfigPath,
      wait: false,
    });
    const cm = JSON.parse(await kubectl('-n', 'argocd', 'get', 'configmap', 'argocd-cm', '-o', 'json'));
    expect(cm.data['exec.enabled']).toBe('no');
    const server = JSON.parse(
      await kubectl('-n', 'argocd', 'get', 'deployment', 'argocd-server', '-o', 'json'),
    );
    expect(server.spec.template.spec.volumes[0].configMap.defaultMode).toBe(0o755);
  });

  it('installs Argo CD and the root application, and a second run changes nothing', async () => {
    const dev = await loadEnvironment(repo.root, 'dev');
    if (!dev.environment) throw new Error('dev did not load');
    const components = await loadComponents(repo.root);
    const lines: string[] = [];
    const options = {
      root: repo.root,
      env: dev.environment,
      components,
      tools,
      kubeconfig: cluster.kubeconfigPath,
      wait: false,
      log: (l: string) => lines.push(l),
    };
    const first = await bootstrap(options);
    expect(first.findings).toEqual([]);
    expect(first.applied).toBe(7); // namespace, 2 CRDs, Deployment + ConfigMap, root project + root app
    expect(lines.join('\n')).toMatch(/applying 2 Argo CD CRDs[\s\S]*applying root project and app-of-apps/);

    const root = JSON.parse(
      await kubectl('-n', 'argocd', 'get', 'applications.argoproj.io', 'root', '-o', 'json'),
    );
    expect(root.spec).toMatchObject({ project: 'airspark-dev-root', source: { path: 'clusters/dev/apps' } });
    const project = JSON.parse(
      await kubectl('-n', 'argocd', 'get', 'appprojects.argoproj.io', 'airspark-dev-root', '-o', 'json'),
    );
    expect(project.spec.namespaceResourceWhitelist).toHaveLength(2);
    expect(await kubectl('-n', 'argocd', 'get', 'deployment', 'argocd-server', '-o', 'name')).toBe(
      'deployment.apps/argocd-server\n',
    );
    const managers = JSON.parse(
      await kubectl('-n', 'argocd', 'get', 'configmap', 'argocd-cm', '-o', 'json', '--show-managed-fields'),
    ).metadata.managedFields.map(
      (m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toEqual(['airspark-bootstrap/Apply']);

    const before = await kubectl(
      '-n',
      'argocd',
      'get',
      'configmap',
      'argocd-cm',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    );
    const second = await bootstrap(options);
    expect(second.findings).toEqual([]);
    const after = await kubectl(
      '-n',
      'argocd',
      'get',
      'configmap',
      'argocd-cm',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    );
    expect(after).toBe(before); // server-side apply of the same objects is a no-op
  });
});
