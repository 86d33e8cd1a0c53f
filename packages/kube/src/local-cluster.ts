// The public face of the local cluster: `up`, `down`, `status` and image builds, in the mode that
// fits the machine. With a working Docker engine the cluster is a kind cluster; without one it
// is the "node" cluster of this package (containerd + Kubernetes binaries on the host, as root).
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { airsparkCacheDir } from './cache-dir.js';
import { pinnedEnvtestVersions } from './envtest-assets.js';
import { type BuiltImage, buildImage } from './images/build-image.js';
import { ensureImageBuildTools } from './images/build-tools.js';
import { importIntoContainerd, importIntoKind } from './images/import-image.js';
import type { ImageRecipe } from './images/recipe.js';
import { findRecipes, selectRecipes } from './images/recipes.js';
import { clusterDown } from './node-cluster/down.js';
import { clusterLayout, NODE_NAME, stateDirFromEnv } from './node-cluster/layout.js';
import type { ClusterState } from './node-cluster/state.js';
import { readJson } from './node-cluster/state.js';
import { clusterHealth } from './node-cluster/status.js';
import { clusterPrepare, clusterUp } from './node-cluster/up.js';

const execFileAsync = promisify(execFile);

export type LocalClusterMode = 'node' | 'kind';

/** The kind cluster's name in kind mode. */
export const KIND_CLUSTER_NAME = 'airspark';

export class LocalClusterModeError extends Error {
  override readonly name = 'LocalClusterModeError';
}

/**
 * AIRSPARK_LOCAL_CLUSTER=node|kind when set; otherwise kind when a Docker engine answers
 * (`docker info`, not just `docker --version`) and the kind CLI exists, else node.
 */
export async function localClusterMode(env: NodeJS.ProcessEnv = process.env): Promise<LocalClusterMode> {
  const wanted = env.AIRSPARK_LOCAL_CLUSTER?.trim().toLowerCase();
  if (wanted === 'node' || wanted === 'kind') return wanted;
  if (wanted)
    throw new LocalClusterModeError(`AIRSPARK_LOCAL_CLUSTER=${wanted} is not a mode; use node or kind.`);
  try {
    await execFileAsync('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeout: 20_000 });
    await execFileAsync('kind', ['version'], { env, timeout: 20_000 });
    return 'kind';
  } catch {
    return 'node';
  }
}

export interface LocalClusterOptions {
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Default: AIRSPARK_CLUSTER_STATE_DIR, else /var/lib/airspark-cluster (node mode). */
  readonly stateDir?: string;
  readonly mode?: LocalClusterMode;
}

export interface LocalClusterInfo {
  readonly mode: LocalClusterMode;
  /** The admin kubeconfig (mode 0600). */
  readonly kubeconfig: string;
  readonly server: string;
}

function kindKubeconfig(env: NodeJS.ProcessEnv): string {
  return path.join(airsparkCacheDir(env), 'kind', 'kubeconfig');
}

/** Brings the local cluster up (or finds it up) and returns how to reach it. */
export async function localClusterUp(
  options: LocalClusterOptions = {},
): Promise<LocalClusterInfo & { seconds: number; started: boolean }> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const mode = options.mode ?? (await localClusterMode(env));
  if (mode === 'kind') {
    const began = Date.now();
    const { stdout } = await execFileAsync('kind', ['get', 'clusters'], { env });
    const exists = stdout.split('\n').includes(KIND_CLUSTER_NAME);
    if (!exists) {
      const image = `kindest/node:v${pinnedEnvtestVersions().kubernetes}`;
      log(`creating kind cluster ${KIND_CLUSTER_NAME} (${image})`);
      await execFileAsync(
        'kind',
        ['create', 'cluster', '--name', KIND_CLUSTER_NAME, '--image', image, '--wait', '300s'],
        {
          env,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    }
    const kubeconfig = kindKubeconfig(env);
    await mkdir(path.dirname(kubeconfig), { recursive: true });
    const { stdout: config } = await execFileAsync(
      'kind',
      ['get', 'kubeconfig', '--name', KIND_CLUSTER_NAME],
      { env },
    );
    await writeFile(kubeconfig, config, { mode: 0o600 });
    const server = /server:\s*(\S+)/.exec(config)?.[1] ?? '';
    return { mode, kubeconfig, server, started: !exists, seconds: Math.round((Date.now() - began) / 1000) };
  }
  const result = await clusterUp({ stateDir: options.stateDir ?? stateDirFromEnv(env), log });
  return { mode, ...result };
}

/**
 * Installs, builds and caches everything `localClusterUp` needs, starting nothing (node mode; kind
 * needs nothing prepared).
 */
export async function localClusterPrepare(options: LocalClusterOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? (await localClusterMode(env));
  if (mode === 'node') await clusterPrepare(options.log ?? (() => {}));
}

/** Removes the local cluster and everything it changed on the machine. */
export async function localClusterDown(
  options: LocalClusterOptions = {},
): Promise<{ leftovers: readonly string[] }> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? (await localClusterMode(env));
  if (mode === 'kind') {
    await execFileAsync('kind', ['delete', 'cluster', '--name', KIND_CLUSTER_NAME], { env });
    await rm(kindKubeconfig(env), { force: true });
    return { leftovers: [] };
  }
  return clusterDown({ stateDir: options.stateDir ?? stateDirFromEnv(env), log: options.log ?? (() => {}) });
}

export interface LocalClusterStatus {
  readonly mode: LocalClusterMode;
  readonly up: boolean;
  readonly summary: string;
  readonly kubeconfig?: string;
}

export async function localClusterStatus(options: LocalClusterOptions = {}): Promise<LocalClusterStatus> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? (await localClusterMode(env));
  if (mode === 'kind') {
    const { stdout } = await execFileAsync('kind', ['get', 'clusters'], { env });
    const up = stdout.split('\n').includes(KIND_CLUSTER_NAME);
    return {
      mode,
      up,
      summary: up ? `kind cluster ${KIND_CLUSTER_NAME}` : 'no kind cluster',
      ...(up ? { kubeconfig: kindKubeconfig(env) } : {}),
    };
  }
  const health = await clusterHealth(clusterLayout(options.stateDir ?? stateDirFromEnv(env)));
  return {
    mode,
    up: health.healthy,
    summary: health.summary,
    ...(health.state !== 'down' && health.kubeconfig ? { kubeconfig: health.kubeconfig } : {}),
  };
}

