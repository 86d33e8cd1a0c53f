import os from 'node:os';
import { type ComponentLoadResult, type LoadedEnvironment, loadComponents } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { ensureTools, type Tools } from '@airspark/tools';
import pLimit from 'p-limit';
import { type ChartLock, readLock } from '../charts/chart-lock.js';
import type { HydratedComponent } from '../hydrate/application.js';
import { gitRepoURL, projectFile, ROOT_APP, rootFile } from '../hydrate/argo.js';
import { type Hydration, hydrateEnvironment } from '../hydrate/hydrate-environment.js';
import { answersMayChange } from './chart-scan.js';
import type { HelmOutputCache } from './helm-output-cache.js';
import {
  type KubeObject,
  locateIn,
  type SplitObject,
  type SplitResult,
  splitManifests,
} from './manifests.js';
import { type AppRender, type AppRenderContext, renderApplication } from './render-app.js';
import { type CustomKinds, customKindsOf, groupOf, scopeOf } from './scope.js';
import type { Provenance, SourceObject } from './types.js';

/** One object as Argo CD would apply it, with the source that produced it. */
export interface RenderedObject {
  env: string;
  /** The Argo CD Application it belongs to (`root` for the Applications and AppProjects themselves). */
  app: string;
  object: KubeObject;
  /** `<app>/<kind>-<namespace>-<name>.yaml` relative to the output folder (`_` = cluster-scoped). */
  renderedPath: string;
  source: Provenance;
  /** Repository files that configure the object: component.yaml and values files, in merge order. */
  configuredBy: string[];
  /** Where a field of the object is written, when it comes from a YAML file as it is (see SourceObject). */
  locate?: SourceObject['locate'];
  /** The YAML exactly as the tool produced it, when known: what `pnpm bootstrap` hands to kubectl. */
  text?: string;
}

export type AppStatus = {
  app: string;
  status: 'rendered' | 'incomplete';
  objects: number;
  ms: number;
  commands: { binary: string; args: string[] }[];
};

export interface EnvironmentRender {
  env: string;
  objects: RenderedObject[];
  findings: Finding[];
  apps: AppStatus[];
  hydration: Hydration;
}

export interface RenderOptions {
  root: string;
  env: LoadedEnvironment;
  /** Loaded once by callers that render several environments. */
  components?: ComponentLoadResult;
  tools?: Tools;
  /** Charts that are not cached are errors (default: warnings, so offline checkouts validate). */
  strict?: boolean;
  /** Parallel renders; default: the number of cores. */
  concurrency?: number;
  cacheEnv?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
  /** This environment's in-memory hydration, when the caller already made one from `components`. */
  hydration?: Hydration;
  /** Render only these Applications (the root objects are always included). */
  only?: readonly string[];
  /**
   * helm output by everything helm reads (ADR 0062): a chart whose inputs did not change since an
   * earlier render is not run again. Off unless given (bootstrap installs fresh output).
   */
  helmOutputCache?: HelmOutputCache;
}

const meta = (o: KubeObject) => (o.metadata ?? {}) as { name?: string; namespace?: string };

function identity(o: KubeObject): string {
  return `${groupOf(String(o.apiVersion ?? ''))}/${String(o.kind)}/${meta(o).namespace ?? ''}/${meta(o).name ?? ''}`;
}

