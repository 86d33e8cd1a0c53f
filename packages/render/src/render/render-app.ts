import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import type { Tools } from '@airspark/tools';
import { stringify } from 'yaml';
import { cachedChart } from '../charts/chart-cache.js';
import type { ChartLock } from '../charts/chart-lock.js';
import { lockedDigest, lockMatches } from '../charts/chart-lock.js';
import { describeRef, fromArgoRepoURL, refKey } from '../charts/chart-ref.js';
import type { HydratedComponent } from '../hydrate/application.js';
import { chartFolderDigest } from './chart-digest.js';
import {
  type ApiVersionQuestions,
  chartApiVersionQuestions,
  mergeQuestions,
  NO_QUESTIONS,
} from './chart-scan.js';
import { directoryManifests } from './directory.js';
import { helmTemplate } from './helm.js';
import type { HelmOutputCache } from './helm-output-cache.js';
import { kustomizeBuild } from './kustomize.js';
import type { KubeObject, SplitResult } from './manifests.js';
import type { SourceObject } from './types.js';
import {
  checkValues,
  compileValuesSchema,
  readValuesLayer,
  type ValuesLayer,
  valueFileProblem,
  valuesLocator,
} from './values.js';

/** The parts of an Argo CD ApplicationSource the renderer understands. */
export interface AppSource {
  repoURL: string;
  targetRevision?: string;
  path?: string;
  chart?: string;
  ref?: string;
  helm?: {
    releaseName?: string;
    namespace?: string;
    valueFiles?: string[];
    values?: string;
    valuesObject?: Record<string, unknown>;
    parameters?: { name: string; value: string; forceString?: boolean }[];
    kubeVersion?: string;
    apiVersions?: string[];
    ignoreMissingValueFiles?: boolean;
    skipCrds?: boolean;
    skipTests?: boolean;
    skipSchemaValidation?: boolean;
  };
  kustomize?: Record<string, unknown>;
  directory?: { recurse?: boolean; include?: string; exclude?: string; jsonnet?: unknown };
  plugin?: unknown;
}

export interface AppRenderContext {
  root: string;
  env: string;
  /** The repository Argo CD reads this repository as (gitops.repoURL). */
  repoURL: string;
  tools: Tools;
  lock: ChartLock;
  strict: boolean;
  /** API versions of the environment's CRDs (`--api-versions`), empty on the first pass. */
  apiVersions: readonly string[];
  /**
   * helm output already read in this environment's render, by Application and text: a chart rendered
   * again with the CRD API versions (ADR 0048) usually prints exactly what it printed the first time.
   * Per Application, so that no two Applications share objects (each defaults its own namespaces).
   */
  readOutputs?: Map<string, Map<string, SplitResult>>;
  /** helm output by everything helm reads (ADR 0062); without it every chart runs helm. */
  helmOutputCache?: HelmOutputCache;
  cacheEnv?: NodeJS.ProcessEnv;
}

export interface AppRender {
  app: string;
  objects: SourceObject[];
  findings: Finding[];
  /** False when a source could not be rendered (objects are then incomplete). */
  complete: boolean;
  /** What the helm sources' templates ask of .Capabilities.APIVersions: re-render when CRDs are known. */
  apiVersionQuestions: ApiVersionQuestions;
  /** The helm/kubectl command lines run (binary, args), like Argo CD's `commands`; for benchmarks. */
  commands: { binary: string; args: string[] }[];
}

type SourceType = 'helm' | 'kustomize' | 'directory';

/** Argo CD's source type: explicit fields first, else what the folder holds (Chart.yaml, kustomization). */
function sourceType(s: AppSource, dir: string): SourceType {
  if (s.chart || s.helm) return 'helm';
  if (s.kustomize) return 'kustomize';
  if (s.directory) return 'directory';
  if (existsSync(path.join(dir, 'Chart.yaml'))) return 'helm';
  if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(path.join(dir, f))))
    return 'kustomize';
  return 'directory';
}