export interface BuildImagesOptions extends LocalClusterOptions {
  /** Where recipes are looked for (every image.yaml git knows about). */
  readonly repoRoot: string;
  /** Image names; all recipes when empty. */
  readonly names?: readonly string[];
  /** Import into the running local cluster. Default: when one is up. */
  readonly import?: boolean;
  readonly force?: boolean;
}

export interface ImageOutcome extends BuiltImage {
  readonly imported: boolean;
}

/** Builds (or takes from the cache) the named images and imports them into the local cluster. */
export async function buildImages(options: BuildImagesOptions): Promise<ImageOutcome[]> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const recipes: ImageRecipe[] = selectRecipes(await findRecipes(options.repoRoot), options.names ?? []);
  const mode = options.mode ?? (await localClusterMode(env));
  const state =
    mode === 'node'
      ? await readJson<ClusterState>(clusterLayout(options.stateDir ?? stateDirFromEnv(env)).stateFile)
      : undefined;
  const status = options.import === false ? undefined : await localClusterStatus({ ...options, mode });
  const into = status?.up ? mode : undefined;
  if (options.import === true && !into)
    throw new Error('no local cluster is up to import the images into; run `pnpm cluster up` first');
  await ensureImageBuildTools(log);
  const outcomes: ImageOutcome[] = [];
  for (const recipe of recipes) {
    const image = await buildImage(recipe, { log, ...(options.force ? { force: true } : {}) });
    log(`image ${image.ref}: ${image.cached ? 'cached' : 'built'} (${image.archive})`);
    let fresh = true;
    if (into === 'node' && state)
      fresh = await importIntoContainerd(
        clusterLayout(options.stateDir ?? stateDirFromEnv(env)).containerdSocket,
        image.archive,
        image.ref,
        // The archive's folder is its content address (recipe hash).
        path.basename(path.dirname(image.archive)),
      );
    else if (into === 'kind') await importIntoKind(KIND_CLUSTER_NAME, image.archive);
    if (into) log(`image ${image.ref}: ${fresh ? 'imported into' : 'already in'} the ${into} cluster`);
    outcomes.push({ ...image, imported: into !== undefined });
  }
  return outcomes;
}

/**
 * Sets labels on the local cluster's node (`kubectl label --overwrite`), for nodeSelectors and
 * affinities of what the next steps install. The node is NODE_NAME in node mode,
 * `airspark-control-plane` in kind mode.
 */
export async function labelLocalNode(
  labels: Readonly<Record<string, string>>,
  options: LocalClusterOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? (await localClusterMode(env));
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  if (pairs.length === 0) return;
  if (mode === 'kind') {
    await execFileAsync(
      'kubectl',
      [
        '--kubeconfig',
        kindKubeconfig(env),
        'label',
        'node',
        `${KIND_CLUSTER_NAME}-control-plane`,
        '--overwrite',
        ...pairs,
      ],
      { env },
    );
    return;
  }
  const layout = clusterLayout(options.stateDir ?? stateDirFromEnv(env));
  const state = await readJson<ClusterState>(layout.stateFile);
  if (!state) throw new Error('no local cluster is up; run `pnpm cluster up` first');
  await execFileAsync(
    path.join(state.binDir, 'kubectl'),
    ['--kubeconfig', layout.kubeconfig, 'label', 'node', NODE_NAME, '--overwrite', ...pairs],
    { env },
  );
}
