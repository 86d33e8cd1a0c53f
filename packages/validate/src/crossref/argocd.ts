import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, metadataOf, type RenderedObject, splitApiVersion } from '../model.js';
import { rules } from '../rules.js';
import type { SchemaCatalog } from '../schema/catalog.js';
import { isNamespacedObject } from './inventory.js';

/**
 * Argo CD matches project patterns with gobwas/glob without separators (util/glob): `*` matches any
 * run of characters including `/`, `?` one character, `[…]` a class, `{a,b}` alternatives.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end === -1) out += '\\{';
      else {
        out += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

/** Argo CD's rule for lists with `!` exclusions: denied by any exclusion, else allowed by any inclusion. */
export function permitted(patterns: readonly string[], value: string): boolean {
  if (patterns.some((p) => p.startsWith('!') && globMatch(p.slice(1), value))) return false;
  return patterns.some((p) => !p.startsWith('!') && globMatch(p, value));
}

interface Destination {
  server?: string;
  name?: string;
  namespace?: string;
}

interface GroupKind {
  group: string;
  kind: string;
}

interface Project {
  name: string;
  sourceRepos: string[];
  destinations: Destination[];
  clusterResourceWhitelist?: GroupKind[];
  clusterResourceBlacklist: GroupKind[];
  namespaceResourceWhitelist?: GroupKind[];
  namespaceResourceBlacklist: GroupKind[];
}

function isArgo(o: Record<string, unknown>, kind: string): boolean {
  return o.kind === kind && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/');
}

function groupKinds(value: unknown): GroupKind[] {
  return Array.isArray(value)
    ? value.filter(isRecord).map((g) => ({ group: String(g.group ?? ''), kind: String(g.kind ?? '') }))
    : [];
}

function projectOf(o: Record<string, unknown>): Project {
  const spec = isRecord(o.spec) ? o.spec : {};
  const project: Project = {
    name: metadataOf(o).name ?? '',
    sourceRepos: Array.isArray(spec.sourceRepos) ? spec.sourceRepos.map(String) : [],
    destinations: Array.isArray(spec.destinations)
      ? (spec.destinations.filter(isRecord) as Destination[])
      : [],
    clusterResourceBlacklist: groupKinds(spec.clusterResourceBlacklist),
    namespaceResourceBlacklist: groupKinds(spec.namespaceResourceBlacklist),
  };
  if (spec.clusterResourceWhitelist !== undefined)
    project.clusterResourceWhitelist = groupKinds(spec.clusterResourceWhitelist);
  if (spec.namespaceResourceWhitelist !== undefined)
    project.namespaceResourceWhitelist = groupKinds(spec.namespaceResourceWhitelist);
  return project;
}

function matchesGroupKind(list: readonly GroupKind[], group: string, kind: string): boolean {
  return list.some((g) => globMatch(g.group, group) && globMatch(g.kind, kind));
}

function destinationPermitted(project: Project, destination: Destination, namespace: string): boolean {
  return project.destinations.some((d) => {
    const serverOk =
      (d.server !== undefined &&
        destination.server !== undefined &&
        globMatch(d.server, destination.server)) ||
      (d.name !== undefined && destination.name !== undefined && globMatch(d.name, destination.name));
    const nsPattern = d.namespace ?? '*';
    const nsOk = nsPattern.startsWith('!')
      ? !globMatch(nsPattern.slice(1), namespace)
      : globMatch(nsPattern, namespace);
    return serverOk && nsOk;
  });
}

/** An Application and what it renders, from the environment's objects. */
export interface ApplicationView {
  rendered: RenderedObject;
  name: string;
  project: string;
  repoURLs: { url: string; index?: number }[];
  destination: Destination;
  createNamespace: boolean;
  wave: number;
}

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export function syncWaveOf(o: Record<string, unknown>): number {
  const value = metadataOf(o).annotations?.[SYNC_WAVE];
  const n = Number.parseInt(String(value ?? '0'), 10);
  return Number.isNaN(n) ? 0 : n;
}

export function applicationsOf(objects: readonly RenderedObject[]): ApplicationView[] {
  const apps: ApplicationView[] = [];
  for (const rendered of objects) {
    const o = rendered.object;
    if (!isArgo(o, 'Application')) continue;
    const spec = isRecord(o.spec) ? o.spec : {};
    const repoURLs: { url: string; index?: number }[] = [];
    if (isRecord(spec.source) && typeof spec.source.repoURL === 'string')
      repoURLs.push({ url: spec.source.repoURL });
    if (Array.isArray(spec.sources)) {
      spec.sources.forEach((s, index) => {
        if (isRecord(s) && typeof s.repoURL === 'string') repoURLs.push({ url: s.repoURL, index });
      });
    }
    const options =
      isRecord(spec.syncPolicy) && Array.isArray(spec.syncPolicy.syncOptions)
        ? spec.syncPolicy.syncOptions
        : [];
    apps.push({
      rendered,
      name: metadataOf(o).name ?? '',
      project: typeof spec.project === 'string' ? spec.project : 'default',
      repoURLs,
      destination: isRecord(spec.destination) ? (spec.destination as Destination) : {},
      createNamespace: options.includes('CreateNamespace=true'),
      wave: syncWaveOf(o),
    });
  }
  return apps;
}

