#!/usr/bin/env zx
// Makes sure the envtest binaries (kube-apiserver, etcd, kubectl) for the environments'
// Kubernetes version exist, building them from the Go module proxy when they do not.
//
//   zx scripts/setup-envtest.mjs            # prepare (or report) and print the folder on stdout
//   export KUBEBUILDER_ASSETS="$(zx scripts/setup-envtest.mjs)"
//
// Progress goes to stderr; stdout carries only the folder. Exit codes: 0 ready, 1 failed, 2 usage.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureTools, TOOLS_LAYER } from '@airspark/tools';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './lib/atomic-dir.mjs';
import { airsparkCacheDir } from './lib/cache-dir.mjs';
import { withDirLock } from './lib/dir-lock.mjs';
import {
  buildEtcd,
  buildKubeApiserver,
  describeVersions as describe,
  envtestDir,
  pinnedEnvtestVersions,
  probeEnvtestVersions,
  linkOrCopy as reuse,
} from './lib/envtest-assets.mjs';
import { requireGo } from './lib/go-module-build.mjs';
import { progress } from './lib/progress.mjs';
import { runSetupMain } from './lib/run.mjs';
import { parseSetupArgs } from './lib/script-args.mjs';

const USAGE = `usage: setup-envtest.mjs [--force]

Prepares kube-apiserver, etcd and kubectl for @airspark/kube's test clusters in
\${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/envtest/<kubernetes version>/
and prints that folder. When KUBEBUILDER_ASSETS is set, checks that folder instead and builds nothing.

  --force   rebuild even when the cached binaries are present and of the pinned versions`;

async function main() {
  const options = parseSetupArgs('setup-envtest', USAGE);
  if (typeof options === 'number') return options;

  const pins = await pinnedEnvtestVersions();
  // kubectl comes from a linux/amd64-only npm package; the test clusters do not need it, so on
  // other platforms the folder holds the two binaries that are built from source.
  const withKubectl = process.platform === 'linux' && process.arch === 'x64';
  /** @type {Record<string, string>} */
  const wanted = {
    'kube-apiserver': pins.kubernetes,
    etcd: pins.etcd,
    ...(withKubectl ? { kubectl: TOOLS_LAYER.binaries.kubectl.version.replace(/^v/, '') } : {}),
  };

  const preset = process.env.KUBEBUILDER_ASSETS;
  if (preset) {
    const found = await probeEnvtestVersions(preset);
    const missing = ['kube-apiserver', 'etcd'].filter((name) => !found[name]);
    if (missing.length > 0) {
      throw new Error(
        `KUBEBUILDER_ASSETS=${preset} has no runnable ${missing.join(' or ')}. Put kube-apiserver ${pins.kubernetes} and etcd ${pins.etcd} there, or unset KUBEBUILDER_ASSETS to let this script build them into the airspark cache.`,
      );
    }
    progress(`using KUBEBUILDER_ASSETS=${preset}: ${describe(found, wanted)}`);
    if (found['kube-apiserver'] !== pins.kubernetes) {
      progress(
        `warning: the environments run Kubernetes ${pins.kubernetes}; results from ${found['kube-apiserver']} may differ`,
      );
    }
    process.stdout.write(`${preset}\n`);
    return 0;
  }

  const dir = envtestDir(airsparkCacheDir(), pins.kubernetes);
  const found = await probeEnvtestVersions(dir);
  const good = Object.fromEntries(
    Object.entries(wanted).map(([name, version]) => [name, !options.force && found[name] === version]),
  );
  if (Object.values(good).every(Boolean)) {
    progress(`envtest binaries ready in ${dir}: ${describe(found, wanted)}`);
    process.stdout.write(`${dir}\n`);
    return 0;
  }

  // Several test packages run this at once: one prepares, the others wait and then reuse it (the
  // staging sweep below would otherwise delete another process's build in progress).
  await withDirLock(`${dir}.lock`, () => prepare(dir, wanted, options), {
    onWait: (holder) => progress(`waiting for another setup-envtest (pid ${holder}) preparing ${dir}…`),
  });
  process.stdout.write(`${dir}\n`);
  return 0;
}

await runSetupMain('setup-envtest', main);

/**
 * Builds (or reuses) the binaries into `dir`; holds the lock. Re-checks first: the process that held
 * the lock before may have prepared everything.
 * @param {string} dir
 * @param {Record<string, string>} wanted
 * @param {{ force?: boolean }} options
 */
async function prepare(dir, wanted, options) {
  const pins = { kubernetes: wanted['kube-apiserver'], etcd: wanted.etcd };
  const withKubectl = 'kubectl' in wanted;
  const found = await probeEnvtestVersions(dir);
  const good = Object.fromEntries(
    Object.entries(wanted).map(([name, version]) => [name, !options.force && found[name] === version]),
  );
  if (Object.values(good).every(Boolean)) {
    progress(`envtest binaries ready in ${dir}: ${describe(found, wanted)}`);
    return;
  }
  progress(`preparing envtest binaries in ${dir} (now: ${describe(found, wanted)})`);
  const goVersion = good['kube-apiserver'] && good.etcd ? null : await requireGo();
  if (goVersion)
    progress(
      `building from the Go module proxy with Go ${goVersion}; a cold kube-apiserver build takes several minutes`,
    );

  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    const workRoot = path.join(staging, '.work');
    if (good.etcd) await reuse(path.join(dir, 'etcd'), path.join(staging, 'etcd'));
    else
      await buildEtcd({
        version: pins.etcd,
        outFile: path.join(staging, 'etcd'),
        workDir: path.join(workRoot, 'etcd'),
      });
    if (good['kube-apiserver'])
      await reuse(path.join(dir, 'kube-apiserver'), path.join(staging, 'kube-apiserver'));
    else
      await buildKubeApiserver({
        version: pins.kubernetes,
        outFile: path.join(staging, 'kube-apiserver'),
        workDir: path.join(workRoot, 'kube-apiserver'),
      });
    if (withKubectl) {
      const layer = await ensureTools({ log: progress });
      await reuse(layer.kubectl, path.join(staging, 'kubectl'));
    } else {
      progress(`skipping kubectl: ${TOOLS_LAYER.package} has no ${process.platform}/${process.arch} build`);
    }
    await rm(workRoot, { recursive: true, force: true });

    const built = await probeEnvtestVersions(staging);
    const wrong = Object.entries(wanted).filter(([name, version]) => built[name] !== version);
    if (wrong.length > 0)
      throw new Error(`the prepared binaries report unexpected versions: ${describe(built, wanted)}`);
    await publishDir(staging, dir);
    progress(`envtest binaries ready in ${dir}: ${describe(built, wanted)}`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
