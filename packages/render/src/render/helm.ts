import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import { type RunOptions, type RunResult, run } from '@airspark/tools';
import { fileDigest, helmIdentity } from './chart-digest.js';
import type { HelmOutputCache } from './helm-output-cache.js';
import { helmOutputKey } from './helm-output-key.js';
import {
  fastRead,
  helmSource,
  type SplitResult,
  splitFromReading,
  splitManifests,
  splitToolOutput,
} from './manifests.js';
import type { Provenance, SourceRender } from './types.js';

/** Upper bound for one helm or kustomize run. */
export const RENDER_TIMEOUT_MS = 5 * 60_000;

export interface HelmTemplateRequest {
  helm: string;
  /** Chart folder or packaged chart (.tgz). */
  chart: string;
  releaseName: string;
  namespace: string;
  kubeVersion?: string;
  apiVersions: readonly string[];
  /** Absolute paths, in order. */
  valueFiles: readonly string[];
  /** `helm.valuesObject` (or `helm.values`) as YAML text: passed as the last --values file. */
  extraValues?: string;
  parameters: readonly { name: string; value: string; forceString?: boolean }[];
  skipCrds?: boolean;
  skipTests?: boolean;
  skipSchemaValidation?: boolean;
}

/**
 * The helm command line exactly as Argo CD's repo-server builds it (util/helm/cmd.go, v3.5):
 * --name-template, --namespace, --kube-version, --set/--set-string, --values in order then the
 * values/valuesObject file, --api-versions, --include-crds unless skipCrds.
 */
export function helmTemplateArgs(r: HelmTemplateRequest, extraValuesFile?: string): string[] {
  const args = ['template', r.chart, '--name-template', r.releaseName];
  if (r.namespace) args.push('--namespace', r.namespace);
  if (r.kubeVersion) args.push('--kube-version', r.kubeVersion);
  for (const p of r.parameters.filter((x) => !x.forceString)) args.push('--set', `${p.name}=${p.value}`);
  for (const p of r.parameters.filter((x) => x.forceString))
    args.push('--set-string', `${p.name}=${p.value}`);
  for (const f of r.valueFiles) args.push('--values', f);
  if (extraValuesFile) args.push('--values', extraValuesFile);
  for (const v of r.apiVersions) args.push('--api-versions', v);
  if (!r.skipCrds) args.push('--include-crds');
  if (r.skipSchemaValidation) args.push('--skip-schema-validation');
  if (r.skipTests) args.push('--skip-tests');
  return args;
}

/** Where helm's `chart/templates/x.yaml` lives: in this repository, or inside a packaged chart. */
export interface ChartLocation {
  /** Repository-relative chart folder, for our own charts. */
  repoPath?: string;
  /** For packaged charts: the label used in provenance, e.g. `airflow-1.22.0.tgz`. */
  archive?: string;
}

function templateFile(helmPath: string, location: ChartLocation): { file: string; inRepository: boolean } {
  // helm names files `<chart name>/templates/...`; the first segment is the chart's own folder.
  const inner = helmPath.split('/').slice(1).join('/');
  if (location.repoPath !== undefined)
    return { file: path.posix.join(location.repoPath, inner), inRepository: true };
  return { file: `${location.archive ?? 'chart'}#${helmPath}`, inRepository: false };
}

/** The line of the n-th top-level `kind: <Kind>` in a template: the best position for an object. */
async function kindLine(absolute: string, kind: string, occurrence: number): Promise<number> {
  const text = await readFile(absolute, 'utf8').catch(() => undefined);
  if (text === undefined) return 1;
  const lines = text.split('\n');
  const hits: number[] = [];
  const re = new RegExp(`^kind:\\s*["']?${kind}["']?\\s*(#.*)?$`);
  lines.forEach((l, i) => {
    if (re.test(l)) hits.push(i + 1);
  });
  return hits[occurrence] ?? hits[0] ?? 1;
}

/** Maps helm's error output to the template file and line it names, when it names one. */
export function helmErrorPosition(
  stderr: string,
): { helmPath: string; line: number; column: number } | undefined {
  const m = /([\w.-]+\/(?:templates|charts|crds)\/[^\s:]+):(\d+)(?::(\d+))?/.exec(stderr);
  if (m) return { helmPath: m[1] as string, line: Number(m[2]), column: Number(m[3] ?? 1) };
  const yamlError = /YAML parse error on ([\w.-]+\/[^\s:]+)/.exec(stderr);
  if (yamlError) return { helmPath: yamlError[1] as string, line: 1, column: 1 };
  return undefined;
}

