import type { LoadedEnvironment } from '@airspark/config';
import type { HydratedComponent, Manifest } from './application.js';
import {
  ARGOCD_NAMESPACE,
  appsDir,
  gitRepoURL,
  IN_CLUSTER,
  projectName,
  ROOT_APP,
  rootProjectName,
  SYNC_WAVE,
} from './argo.js';

function groupKind(entry: string): { group: string; kind: string } {
  const slash = entry.lastIndexOf('/');
  return { group: entry.slice(0, slash), kind: entry.slice(slash + 1) };
}

/**
 * The AppProject of an environment's components: exactly the repositories, namespaces and
 * cluster-scoped kinds the components declare, so that Argo CD refuses anything else.
 */
export function buildProject(env: LoadedEnvironment, components: readonly HydratedComponent[]): Manifest {
  const repos = new Set([gitRepoURL(env.environment)]);
  const namespaces = new Set<string>();
  const clusterKinds = new Set<string>();
  for (const c of components) {
    if (c.chartRepo) repos.add(c.chartRepo);
    for (const ns of c.namespaces) namespaces.add(ns);
    for (const k of c.component.component.clusterResources ?? []) clusterKinds.add(k);
    // Argo CD checks the namespace it creates for CreateNamespace=true against the project too.
    if (c.component.component.syncOptions?.includes('CreateNamespace=true')) clusterKinds.add('/Namespace');
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: projectName(env.name),
      namespace: ARGOCD_NAMESPACE,
      // Before every Application of the environment: they cannot sync without their project.
      annotations: { [SYNC_WAVE]: '-100' },
    },
    spec: {
      description: `airspark ${env.name}: the platform components (generated from apps/*/component.yaml).`,
      sourceRepos: [...repos].sort(),
      destinations: [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
      clusterResourceWhitelist: [...clusterKinds].sort().map(groupKind),
    },
  };
}

/**
 * The bootstrap pair in root.yaml: a project that may only manage Applications and AppProjects in
 * the Argo CD namespace, and the app-of-apps that syncs clusters/<env>/apps.
 */
export function buildRoot(env: LoadedEnvironment): Manifest[] {
  const { gitops } = env.environment;
  const project: Manifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: rootProjectName(env.name), namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `airspark ${env.name}: the app-of-apps; may only manage Applications and AppProjects.`,
      sourceRepos: [gitRepoURL(env.environment)],
      destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    },
  };
  const spec: Manifest = {
    project: rootProjectName(env.name),
    source: {
      repoURL: gitRepoURL(env.environment),
      targetRevision: gitops.targetRevision,
      path: appsDir(env.name),
      directory: { recurse: false },
    },
    destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
  };
  if (gitops.sync.automated) {
    spec.syncPolicy = {
      automated: { prune: gitops.sync.prune ?? false, selfHeal: gitops.sync.selfHeal ?? false },
    };
  }
  const root: Manifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: ROOT_APP, namespace: ARGOCD_NAMESPACE },
    spec,
  };
  return [project, root];
}