/**
 * xref/app-project: each Application names an AppProject of the environment, its sources are in the
 * project's sourceRepos, its destination and every namespace it writes to are in the project's
 * destinations, and every kind it renders is allowed by the project's resource lists.
 */
export function checkAppProjects(objects: readonly RenderedObject[], catalog: SchemaCatalog): Finding[] {
  const projects = new Map<string, Project>();
  for (const r of objects)
    if (isArgo(r.object, 'AppProject')) projects.set(metadataOf(r.object).name ?? '', projectOf(r.object));
  const findings: Finding[] = [];
  const byApp = new Map<string, RenderedObject[]>();
  for (const r of objects) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r]);
  for (const app of applicationsOf(objects)) {
    const project = projects.get(app.project);
    if (!project) {
      // Argo CD creates the permissive `default` project itself; any other must be rendered.
      if (app.project !== 'default') {
        findings.push(
          findingAt(app.rendered, {
            rule: rules.appProject,
            message: `Application ${app.name} names AppProject "${app.project}", which ${app.rendered.env} does not render (known: ${[...projects.keys()].sort().join(', ') || 'none'}).`,
            path: ['spec', 'project'],
          }),
        );
      }
      continue;
    }
    for (const source of app.repoURLs) {
      if (permitted(project.sourceRepos, source.url)) continue;
      findings.push(
        findingAt(app.rendered, {
          rule: rules.appProject,
          message: `Application ${app.name} syncs from ${source.url}, which AppProject ${project.name} does not allow (sourceRepos: ${project.sourceRepos.join(', ') || 'none'}).`,
          path:
            source.index === undefined
              ? ['spec', 'source', 'repoURL']
              : ['spec', 'sources', source.index, 'repoURL'],
        }),
      );
    }
    const destinationNamespace = app.destination.namespace ?? '';
    if (!destinationPermitted(project, app.destination, destinationNamespace)) {
      findings.push(
        findingAt(app.rendered, {
          rule: rules.appProject,
          message: `Application ${app.name} deploys to ${app.destination.server ?? app.destination.name ?? '?'} namespace "${destinationNamespace}", which AppProject ${project.name} does not list in its destinations.`,
          path: ['spec', 'destination'],
        }),
      );
    }
    for (const rendered of byApp.get(app.name) ?? []) {
      const o = rendered.object;
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') continue;
      const { group } = splitApiVersion(o.apiVersion);
      const namespaced = isNamespacedObject(rendered, catalog);
      if (namespaced === false) {
        const whitelisted =
          project.clusterResourceWhitelist !== undefined &&
          matchesGroupKind(project.clusterResourceWhitelist, group, o.kind);
        if (!whitelisted || matchesGroupKind(project.clusterResourceBlacklist, group, o.kind)) {
          findings.push(
            findingAt(rendered, {
              rule: rules.appProject,
              message: `cluster-scoped ${o.kind} (group "${group}") is not in AppProject ${project.name}'s clusterResourceWhitelist; Argo CD will refuse to sync it. Add {group: "${group}", kind: ${o.kind}} to the project or move the object.`,
              path: ['kind'],
            }),
          );
        }
        continue;
      }
      const namespace = metadataOf(o).namespace ?? destinationNamespace;
      if (namespace && !destinationPermitted(project, app.destination, namespace)) {
        findings.push(
          findingAt(rendered, {
            rule: rules.appProject,
            message: `${o.kind} goes to namespace "${namespace}", which AppProject ${project.name} does not allow for ${app.destination.server ?? app.destination.name ?? 'the destination'}.`,
            path: ['metadata', 'namespace'],
          }),
        );
      }
      const denied =
        matchesGroupKind(project.namespaceResourceBlacklist, group, o.kind) ||
        (project.namespaceResourceWhitelist !== undefined &&
          !matchesGroupKind(project.namespaceResourceWhitelist, group, o.kind));
      if (denied) {
        findings.push(
          findingAt(rendered, {
            rule: rules.appProject,
            message: `${o.kind} (group "${group}") is not allowed by AppProject ${project.name}'s namespace resource lists.`,
            path: ['kind'],
          }),
        );
      }
    }
  }
  return findings;
}