/** Resolves a value file reference as Argo CD does: `$ref/…` via a ref source, else relative to the source path. */
function resolveValueFile(
  file: string,
  source: AppSource,
  sources: readonly AppSource[],
  ctx: AppRenderContext,
): { path?: string; problem?: string } {
  let repoRelative: string;
  if (file.startsWith('$')) {
    const [refName, ...rest] = file.slice(1).split('/');
    const ref = sources.find((s) => s.ref === refName);
    if (!ref)
      return { problem: `value file ${file} refers to "$${refName}" but no source has ref: ${refName}` };
    if (ref.repoURL !== ctx.repoURL)
      return {
        problem: `value file ${file}: the $${refName} source is ${ref.repoURL}, not this repository (${ctx.repoURL})`,
      };
    repoRelative = path.posix.normalize(rest.join('/'));
  } else {
    if (!source.path)
      return { problem: `value file ${file} is relative but the source has no path; use $values/…` };
    repoRelative = path.posix.normalize(path.posix.join(source.path, file));
  }
  if (repoRelative.startsWith('..') || path.posix.isAbsolute(repoRelative))
    return { problem: `value file ${file} points outside the repository` };
  return { path: repoRelative };
}

/** The helm outputs this Application read before in this render (see AppRenderContext.readOutputs). */
function readOutputsOf(ctx: AppRenderContext, app: string): Map<string, SplitResult> | undefined {
  if (!ctx.readOutputs) return undefined;
  let own = ctx.readOutputs.get(app);
  if (!own) {
    own = new Map();
    ctx.readOutputs.set(app, own);
  }
  return own;
}

/** The values files helm merges, lowest first: a local chart's own values.yaml, then the value files. */
function valuesLayerFiles(
  location: { repoPath?: string },
  chartPath: string,
  valueFiles: readonly string[],
): string[] {
  return [
    ...(location.repoPath !== undefined && existsSync(path.join(chartPath, 'values.yaml'))
      ? [`${location.repoPath}/values.yaml`]
      : []),
    ...valueFiles,
  ];
}

/** The layers that can be read (problems are reported by the schema check or helm itself). */
async function readLayersQuietly(root: string, files: readonly string[]): Promise<ValuesLayer[]> {
  const layers: ValuesLayer[] = [];
  for (const f of files) {
    const r = await readValuesLayer(root, f);
    if (r.layer) layers.push(r.layer);
  }
  return layers;
}

/**
 * Renders one Application the way Argo CD's repo-server does, source by source. `component`
 * (when the Application was hydrated from one) adds the values schema check before helm runs.
 */