export type Runner = (command: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

export interface HelmTemplateOptions {
  /** Outputs read before, by their text (the same text reads to the same objects). */
  readOutputs?: Map<string, SplitResult>;
  /**
   * helm's output by its inputs (ADR 0062), with the digest of the chart being rendered (a function:
   * a chart folder is hashed again after helm ran, see runHelm).
   */
  outputCache?: { cache: HelmOutputCache; chartDigest: () => Promise<string | undefined> };
  /** Runs helm (tests count the runs); default: @airspark/tools' run. */
  run?: Runner;
}

/** The output cache's key for this request, or undefined when an input cannot be read (helm says why). */
async function outputKey(
  request: HelmTemplateRequest,
  chartDigest: () => Promise<string | undefined>,
): Promise<string | undefined> {
  try {
    const [chart, helm, ...valueFiles] = await Promise.all([
      chartDigest(),
      helmIdentity(request.helm),
      ...request.valueFiles.map((f) => fileDigest(f)),
    ]);
    if (chart === undefined) return undefined;
    return helmOutputKey(request, { helm: helm as string, chart, valueFiles });
  } catch {
    return undefined;
  }
}

/** Where an output is (or now is) in the output cache: its key and the digest of its bytes. */
interface StoredOutput {
  cache: HelmOutputCache;
  key: string;
  digest: string;
}

/** helm's exit code and output: from the output cache when it holds these inputs, else from helm. */
async function runHelm(
  request: HelmTemplateRequest,
  args: string[],
  options: RunOptions,
  helmOptions: HelmTemplateOptions,
): Promise<{ result: RunResult; stored?: StoredOutput }> {
  const runner = helmOptions.run ?? run;
  const outputCache = helmOptions.outputCache;
  const key = outputCache ? await outputKey(request, outputCache.chartDigest) : undefined;
  if (!outputCache || key === undefined) return { result: await runner(request.helm, args, options) };
  const { cache } = outputCache;
  const entry = await cache.get(key);
  if (entry)
    return {
      result: { code: 0, stdout: entry.output, stderr: '' },
      stored: { cache, key, digest: entry.digest },
    };
  const result = await runner(request.helm, args, options);
  // Only a success is stored: a failure runs again and reports helm's own words.
  if (result.code !== 0) return { result };
  // An input edited while helm ran (a values file saved mid-render) may or may not be in the output:
  // store it only when the inputs after the run are the ones the key was made from.
  if ((await outputKey(request, outputCache.chartDigest)) !== key) return { result };
  return { result, stored: { cache, key, digest: await cache.put(key, result.stdout) } };
}

/** The objects of helm's output: from a stored reading of exactly this output when there is one. */
async function readOutput(stdout: string, stored: StoredOutput | undefined): Promise<SplitResult> {
  if (!stored) return splitToolOutput(stdout);
  const kept = await stored.cache.getReading(stored.key, stored.digest);
  if (kept) return splitFromReading(stdout, kept);
  const reading = fastRead(stdout);
  if (!reading) return splitManifests(stdout);
  await stored.cache.putReading(stored.key, stored.digest, reading);
  return splitFromReading(stdout, reading);
}

/**
 * Runs `helm template` in an isolated helm home (no user repositories or plugins leak in, as in
 * Argo CD) and returns every object with the template that produced it.
 */
export async function helmTemplate(
  request: HelmTemplateRequest,
  location: ChartLocation & { root: string; errorFile: string },
  helmOptions: HelmTemplateOptions = {},
): Promise<SourceRender & { args: string[] }> {
  const { readOutputs } = helmOptions;
  const home = await mkdtemp(path.join(os.tmpdir(), 'airspark-helm-'));
  try {
    let extraValuesFile: string | undefined;
    if (request.extraValues !== undefined && request.extraValues.trim() !== '') {
      extraValuesFile = path.join(home, 'values-object.yaml');
      await writeFile(extraValuesFile, request.extraValues);
    }
    const args = helmTemplateArgs(request, extraValuesFile);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
    };
    // A template that loops forever must not hang CI: helm renders our charts in well under a second.
    const { result, stored } = await runHelm(
      request,
      args,
      { env, cwd: location.root, timeoutMs: RENDER_TIMEOUT_MS },
      helmOptions,
    );
    if (result.code !== 0) {
      const stderr = result.stderr.replaceAll(home, '<tmp>').trim();
      const at = helmErrorPosition(stderr);
      const finding: Finding = {
        severity: 'error',
        rule: 'render/helm',
        message: `helm template failed: ${stderr.replace(/^Error: /, '')}`,
        file: location.errorFile,
        line: 0,
        column: 0,
      };
      if (at) {
        const where = templateFile(at.helmPath, location);
        if (where.inRepository)
          Object.assign(finding, { file: where.file, line: at.line, column: at.column });
      }
      return { objects: [], findings: [finding], args };
    }
    let split = readOutputs?.get(result.stdout);
    if (!split) {
      split = await readOutput(result.stdout, stored);
      readOutputs?.set(result.stdout, split);
    }
    const findings: Finding[] = split.errors.map((e) => ({
      severity: 'error' as const,
      rule: 'render/helm',
      message: `helm produced invalid YAML: ${e.message}`,
      file: location.errorFile,
      line: 0,
      column: 0,
    }));
    const seen = new Map<string, number>();
    const objects = [];
    for (const o of split.objects) {
      const helmPath = helmSource(o.comment) ?? '';
      const where = helmPath
        ? templateFile(helmPath, location)
        : { file: location.errorFile, inRepository: true };
      const key = `${helmPath}|${String(o.object.kind)}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const line =
        where.inRepository && helmPath
          ? await kindLine(path.join(location.root, where.file), String(o.object.kind), n)
          : 1;
      const source: Provenance = { file: where.file, line, column: 1, inRepository: where.inRepository };
      objects.push({ object: o.object, source, ...(o.text !== undefined ? { text: o.text } : {}) });
    }
    return { objects, findings, args };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