/**
 * xref/sync-wave: a custom resource syncs no earlier than its CRD, a namespaced object no earlier than
 * its Namespace. Within an Application the objects' sync waves order them (the same wave is fine);
 * across Applications, the Applications' own waves in the app-of-apps must be strictly ordered
 * (which Argo CD only honours when Application health is assessed).
 */
export function checkSyncWaves(
  objects: readonly RenderedObject[],
  catalog: SchemaCatalog,
  bootstrapApps: readonly string[] = [],
): Finding[] {
  const bootstrapped = new Set(bootstrapApps);
  const appWave = new Map(applicationsOf(objects).map((a) => [a.name, a] as const));
  const crdByGroupKind = new Map<string, RenderedObject>();
  const namespaces = new Map<string, RenderedObject>();
  for (const r of objects) {
    const o = r.object;
    if (o.kind === 'CustomResourceDefinition' && isRecord(o.spec)) {
      const names = isRecord(o.spec.names) ? o.spec.names : {};
      crdByGroupKind.set(`${String(o.spec.group)}/${String(names.kind)}`, r);
    }
    if (o.kind === 'Namespace' && o.apiVersion === 'v1') namespaces.set(metadataOf(o).name ?? '', r);
  }
  const order = (r: RenderedObject): [number, number] => [
    appWave.get(r.app)?.wave ?? 0,
    syncWaveOf(r.object),
  ];
  // Within one Application a wave may hold both: Argo CD applies Namespaces and CRDs first by kind and
  // skips the dry-run of a resource whose CRD is part of the same sync. Across Applications only the
  // Applications' waves order anything.
  const before = (a: RenderedObject, b: RenderedObject): boolean => {
    const [aApp, aWave] = order(a);
    const [bApp, bWave] = order(b);
    return a.app === b.app ? aWave <= bWave : aApp < bApp;
  };
  const describe = (r: RenderedObject) => {
    const [app, wave] = order(r);
    return `Application ${r.app} (wave ${app}), object wave ${wave}`;
  };
  const findings: Finding[] = [];
  for (const r of objects) {
    const o = r.object;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') continue;
    const { group } = splitApiVersion(o.apiVersion);
    const crd = crdByGroupKind.get(`${group}/${o.kind}`);
    // A CRD that `pnpm bootstrap` installs (and waits to be Established) exists before anything syncs.
    if (crd && crd !== r && !bootstrapped.has(crd.app) && !before(crd, r)) {
      findings.push(
        findingAt(r, {
          rule: rules.syncWave,
          message: `${o.kind} may sync before its CustomResourceDefinition (${describe(crd)}; this object: ${describe(r)}), and fails with "no matches for kind". ${crd.app === r.app ? 'Give it a sync wave no earlier than its CRD.' : "Give its Application a later sync wave than the CRD's."}`,
          path: ['metadata'],
        }),
      );
    }
    const namespace = metadataOf(o).namespace;
    const ns = namespace ? namespaces.get(namespace) : undefined;
    if (ns && ns !== r && isNamespacedObject(r, catalog) === true) {
      const app = appWave.get(r.app);
      const createdByArgo = app?.createNamespace === true && app.destination.namespace === namespace;
      if (!createdByArgo && !before(ns, r)) {
        findings.push(
          findingAt(r, {
            rule: rules.syncWave,
            message: `${o.kind} may sync before its Namespace ${namespace} (${describe(ns)}; this object: ${describe(r)}). ${ns.app === r.app ? "Give the Namespace a sync wave no later than the object's." : "Give the Namespace's Application an earlier sync wave."}`,
            path: ['metadata', 'namespace'],
          }),
        );
      }
    }
  }
  return findings;
}

/** xref/duplicate-object: each object is rendered once, by one Application. */
export function checkDuplicates(objects: readonly RenderedObject[], catalog: SchemaCatalog): Finding[] {
  const seen = new Map<string, RenderedObject>();
  const findings: Finding[] = [];
  for (const r of objects) {
    const o = r.object;
    const { name, namespace } = metadataOf(o);
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !name) continue;
    const { group } = splitApiVersion(o.apiVersion);
    const ns = isNamespacedObject(r, catalog) === false ? '' : (namespace ?? '');
    const key = `${group}/${o.kind}/${ns}/${name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, r);
      continue;
    }
    const message =
      first.app === r.app
        ? `${o.kind} ${ns ? `${ns}/` : ''}${name} is rendered twice by Application ${r.app} (first from ${first.source.file}:${first.source.line}); the second silently replaces the first.`
        : `${o.kind} ${ns ? `${ns}/` : ''}${name} is rendered by both Application ${first.app} (${first.source.file}:${first.source.line}) and Application ${r.app}; the two would fight over it on every sync. Keep it in one.`;
    findings.push(findingAt(r, { rule: rules.duplicateObject, message, path: ['metadata', 'name'] }));
  }
  return findings;
}
