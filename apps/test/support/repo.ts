import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Environment, loadEnvironment, platformNames } from '@airspark/config';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { helm } from './helm.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

export type Values = Record<string, unknown>;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export async function readYaml<T = Values>(repoPath: string): Promise<T> {
  return parse(await readFile(path.join(ROOT, repoPath), 'utf8')) as T;
}

/** The component declaration (apps/<name>/component.yaml), as far as these tests read it. */
export interface Component {
  name: string;
  enabledBy?: string;
  namespace: string;
  extraNamespaces?: string[];
  syncWave: number;
  syncOptions?: string[];
  clusterResources?: string[];
  source: {
    type: string;
    path?: string;
    repoURL?: string;
    chart?: string;
    versionFrom?: string;
    releaseName?: string;
  };
  values?: {
    files?: string[];
    environmentFile?: string;
    schema?: string;
    fromEnvironment?: Record<string, string>;
  };
}

export function component(name: string): Promise<Component> {
  return readYaml<Component>(`apps/${name}/component.yaml`);
}

export async function environment(env: EnvName): Promise<Environment> {
  const loaded = await loadEnvironment(ROOT, env);
  if (!loaded.environment)
    throw new Error(`clusters/${env}/environment.yaml: ${JSON.stringify(loaded.findings)}`);
  return loaded.environment.environment;
}

/**
 * Stand-in for the infrastructure hand-off (clusters/<env>/infra-outputs.json), which exists only
 * after `cdktf deploy`: the renderer skips components that need it until then.
 */
export const INFRA_STAND_IN = {
  efsFileSystemId: 'fs-0123456789abcdef0',
  airflowDatabaseAddress: 'airspark-prod-airflow.c0ffee123456.eu-west-1.rds.amazonaws.com',
  airflowDatabaseSecretArn:
    'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9-AbCdEf',
} as const;

/**
 * Resolves an expression of component.yaml (`spark.teams[*].namespace`, `names.clusterName`,
 * `infra.efsFileSystemId`) the way docs/components.md defines it: a path, never code.
 */
export function resolveExpression(expression: string, env: Environment): unknown {
  const [root, ...steps] = expression.match(/[^.[\]]+|\[(\d+|\*)\]/g) ?? [];
  const roots: Values = { ...(env as unknown as Values), names: platformNames(env), infra: INFRA_STAND_IN };
  let current: unknown[] = [roots[root ?? '']];
  let spread = false;
  for (const step of steps) {
    current = current.flatMap((value) => {
      if (step === '[*]') {
        spread = true;
        return Array.isArray(value) ? value : [];
      }
      const index = /^\[(\d+)\]$/.exec(step);
      if (index) return [Array.isArray(value) ? value[Number(index[1])] : undefined];
      return [value !== null && typeof value === 'object' ? (value as Values)[step] : undefined];
    });
  }
  if (current.some((value) => value === undefined) || (!spread && current.length !== 1)) {
    throw new Error(`expression ${expression} names nothing`);
  }
  return spread ? current : current[0];
}

/** Sets a dotted values path (`a.b.c`, `\.` for a literal dot) in a nested object. */
export function setPath(target: Values, dotted: string, value: unknown): void {
  const keys = dotted.split(/(?<!\\)\./).map((k) => k.replaceAll('\\.', '.'));
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] = (node[key] as Values | undefined) ?? {};
    node = node[key] as Values;
  }
  node[keys[keys.length - 1] ?? ''] = value;
}

/** The helm.valuesObject a component gets in an environment (its fromEnvironment map). */
export function valuesObject(comp: Component, env: Environment): Values {
  const out: Values = {};
  for (const [key, expression] of Object.entries(comp.values?.fromEnvironment ?? {})) {
    setPath(out, key, resolveExpression(expression, env));
  }
  return out;
}

/** Deep merge with Helm's semantics for values: maps merge, everything else replaces. */
export function mergeValues(...layers: Values[]): Values {
  const out: Values = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const existing = out[key];
      out[key] =
        isMap(existing) && isMap(value) ? mergeValues(existing, value) : structuredClone(value as object);
    }
  }
  return out;
}

function isMap(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The values files a component gets in one environment, in Argo CD's order. */
export function valueFiles(comp: Component, env: EnvName): string[] {
  const files = [...(comp.values?.files ?? [])];
  const perEnv = comp.values?.environmentFile?.replace('{env}', env);
  if (perEnv && existsSync(path.join(ROOT, perEnv))) files.push(perEnv);
  return files;
}

/** Merged values of a component in an environment: files in order, then valuesObject. */
export async function mergedValues(comp: Component, env: EnvName): Promise<Values> {
  const layers: Values[] = [];
  for (const file of valueFiles(comp, env)) layers.push((await readYaml(file)) ?? {});
  layers.push(valuesObject(comp, await environment(env)));
  return mergeValues(...layers);
}

export interface Rendered {
  ok: boolean;
  objects: K8sObject[];
  stderr: string;
}

/**
 * `helm template` of a local chart with real helm, the way the renderer calls it: release name,
 * namespace, Kubernetes version, values files in order, then an extra values file standing in for
 * valuesObject.
 */
export async function renderChart(options: {
  chart: string;
  release: string;
  namespace: string;
  valueFiles?: string[];
  values?: Values;
  kubeVersion?: string;
}): Promise<Rendered> {
  const work = await mkdtemp(path.join(tmpdir(), 'apps-test-values-'));
  try {
    const args = [
      'template',
      options.release,
      path.join(ROOT, options.chart),
      '--namespace',
      options.namespace,
      '--kube-version',
      options.kubeVersion ?? '1.35.0',
    ];
    for (const file of options.valueFiles ?? []) args.push('--values', path.join(ROOT, file));
    if (options.values) {
      const extra = path.join(work, 'values-object.yaml');
      await writeFile(extra, stringify(options.values));
      args.push('--values', extra);
    }
    const result = await helm(args, ROOT);
    const objects = result.ok
      ? parseAllDocuments(result.stdout)
          .map((doc) => doc.toJS() as K8sObject | null)
          .filter((o): o is K8sObject => o !== null)
      : [];
    return { ok: result.ok, objects, stderr: result.stderr };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Renders a local-chart component for an environment exactly from its declaration. */
export async function renderComponent(name: string, env: EnvName): Promise<Rendered> {
  const comp = await component(name);
  if (comp.source.type !== 'helm-local' || !comp.source.path) throw new Error(`${name} is not a local chart`);
  const environmentData = await environment(env);
  return renderChart({
    chart: comp.source.path,
    release: comp.source.releaseName ?? comp.name,
    namespace: comp.namespace,
    valueFiles: valueFiles(comp, env),
    values: valuesObject(comp, environmentData),
    kubeVersion: `${environmentData.cluster.kubernetesVersion}.0`,
  });
}

export function find(
  objects: readonly K8sObject[],
  kind: string,
  name?: string,
  namespace?: string,
): K8sObject[] {
  return objects.filter(
    (o) =>
      o.kind === kind &&
      (name === undefined || o.metadata.name === name) &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
}

export function one(
  objects: readonly K8sObject[],
  kind: string,
  name: string,
  namespace?: string,
): K8sObject {
  const found = find(objects, kind, name, namespace);
  if (found.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind} ${namespace ?? ''}/${name}, found ${found.length} among: ${have}`);
  }
  return found[0] as K8sObject;
}