export function renderedFileName(o: KubeObject): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(String(o.kind ?? 'unknown').toLowerCase())}-${safe(meta(o).namespace ?? '_')}-${safe(String(meta(o).name ?? 'unnamed'))}.yaml`;
}

/** The Applications and AppProjects Argo CD gets from the hydrated files (app `root`). */
function rootObjects(h: Hydration): { file: string; object: KubeObject; line: number; split: SplitObject }[] {
  const files = [
    rootFile(h.env),
    projectFile(h.env),
    ...[...h.files.keys()].filter((f) => f !== rootFile(h.env) && f !== projectFile(h.env)).sort(),
  ];
  return files.flatMap((file) =>
    splitManifests(h.files.get(file) ?? '').objects.map((o) => ({
      file,
      object: o.object,
      line: o.line,
      split: o,
    })),
  );
}

/** Argo CD refuses at sync what the project does not allow: report it before the merge. */
function projectFindings(
  env: string,
  project: KubeObject,
  app: string,
  component: HydratedComponent,
  objects: readonly RenderedObject[],
  custom: CustomKinds,
): Finding[] {
  const spec =
    (
      project as {
        spec?: {
          destinations?: { namespace: string }[];
          clusterResourceWhitelist?: { group: string; kind: string }[];
        };
      }
    ).spec ?? {};
  const namespaces = new Set((spec.destinations ?? []).map((d) => d.namespace));
  const kinds = new Set((spec.clusterResourceWhitelist ?? []).map((k) => `${k.group}/${k.kind}`));
  const findings: Finding[] = [];
  const file = component.component.file;
  for (const r of objects) {
    const kind = `${groupOf(String(r.object.apiVersion ?? ''))}/${String(r.object.kind)}`;
    const scope = scopeOf(String(r.object.apiVersion ?? ''), String(r.object.kind), custom);
    const resource = `${String(r.object.kind)}/${meta(r.object).namespace ?? ''}/${meta(r.object).name ?? ''}`;
    if (scope === 'Cluster' && !kinds.has(kind)) {
      findings.push({
        severity: 'error',
        rule: 'render/project-denied',
        message: `Argo CD would refuse ${resource} (from ${r.source.file}): cluster-scoped ${kind} is not in clusterResources of ${file}; add it there.`,
        file,
        line: 1,
        column: 1,
        env,
        app,
        resource,
      });
    } else if (
      scope === 'Namespaced' &&
      meta(r.object).namespace &&
      !namespaces.has(meta(r.object).namespace as string)
    ) {
      findings.push({
        severity: 'error',
        rule: 'render/project-denied',
        message: `Argo CD would refuse ${resource} (from ${r.source.file}): namespace ${meta(r.object).namespace} is not a destination of the project; add it to extraNamespaces in ${file}.`,
        file,
        line: 1,
        column: 1,
        env,
        app,
        resource,
      });
    }
  }
  return findings;
}

/**
 * Hydrates an environment in memory and renders every Application as Argo CD would, in parallel.
 * Helm charts that ask `.Capabilities.APIVersions` are rendered again once the environment's CRDs
 * are known, so they see the same API versions Argo CD's cluster discovery would give them; a chart
 * that asks only `.Has "<literal>"` about none of those versions would render the same, and is not
 * (ADR 0048).
 */
export async function renderEnvironment(options: RenderOptions): Promise<EnvironmentRender> {
  const { root, env } = options;
  const components = options.components ?? (await loadComponents(root));
  const tools = options.tools ?? (await ensureTools({ log: options.onProgress }));
  const hydration = options.hydration ?? (await hydrateEnvironment(root, env, components));
  const lock: ChartLock = await readLock(root);
  const findings: Finding[] = [...hydration.findings, ...lock.findings];
  const limit = pLimit(options.concurrency ?? os.availableParallelism());
  // helm output read in this render, by Application and text: a second render that prints the same
  // text is not read again. The first render's objects are dropped when the second replaces it, and
  // nothing changes objects before the end, so the two share them safely.
  const readOutputs = new Map<string, Map<string, SplitResult>>();
  const base: Omit<AppRenderContext, 'apiVersions'> = {
    readOutputs,
    root,
    env: env.name,
    repoURL: gitRepoURL(env.environment),
    tools,
    lock,
    strict: options.strict ?? false,
    ...(options.helmOutputCache ? { helmOutputCache: options.helmOutputCache } : {}),
    ...(options.cacheEnv ? { cacheEnv: options.cacheEnv } : {}),
  };

  const selected = options.only
    ? hydration.components.filter((c) => options.only?.includes(c.name))
    : hydration.components;
  const apps = selected.map((component) => {
    const file = `clusters/${env.name}/apps/${component.name}.yaml`;
    const [doc] = splitManifests(hydration.files.get(file) ?? '').objects;
    return { component, file, application: doc?.object ?? {} };
  });
  const timings = new Map<string, number>();
  const renderAll = (targets: typeof apps, apiVersions: readonly string[]) =>
    Promise.all(
      targets.map((a) =>
        limit(async () => {
          const started = performance.now();
          const r = await renderApplication(a.application, a.file, a.component, { ...base, apiVersions });
          const ms = performance.now() - started;
          timings.set(a.component.name, (timings.get(a.component.name) ?? 0) + ms);
          options.onProgress?.(
            `  ${env.name}/${a.component.name}: ${r.objects.length} objects${r.complete ? '' : ' (incomplete)'} in ${Math.round(ms)} ms`,
          );
          return r;
        }),
      ),
    );

  const renders = new Map<string, AppRender>();
  for (const r of await renderAll(apps, [])) renders.set(r.app, r);
  const custom = customKindsOf([...renders.values()].flatMap((r) => r.objects.map((o) => o.object)));
  const again = apps.filter((a) => {
    const questions = renders.get(a.component.name)?.apiVersionQuestions;
    return questions !== undefined && answersMayChange(questions, custom.apiVersions);
  });
  if (again.length > 0) {
    for (const r of await renderAll(again, custom.apiVersions)) renders.set(r.app, r);
  }

  const objects: RenderedObject[] = [];
  const statuses: AppStatus[] = [];
  const roots = rootObjects(hydration);
  for (const { object, file, line, split } of roots) {
    objects.push({
      env: env.name,
      app: ROOT_APP,
      object,
      renderedPath: '',
      source: { file, line, column: 1, inRepository: true },
      configuredBy: [file],
      locate: (p) => locateIn(split, file, p),
      ...(split.text !== undefined ? { text: split.text } : {}),
    });
  }
  const project = roots.find((o) => o.file === projectFile(env.name))?.object ?? {};
  for (const { component } of apps) {
    const r = renders.get(component.name) as AppRender;
    findings.push(...r.findings);
    statuses.push({
      app: r.app,
      status: r.complete ? 'rendered' : 'incomplete',
      objects: r.objects.length,
      ms: Math.round(timings.get(r.app) ?? 0),
      commands: r.commands,
    });
    const appObjects: RenderedObject[] = [];
    for (const o of r.objects) {
      // Argo CD puts namespaced objects without a namespace into the destination namespace.
      const scope = scopeOf(String(o.object.apiVersion ?? ''), String(o.object.kind ?? ''), custom);
      if (scope === 'Namespaced' && !meta(o.object).namespace) {
        o.object.metadata = {
          ...(o.object.metadata ?? {}),
          namespace: component.component.component.namespace,
        };
      }
      appObjects.push({
        env: env.name,
        app: r.app,
        object: o.object,
        renderedPath: '',
        source: o.source,
        configuredBy: [component.component.file, ...component.valueFiles],
        ...(o.locate ? { locate: o.locate } : {}),
        ...(o.text !== undefined ? { text: o.text } : {}),
      });
    }
    findings.push(...projectFindings(env.name, project, r.app, component, appObjects, custom));
    objects.push(...appObjects);
  }

  // File names, duplicates (Argo CD reports an object that appears twice), stable order.
  const byPath = new Map<string, RenderedObject>();
  const seen = new Map<string, RenderedObject>();
  for (const o of objects) {
    const id = `${o.app} ${identity(o.object)}`;
    const first = seen.get(id);
    if (first) {
      findings.push({
        severity: 'error',
        rule: 'render/duplicate-object',
        message: `${String(o.object.kind)} ${meta(o.object).name} appears twice in ${o.app} (also from ${first.source.file}:${first.source.line}); Argo CD cannot manage it.`,
        file: o.source.file,
        line: o.source.line,
        column: 1,
        env: env.name,
        app: o.app,
        resource: identity(o.object),
      });
      continue;
    }
    seen.set(id, o);
    let p = `${o.app}/${renderedFileName(o.object)}`;
    if (byPath.has(p))
      p = p.replace(/\.yaml$/, `.${groupOf(String(o.object.apiVersion ?? '')) || 'core'}.yaml`);
    o.renderedPath = p;
    byPath.set(p, o);
  }
  const unique = [...byPath.values()].sort((a, b) =>
    a.renderedPath < b.renderedPath ? -1 : a.renderedPath > b.renderedPath ? 1 : 0,
  );
  statuses.sort((a, b) => a.app.localeCompare(b.app));
  return { env: env.name, objects: unique, findings, apps: statuses, hydration };
}
