import path from 'node:path';
import {
  type Component,
  type ExpressionScope,
  type LoadedComponent,
  type LoadedEnvironment,
  positionOf,
  resolveExpression,
  setIn,
  splitValuesPath,
  type YamlSource,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import {
  ARGOCD_NAMESPACE,
  argoRepoURL,
  gitRepoURL,
  IN_CLUSTER,
  projectName,
  RESOURCES_FINALIZER,
  SYNC_WAVE,
} from './argo.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Manifest = { [key: string]: Json };

/** A component resolved for one environment: everything the Application and the project need. */
export interface HydratedComponent {
  name: string;
  component: LoadedComponent;
  application: Manifest;
  /** Destination namespace plus extraNamespaces, resolved. */
  namespaces: string[];
  /** Chart repository (Argo CD form) for helm-upstream components. */
  chartRepo?: string;
  /** Repository-relative values files in the order helm merges them (existing files only). */
  valueFiles: string[];
  /** helm.valuesObject, with the environment.yaml position each leaf came from. */
  valuesObject?: { [key: string]: Json };
  valuesObjectOrigins: { keys: string[]; file: string; line: number; column: number }[];
}

export type HydrateOutcome =
  | { status: 'enabled'; hydrated: HydratedComponent; findings: Finding[] }
  | { status: 'disabled' | 'skipped'; findings: Finding[] };

interface Context {
  env: LoadedEnvironment;
  scope: ExpressionScope;
  /** Whether a repository-relative file exists (the per-environment values file is optional). */
  fileExists: (file: string) => boolean;
}

/** Sorts map keys recursively so that valuesObject is byte-for-byte stable. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k] as Json)]),
    );
  }
  return value;
}

type Origin = HydratedComponent['valuesObjectOrigins'][number];

/**
 * Where a value of the component's `valuesObject` comes from, with its line looked up when first read:
 * only a render's values-schema findings read it, and a warm `pnpm validate` renders nothing, so the
 * file's syntax tree is then never built (ADR 0064: it comes from the parsed-YAML memo on demand).
 */
function lazyOrigin(keys: string[], file: string, source: YamlSource, path: readonly string[]): Origin {
  let position: { line: number; column: number } | undefined;
  const at = () => {
    position ??= positionOf(source, path);
    return position;
  };
  return {
    keys,
    file,
    get line() {
      return at().line;
    },
    get column() {
      return at().column;
    },
  };
}

/**
 * Hydrates one component for one environment: pure, apart from the `fileExists` probe.
 * Expression problems are findings at the line of the expression in component.yaml.
 */
export function hydrateComponent(loaded: LoadedComponent, ctx: Context): HydrateOutcome {
  const c: Component = loaded.component;
  const envName = ctx.env.name;
  const findings: Finding[] = [];
  const at = (p: string[]) => positionOf(loaded.source, p);
  const problem = (
    p: string[],
    message: string,
    severity: 'error' | 'warning' = 'error',
    rule = 'render/expression',
  ) => findings.push({ severity, rule, message, file: loaded.file, ...at(p), env: envName, app: c.name });

  let skipped = false;
  const resolve = (expression: string, p: string[]): unknown => {
    const r = resolveExpression(expression, ctx.scope);
    if (r.ok) return r.value;
    if (r.kind === 'infra-missing') {
      skipped = true;
      problem(
        p,
        `${r.message}; the Application "${c.name}" is not hydrated for ${envName} until it exists.`,
        'warning',
        'render/infra-output-missing',
      );
    } else problem(p, `${r.message}.`);
    return undefined;
  };

  if (c.enabledBy !== undefined) {
    const enabled = resolve(c.enabledBy, ['enabledBy']);
    if (enabled === false) return { status: 'disabled', findings };
    if (enabled !== true) {
      if (enabled !== undefined)
        problem(['enabledBy'], `"${c.enabledBy}" must name a boolean, not ${JSON.stringify(enabled)}.`);
      return { status: 'skipped', findings };
    }
  }

  const { gitops, cluster } = ctx.env.environment;
  const namespaces = new Set([c.namespace]);
  for (const [i, entry] of (c.extraNamespaces ?? []).entries()) {
    const isLiteral = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(entry);
    const value = isLiteral ? entry : resolve(entry, ['extraNamespaces', String(i)]);
    for (const ns of Array.isArray(value) ? value : [value]) {
      if (typeof ns === 'string') namespaces.add(ns);
      else if (ns !== undefined)
        problem(['extraNamespaces', String(i)], `"${entry}" must name namespaces (strings).`);
    }
  }

  // Values: files in order, then the per-environment file when it exists.
  const valueFiles = [...(c.values?.files ?? [])];
  const envFile = c.values?.environmentFile?.replaceAll('{env}', envName);
  if (envFile !== undefined && ctx.fileExists(envFile)) valueFiles.push(envFile);

  let valuesObject: { [key: string]: Json } | undefined;
  const valuesObjectOrigins: HydratedComponent['valuesObjectOrigins'] = [];
  for (const [valuesPath, expression] of Object.entries(c.values?.fromEnvironment ?? {})) {
    const keys = splitValuesPath(valuesPath);
    const where = ['values', 'fromEnvironment', valuesPath];
    const value = typeof expression === 'string' ? resolve(expression, where) : expression;
    if (value === undefined) continue;
    valuesObject ??= {};
    setIn(valuesObject, keys, value as Json);
    const origin =
      typeof expression === 'string' && !expression.startsWith('names.') && !expression.startsWith('infra.')
        ? lazyOrigin(keys, ctx.env.file, ctx.env.source, expressionPath(expression))
        : lazyOrigin(keys, loaded.file, loaded.source, where);
    valuesObjectOrigins.push(origin);
  }

  // Per-image overrides of the environment (mirrors.images.<name>) for the images this component
  // declares: set through the values paths the component names, traced to environment.yaml.
  const overrides = ctx.env.environment.mirrors?.images ?? {};
  for (const [image, paths] of Object.entries(c.images ?? {})) {
    const override = overrides[image];
    if (override === undefined) continue;
    // A chart that keeps the registry apart gets the override's first path segment there.
    const slash = override.repository.indexOf('/');
    const split =
      paths.registry !== undefined && slash > 0
        ? { registry: override.repository.slice(0, slash), repository: override.repository.slice(slash + 1) }
        : { repository: override.repository };
    const fields = { ...override, ...split } as Record<string, string | undefined>;
    for (const field of ['registry', 'repository', 'tag', 'pullPolicy'] as const) {
      const value = fields[field];
      if (value === undefined) continue;
      const envPath = ['mirrors', 'images', image, field === 'registry' ? 'repository' : field];
      const valuesPath = paths[field];
      if (valuesPath === undefined) {
        findings.push({
          severity: 'error',
          rule: 'render/image-override',
          message: `mirrors.images.${image}.${field} cannot be applied: component ${c.name} declares no values path for the ${field} of image "${image}" (${loaded.file} images.${image}). Remove it, or add the path there.`,
          file: ctx.env.file,
          ...positionOf(ctx.env.source, envPath),
          env: envName,
          app: c.name,
        });
        continue;
      }
      const keys = splitValuesPath(valuesPath);
      valuesObject ??= {};
      setIn(valuesObject, keys, value);
      valuesObjectOrigins.push(lazyOrigin(keys, ctx.env.file, ctx.env.source, envPath));
    }
  }

  let version: string | undefined;
  if (c.source.type === 'helm-upstream' && c.source.versionFrom !== undefined) {
    const v = resolve(c.source.versionFrom, ['source', 'versionFrom']);
    if (typeof v === 'string') version = v;
    else if (v !== undefined)
      problem(['source', 'versionFrom'], `"${c.source.versionFrom}" must name a chart version string.`);
  }
  if (skipped || findings.some((f) => f.severity === 'error')) return { status: 'skipped', findings };

  const git = { repoURL: gitRepoURL(ctx.env.environment), targetRevision: gitops.targetRevision };
  const helm = (relativeTo: string | undefined): Manifest => {
    const h: Manifest = { releaseName: c.source.releaseName ?? c.name };
    if (valueFiles.length > 0) {
      h.valueFiles = valueFiles.map((f) =>
        relativeTo === undefined ? `$values/${f}` : path.posix.relative(relativeTo, f),
      );
    }
    if (valuesObject !== undefined) h.valuesObject = sortKeys(valuesObject);
    h.kubeVersion = cluster.kubernetesVersion;
    return h;
  };

  const extraSources: Manifest[] = (c.extraSources ?? []).map((extra) =>
    extra.type === 'kustomize'
      ? { ...git, path: extra.path, kustomize: {} }
      : { ...git, path: extra.path, directory: { recurse: extra.recurse ?? true } },
  );

  let primary: Manifest;
  let chartRepo: string | undefined;
  switch (c.source.type) {
    case 'helm-upstream':
      // A chart mirror serves every upstream chart by name and version (the lock proves the files).
      chartRepo = ctx.env.environment.mirrors?.charts?.repoURL ?? argoRepoURL(c.source.repoURL as string);
      primary = {
        repoURL: chartRepo,
        chart: c.source.chart as string,
        targetRevision: version as string,
        helm: helm(undefined),
      };
      break;
    case 'helm-local':
      primary = { ...git, path: c.source.path as string, helm: helm(c.source.path as string) };
      break;
    case 'kustomize':
      primary = { ...git, path: c.source.path as string, kustomize: {} };
      break;
    case 'directory': {
      const d: { recurse?: boolean; include?: string; exclude?: string } = c.source.directory ?? {};
      const directory: Manifest = { recurse: d.recurse ?? true };
      if (d.include !== undefined) directory.include = d.include;
      if (d.exclude !== undefined) directory.exclude = d.exclude;
      primary = { ...git, path: c.source.path as string, directory };
      break;
    }
  }

  const needsValuesRef = c.source.type === 'helm-upstream' && valueFiles.length > 0;
  const multi = needsValuesRef || extraSources.length > 0;
  const spec: Manifest = { project: projectName(envName) };
  if (multi) {
    spec.sources = [primary, ...(needsValuesRef ? [{ ...git, ref: 'values' }] : []), ...extraSources];
  } else spec.source = primary;
  spec.destination = { server: IN_CLUSTER, namespace: c.namespace };
  const syncPolicy: Manifest = {};
  const sync = gitops.sync;
  if (sync.automated) syncPolicy.automated = { prune: sync.prune ?? false, selfHeal: sync.selfHeal ?? false };
  if (c.syncOptions && c.syncOptions.length > 0) syncPolicy.syncOptions = [...c.syncOptions];
  if (c.namespaceMetadata) syncPolicy.managedNamespaceMetadata = sortKeys(c.namespaceMetadata as Json);
  if (Object.keys(syncPolicy).length > 0) spec.syncPolicy = syncPolicy;
  if (c.ignoreDifferences && c.ignoreDifferences.length > 0)
    spec.ignoreDifferences = c.ignoreDifferences as Json;

  const metadata: Manifest = {
    name: c.name,
    namespace: ARGOCD_NAMESPACE,
    annotations: { [SYNC_WAVE]: String(c.syncWave) },
  };
  // Cascade deletion only where the environment prunes: removing a component then removes its resources.
  if (sync.automated && sync.prune) metadata.finalizers = [RESOURCES_FINALIZER];

  return {
    status: 'enabled',
    findings,
    hydrated: {
      name: c.name,
      component: loaded,
      application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata, spec },
      namespaces: [...namespaces].sort(),
      ...(chartRepo !== undefined ? { chartRepo } : {}),
      valueFiles,
      ...(valuesObject !== undefined ? { valuesObject } : {}),
      valuesObjectOrigins,
    },
  };
}

/** `spark.teams[0].namespace` -> ['spark', 'teams', '0', 'namespace'] for positionOf. */
function expressionPath(expression: string): string[] {
  return [...expression.matchAll(/([^.[\]]+)|\[(\d+|\*)\]/g)].map((m) =>
    (m[1] ?? m[2] ?? '').replace('*', '0'),
  );
}
