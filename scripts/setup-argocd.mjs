#!/usr/bin/env zx
// Makes sure the Argo CD binary the `local` environment runs exists, building it from the Go module
// proxy when it does not (about 18 CPU-minutes and 3 GB of memory cold; a rerun is a cache hit).
//
//   node scripts/setup-argocd.mjs           # prepare (or report) and print the folder on stdout
//
// The folder holds `argocd` and one link per command name (argocd-server, argocd-repo-server,
// argocd-application-controller, ...): the binary picks its role from argv[0], as in upstream's image.
// Progress goes to stderr; stdout carries only the folder. Exit codes: 0 ready, 1 failed, 2 usage.
import { execFile } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ARGOCD_COMMANDS, ARGOCD_VERSION, argocdDir, buildArgocd } from './lib/argocd-build.mjs';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './lib/atomic-dir.mjs';
import { airsparkCacheDir } from './lib/cache-dir.mjs';
import { requireGo } from './lib/go-module-build.mjs';
import { progress } from './lib/progress.mjs';
import { CommandError } from './lib/run.mjs';
import { parseSetupArgs } from './lib/script-args.mjs';

const execFileAsync = promisify(execFile);

const USAGE = `usage: setup-argocd.mjs [--force]

Builds Argo CD v${ARGOCD_VERSION} from the Go module proxy into
\${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/argocd/${ARGOCD_VERSION}/ and prints that folder.

  --force   rebuild even when the cached binary is present and of the pinned version`;

/** The version `argocd version --client` reports for the binary in `dir`, or null. */
async function probeVersion(dir) {
  try {
    const { stdout } = await execFileAsync(path.join(dir, 'argocd'), ['version', '--client', '--short'], {
      timeout: 60_000,
    });
    return /v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function main() {
  const options = parseSetupArgs('setup-argocd', USAGE);
  if (typeof options === 'number') return options;

  const dir = argocdDir(airsparkCacheDir(), ARGOCD_VERSION);
  if (!options.force && (await probeVersion(dir)) === ARGOCD_VERSION) {
    progress(`argocd ${ARGOCD_VERSION} ready in ${dir}`);
    process.stdout.write(`${dir}\n`);
    return 0;
  }

  const goVersion = await requireGo();
  progress(
    `building argocd ${ARGOCD_VERSION} from the Go module proxy (installed Go ${goVersion}; the build fetches the toolchain it needs); cold: ~18 CPU-minutes, 3 GB of memory`,
  );
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    const workRoot = path.join(staging, '.work');
    await buildArgocd({ version: ARGOCD_VERSION, outFile: path.join(staging, 'argocd'), workDir: workRoot });
    await rm(workRoot, { recursive: true, force: true });
    for (const command of ARGOCD_COMMANDS) await symlink('argocd', path.join(staging, command));
    const built = await probeVersion(staging);
    if (built !== ARGOCD_VERSION)
      throw new Error(`the built argocd reports version ${built ?? 'nothing'}, expected ${ARGOCD_VERSION}`);
    await publishDir(staging, dir);
    progress(`argocd ${ARGOCD_VERSION} ready in ${dir}`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  process.stdout.write(`${dir}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`setup-argocd: error: ${/** @type {Error} */ (error).message}\n`);
  if (error instanceof CommandError && error.outputTail)
    process.stderr.write(`--- last lines of output ---\n${error.outputTail}\n`);
  process.exitCode = 1;
}
