#!/usr/bin/env zx
// Makes sure the Spark Operator controller of the pinned version exists in the airspark cache,
// building it from the Go module proxy when it does not, and prints the binary's path.
//
//   zx scripts/setup-spark-operator.mjs [--force]
//
// Progress goes to stderr; stdout carries only the path. Exit codes: 0 ready, 1 failed, 2 usage.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './lib/atomic-dir.mjs';
import { airsparkCacheDir } from './lib/cache-dir.mjs';
import { requireGo } from './lib/go-module-build.mjs';
import { progress } from './lib/progress.mjs';
import { runSetupMain } from './lib/run.mjs';
import { parseSetupArgs } from './lib/script-args.mjs';
import {
  buildSparkOperator,
  probeSparkOperatorVersion,
  sparkOperatorDir,
} from './lib/spark-operator-build.mjs';

const USAGE = `usage: setup-spark-operator.mjs [--force]

Builds the Spark Operator controller (github.com/kubeflow/spark-operator/v2/cmd/operator) at the
version clusters/dev/environment.yaml pins (components.sparkOperator.chartVersion) from the Go
module proxy into \${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/spark-operator/<version>/
and prints the binary's path.

  --force   rebuild even when the cached binary is present and of the pinned version`;

const environmentFile = fileURLToPath(new URL('../clusters/dev/environment.yaml', import.meta.url));

/** components.sparkOperator.chartVersion of the dev environment (chart and image share it). */
async function pinnedVersion() {
  const text = await readFile(environmentFile, 'utf8');
  const match = /^\s{2}sparkOperator:\n(?:\s{4}.*\n)*?\s{4}chartVersion:\s*"?([\w.-]+)"?/m.exec(text);
  if (!match?.[1])
    throw new Error(
      `${environmentFile}: components.sparkOperator.chartVersion not found; set it to the version to build`,
    );
  return match[1];
}

async function main() {
  const options = parseSetupArgs('setup-spark-operator', USAGE);
  if (typeof options === 'number') return options;
  const version = await pinnedVersion();
  const dir = sparkOperatorDir(airsparkCacheDir(), version);
  const binary = path.join(dir, 'spark-operator');
  if (!options.force && (await probeSparkOperatorVersion(binary)) === version) {
    progress(`spark-operator ${version} ready: ${binary}`);
    process.stdout.write(`${binary}\n`);
    return 0;
  }
  const goVersion = await requireGo();
  progress(
    `building spark-operator ${version} from the Go module proxy with Go ${goVersion} (minutes when cold)`,
  );
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    const workDir = path.join(staging, '.work');
    await buildSparkOperator({ version, outFile: path.join(staging, 'spark-operator'), workDir });
    await rm(workDir, { recursive: true, force: true });
    const built = await probeSparkOperatorVersion(path.join(staging, 'spark-operator'));
    if (built !== version)
      throw new Error(`the built spark-operator reports version ${built ?? 'nothing'}, not ${version}`);
    await publishDir(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  progress(`spark-operator ${version} ready: ${binary}`);
  process.stdout.write(`${binary}\n`);
  return 0;
}

await runSetupMain('setup-spark-operator', main);
