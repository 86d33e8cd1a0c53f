import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { airsparkCacheDir } from './cache-dir.js';

/** The pinned versions of the envtest binaries (packages/kube/envtest.json). */
export interface EnvtestVersions {
  readonly kubernetes: string;
  readonly etcd: string;
}

export function pinnedEnvtestVersions(): EnvtestVersions {
  const file = new URL('../envtest.json', import.meta.url);
  const pins = JSON.parse(readFileSync(file, 'utf8')) as EnvtestVersions;
  return { kubernetes: pins.kubernetes, etcd: pins.etcd };
}

/** Where scripts/setup-envtest.mjs puts the binaries: `<cache>/envtest/<kubernetes version>`. */
export function defaultEnvtestDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(airsparkCacheDir(env), 'envtest', pinnedEnvtestVersions().kubernetes);
}

export interface EnvtestBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

/** The command that builds the binaries; every "missing binaries" message names it. */
export const SETUP_COMMAND = 'node scripts/setup-envtest.mjs';

export class EnvtestAssetsMissingError extends Error {
  override readonly name = 'EnvtestAssetsMissingError';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds kube-apiserver and etcd the way envtest does: TEST_ASSET_KUBE_APISERVER and
 * TEST_ASSET_ETCD name single binaries, KUBEBUILDER_ASSETS a folder holding both; without
 * either, the airspark cache folder that scripts/setup-envtest.mjs fills. An explicit
 * `assetsDir` wins over the environment.
 */
export function resolveEnvtestBinaries(
  assetsDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): EnvtestBinaries {
  const source = assetsDir
    ? { dir: assetsDir, why: 'the assetsDir option' }
    : env.KUBEBUILDER_ASSETS
      ? { dir: env.KUBEBUILDER_ASSETS, why: 'KUBEBUILDER_ASSETS' }
      : { dir: defaultEnvtestDir(env), why: 'the airspark cache' };
  const binaries = {
    kubeApiserver: (!assetsDir && env.TEST_ASSET_KUBE_APISERVER) || path.join(source.dir, 'kube-apiserver'),
    etcd: (!assetsDir && env.TEST_ASSET_ETCD) || path.join(source.dir, 'etcd'),
  };
  const missing = Object.values(binaries).filter((file) => !isExecutable(file));
  if (missing.length > 0) {
    const remedy =
      source.why === 'the airspark cache'
        ? `Run \`${SETUP_COMMAND}\` from the repository root to build them (a few minutes, once per machine), or set KUBEBUILDER_ASSETS to a folder that has them.`
        : `Point ${source.why} at a folder with kube-apiserver and etcd, or unset it and run \`${SETUP_COMMAND}\` from the repository root.`;
    throw new EnvtestAssetsMissingError(
      `The envtest binaries are missing: no executable ${missing.join(' or ')} (looked in ${source.dir}, from ${source.why}). ${remedy}`,
    );
  }
  return binaries;
}
