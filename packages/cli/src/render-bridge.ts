import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  APPS_DIR,
  CLUSTERS_DIR,
  type ComponentLoadResult,
  componentFile,
  type LoadedEnvironment,
  listComponentNames,
  listEnvironmentNames,
  loadComponents,
  loadEnvironment,
} from '@airspark/config';
import type { EnvironmentRenderer, InputsOf } from '@airspark/diff';
import type { Hydrator } from '@airspark/promote';
import {
  collectChartRefs,
  ensureTools,
  HelmOutputCache,
  type Hydration,
  helmOutputDir,
  hydrateEnvironment,
  LOCK_FILE,
  pullCharts,
  renderEnvironment,
} from '@airspark/render';

/**
 * The renderer's services as promote, diff and the pre-commit hook need them. @airspark/promote and
 * @airspark/diff take these as functions so that they do not depend on helm; the CLI plugs them in.
 */

/** promote: the generated files of the target environment, from its new (unwritten) model. */
export const renderHydrator: Hydrator = async ({ root, environment }) => {
  const hydration = await hydrateEnvironment(root, environment, await loadComponents(root));
  return {
    files: [...hydration.files].map(([file, content]) => ({ file, content })),
    findings: hydration.findings,
  };
};

const folder = (p: string) => (p.endsWith('/') ? p : `${p}/`);

/**
 * The files an environment is made from: its clusters/<env>/ folder, the chart lock, and for each
 * component it enables, the component's folder and every path its declaration reads (chart or
 * manifests folder, values files, values schema, extra sources). When the components cannot be
 * loaded, every component folder counts, so that nothing is missed. The returned function loads the
 * components of a repository once: make one per command run.
 */
export function environmentInputs(): InputsOf {
  const components = new Map<string, Promise<ComponentLoadResult | undefined>>();
  const componentsOf = (root: string) => {
    if (!components.has(root))
      components.set(
        root,
        loadComponents(root).catch(() => undefined),
      );
    return components.get(root) as Promise<ComponentLoadResult | undefined>;
  };
  return async (root, env) => {
    const [{ environment }, loaded] = await Promise.all([loadEnvironment(root, env), componentsOf(root)]);
    return declaredInputs(root, env, environment, loaded);
  };
}

/**
 * The files and folders (ending in `/`) that one environment's hydration declares it reads; see
 * environmentInputs. With an environment or components that cannot be loaded: its folder, the lock
 * and all of apps/.
 */
export async function declaredInputs(
  root: string,
  env: string,
  environment: LoadedEnvironment | undefined,
  loaded: ComponentLoadResult | undefined,
  hydration?: Hydration,
): Promise<string[]> {
  const own = [`clusters/${env}/`, LOCK_FILE];
  if (!environment || !loaded || loaded.findings.some((f) => f.severity === 'error'))
    return [...own, 'apps/'];
  const { components } = hydration ?? (await hydrateEnvironment(root, environment, loaded));
  const inputs = new Set(own);
  for (const { component, valueFiles } of components) {
    const declared = component.component;
    inputs.add(folder(path.posix.dirname(component.file)));
    if (declared.source.path) inputs.add(folder(declared.source.path));
    for (const file of [...(declared.values?.files ?? []), ...valueFiles]) inputs.add(file);
    if (declared.values?.schema) inputs.add(declared.values.schema);
    for (const extra of declared.extraSources ?? []) inputs.add(folder(extra.path));
  }
  return [...inputs];
}

/**
 * A cheap first look for the pre-commit hook: can `file` be an input of any environment at all?
 * Inputs live under clusters/ and apps/, in the chart lock, or at a path a component declaration
 * names; a declaration names every path it reads, so a file none of them mentions (not even one of
 * its folders) is no input. Mentions are found in the raw text, without the schema check, so this
 * may say yes too often (then the exact inputs are computed), never no wrongly.
 */
export async function mayBeEnvironmentInput(root: string): Promise<(file: string) => boolean> {
  const texts = await Promise.all(
    (await listComponentNames(root)).map((name) => readFile(path.join(root, componentFile(name)), 'utf8')),
  );
  const ancestors = (file: string) => file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  return (file) =>
    file.startsWith(`${CLUSTERS_DIR}/`) ||
    file.startsWith(`${APPS_DIR}/`) ||
    file === LOCK_FILE ||
    texts.some((text) => ancestors(file).some((a) => text.includes(a)));
}

/**
 * diff: one environment rendered like Argo CD. An Application that could not be rendered for a
 * reason that is not the change's doing (its upstream chart is not in the cache) is reported as
 * incomplete, so that diff leaves it out rather than showing its objects as removed; every other
 * render error is an error.
 */
export function diffRenderer(progress?: (line: string) => void): EnvironmentRenderer {
  return async (root, env) => {
    const loaded = await loadEnvironment(root, env);
    if (!loaded.environment) return { objects: [], findings: loaded.findings };
    const render = await renderEnvironment({
      root,
      env: loaded.environment,
      // The base and the change share most charts and values: helm runs for what differs.
      helmOutputCache: new HelmOutputCache({
        dir: helmOutputDir(),
        ...(progress ? { onProblem: progress } : {}),
      }),
      ...(progress ? { onProgress: progress } : {}),
    });
    const incomplete = render.apps
      .filter((a) => a.status === 'incomplete')
      .map(({ app }) => {
        const why = render.findings.find((f) => f.app === app && f.rule === 'render/chart-not-cached');
        return { app, reason: why?.message ?? 'not completely rendered' };
      });
    return { objects: render.objects, findings: render.findings, incomplete };
  };
}

/** Fills the chart cache with what the repository at `root` pins (used for the base snapshot). */
export async function pullChartsFor(root: string, progress?: (line: string) => void): Promise<string[]> {
  const components = await loadComponents(root);
  const environments: LoadedEnvironment[] = [];
  for (const name of await listEnvironmentNames(root)) {
    const { environment } = await loadEnvironment(root, name);
    if (environment) environments.push(environment);
  }
  const { refs } = await collectChartRefs(root, environments, components);
  if (refs.length === 0) return [];
  const tools = await ensureTools(progress ? { log: progress } : {});
  const { outcomes } = await pullCharts({
    root,
    refs,
    helm: tools.helm,
    ...(progress ? { log: progress } : {}),
  });
  return outcomes.flatMap((o) =>
    o.status === 'failed' ? [`${o.ref.chart} ${o.ref.version}: ${o.error}`] : [],
  );
}