export async function renderApplication(
  application: KubeObject,
  file: string,
  component: HydratedComponent | undefined,
  ctx: AppRenderContext,
): Promise<AppRender> {
  const name = String(application.metadata?.name);
  const spec =
    (
      application as {
        spec?: { source?: AppSource; sources?: AppSource[]; destination?: { namespace?: string } };
      }
    ).spec ?? {};
  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  const namespace = spec.destination?.namespace ?? '';
  const out: AppRender = {
    app: name,
    objects: [],
    findings: [],
    complete: true,
    apiVersionQuestions: NO_QUESTIONS,
    commands: [],
  };
  const fail = (finding: Omit<Finding, 'env' | 'app'>) => {
    out.findings.push({ ...finding, env: ctx.env, app: name });
    if (finding.severity === 'error' || finding.rule === 'render/chart-not-cached') out.complete = false;
  };
  const componentFile = component?.component.file ?? file;

  for (const source of sources) {
    if (source.ref && !source.path && !source.chart) continue; // a values-only reference source
    if (source.plugin) {
      fail({
        severity: 'error',
        rule: 'render/source-unsupported',
        message: `not rendered: config management plugins are not supported (source ${source.repoURL}).`,
        file,
        line: 0,
        column: 0,
      });
      continue;
    }
    let chartPath: string;
    // What the output cache knows the chart by: the package's bytes for a cached chart.
    let chartDigest: string | undefined;
    let location: { repoPath?: string; archive?: string };
    let type: SourceType;
    let chartUnusable = false;
    if (source.chart) {
      // A chart from the component's upstream repository keeps that identity when the
      // environment points Argo CD at a chart mirror: cache and lock know the chart by its
      // upstream name, and the lock's content digest proves the mirror serves the same files.
      const upstream = component?.component.component.source;
      const mirrored =
        upstream?.type === 'helm-upstream' &&
        upstream.chart === source.chart &&
        upstream.repoURL !== undefined &&
        component?.chartRepo === source.repoURL;
      const ref = {
        repoURL: mirrored ? (upstream.repoURL as string) : fromArgoRepoURL(source.repoURL),
        chart: source.chart,
        version: source.targetRevision ?? '',
      };
      const cached = await cachedChart(ref, ctx.cacheEnv);
      const locked = ctx.lock.entries.get(refKey(ref));
      // A chart that cannot be used is reported, but its values are still checked below: the
      // values are ours, and a typo in them must not wait until the chart is cached.
      if (!cached) {
        fail({
          severity: ctx.strict ? 'error' : 'warning',
          rule: 'render/chart-not-cached',
          message: `not rendered: chart not cached: ${describeRef(ref)}. Run \`pnpm charts pull\` where the repository is reachable.`,
          file: componentFile,
          line: 0,
          column: 0,
        });
        chartUnusable = true;
      } else if (!lockMatches(locked, cached)) {
        fail({
          severity: 'error',
          rule: 'render/chart-lock',
          message: locked
            ? `not rendered: the cached ${describeRef(ref)} has content ${cached.contentDigest} but charts.lock.yaml records ${lockedDigest(locked)}.`
            : `not rendered: ${describeRef(ref)} is not in charts.lock.yaml; run \`pnpm charts pull\` and commit the lock.`,
          file: locked ? 'charts.lock.yaml' : componentFile,
          line: locked?.line ?? 0,
          column: 0,
        });
        chartUnusable = true;
      }
      chartPath = cached?.path ?? '';
      chartDigest = cached?.digest;
      location = { archive: `${ref.chart}-${ref.version}.tgz` };
      type = 'helm';
    } else {
      if (source.repoURL !== ctx.repoURL) {
        fail({
          severity: 'error',
          rule: 'render/source-unsupported',
          message: `not rendered: source ${source.repoURL} is neither this repository (${ctx.repoURL}) nor a chart.`,
          file,
          line: 0,
          column: 0,
        });
        continue;
      }
      const dir = path.join(ctx.root, source.path ?? '.');
      if (!existsSync(dir)) {
        fail({
          severity: 'error',
          rule: 'render/source-missing',
          message: `not rendered: ${source.path} does not exist in this repository.`,
          file,
          line: 0,
          column: 0,
        });
        continue;
      }
      chartPath = dir;
      location = { repoPath: source.path ?? '.' };
      type = sourceType(source, dir);
    }

    if (type === 'kustomize') {
      const r = await kustomizeBuild(ctx.tools.kubectl, ctx.root, source.path ?? '.');
      out.commands.push({ binary: ctx.tools.kubectl, args: ['kustomize', source.path ?? '.'] });
      for (const x of r.findings) fail(x);
      out.objects.push(...r.objects);
      continue;
    }
    if (type === 'directory') {
      const r = await directoryManifests(ctx.root, source.path ?? '.', source.directory ?? {});
      for (const x of r.findings) fail(x);
      out.objects.push(...r.objects);
      continue;
    }

    // helm
    const helm = source.helm ?? {};
    const valueFiles: string[] = [];
    let missing = false;
    for (const f of helm.valueFiles ?? []) {
      const resolved = resolveValueFile(f, source, sources, ctx);
      if (resolved.problem || !resolved.path) {
        fail({
          severity: 'error',
          rule: 'render/values-file',
          message: `not rendered: ${resolved.problem}.`,
          file,
          line: 0,
          column: 0,
        });
        missing = true;
      } else if (!existsSync(path.join(ctx.root, resolved.path))) {
        if (helm.ignoreMissingValueFiles) continue;
        fail({
          severity: 'error',
          rule: 'render/values-file',
          message: `not rendered: value file ${resolved.path} does not exist (Argo CD would fail the same way).`,
          file,
          line: 0,
          column: 0,
        });
        missing = true;
      } else {
        // helm reads the file too: refuse what Argo CD refuses (a symlink out of the repository)
        // and what is no configuration (over 1 MiB, binary), before helm sees it.
        const problem = await valueFileProblem(ctx.root, resolved.path);
        if (problem) {
          fail(problem);
          missing = true;
        } else valueFiles.push(resolved.path);
      }
    }
    if (missing) continue;

    // Values precedence as Argo CD: valueFiles in order < values|valuesObject (the object wins) < parameters.
    const extra =
      helm.valuesObject !== undefined ? stringify(helm.valuesObject, { lineWidth: 0 }) : helm.values;

    const schemaFile = component?.component.component.values?.schema;
    if (schemaFile !== undefined) {
      const layers: ValuesLayer[] = [];
      const layerFiles = valuesLayerFiles(location, chartPath, valueFiles);
      let unreadable = false;
      for (const f of layerFiles) {
        const r = await readValuesLayer(ctx.root, f);
        for (const x of r.findings) fail(x);
        if (r.layer) layers.push(r.layer);
        else unreadable = true;
      }
      if (helm.valuesObject !== undefined) {
        layers.push({
          file: componentFile,
          value: helm.valuesObject,
          origins: component?.valuesObjectOrigins ?? [],
        });
      }
      if (unreadable) continue;
      const schemaText = await readFile(path.join(ctx.root, schemaFile), 'utf8');
      let schemaFindings: Finding[];
      try {
        schemaFindings = checkValues(layers, compileValuesSchema(schemaText), schemaFile);
      } catch (error) {
        schemaFindings = [
          {
            severity: 'error',
            rule: 'render/values-schema',
            message: `values schema ${schemaFile} is not a valid JSON Schema: ${(error as Error).message}.`,
            file: schemaFile,
            line: 1,
            column: 1,
          },
        ];
      }
      if (schemaFindings.length > 0) {
        for (const x of schemaFindings) fail(x);
        fail({
          severity: 'error',
          rule: 'render/values-schema',
          message: `not rendered: the values of "${name}" do not match ${schemaFile}; fix the values above first.`,
          file: componentFile,
          line: 0,
          column: 0,
        });
        continue;
      }
    }

    if (chartUnusable) continue;
    // A chart of this repository is known by its files (read each time: they may change).
    const packageDigest = chartDigest;
    const digestOfChart = async () =>
      packageDigest ?? (await chartFolderDigest(chartPath).catch(() => undefined));
    out.apiVersionQuestions = mergeQuestions(
      out.apiVersionQuestions,
      await chartApiVersionQuestions(chartPath),
    );
    const r = await helmTemplate(
      {
        helm: ctx.tools.helm,
        chart: chartPath,
        releaseName: helm.releaseName || name,
        namespace: helm.namespace || namespace,
        ...(helm.kubeVersion ? { kubeVersion: helm.kubeVersion } : {}),
        // Argo CD passes the destination cluster's API versions unless helm.apiVersions pins them.
        apiVersions: helm.apiVersions ?? ctx.apiVersions,
        valueFiles: valueFiles.map((f) => path.join(ctx.root, f)),
        ...(extra !== undefined ? { extraValues: extra } : {}),
        parameters: helm.parameters ?? [],
        skipCrds: helm.skipCrds ?? false,
        skipTests: helm.skipTests ?? false,
        skipSchemaValidation: helm.skipSchemaValidation ?? false,
      },
      { ...location, root: ctx.root, errorFile: componentFile },
      {
        ...(ctx.readOutputs ? { readOutputs: readOutputsOf(ctx, name) } : {}),
        ...(ctx.helmOutputCache
          ? { outputCache: { cache: ctx.helmOutputCache, chartDigest: digestOfChart } }
          : {}),
      },
    );
    for (const x of r.findings) fail(x);
    out.commands.push({ binary: ctx.tools.helm, args: r.args });
    // A value that came from a values file is located there, not in the chart template.
    const locateValue = valuesLocator(
      await readLayersQuietly(ctx.root, valuesLayerFiles(location, chartPath, valueFiles)),
    );
    out.objects.push(
      ...r.objects.map((o) =>
        o.locate ? o : { ...o, locate: (p: readonly (string | number)[]) => locateValue(o.object, p) },
      ),
    );
  }
  return out;
}
