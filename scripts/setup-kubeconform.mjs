#!/usr/bin/env zx
// Builds kubeconform, the peer validator that `pnpm bench` compares airspark's validation
// against, from the Go module proxy into the shared cache, and prints the binary's path.
//
//   zx scripts/setup-kubeconform.mjs         # build once (about a minute), then report
//
// Progress goes to stderr; stdout carries only the path. Exit codes: 0 ready, 1 failed, 2 usage.
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './lib/atomic-dir.mjs';
import { airsparkCacheDir } from './lib/cache-dir.mjs';
import { goInstall, requireGo } from './lib/go-module-build.mjs';
import { progress } from './lib/progress.mjs';
import { runSetupMain } from './lib/run.mjs';
import { parseSetupArgs } from './lib/script-args.mjs';

const KUBECONFORM_VERSION = '0.7.0';
const USAGE = `usage: setup-kubeconform.mjs [--force]

Builds kubeconform v${KUBECONFORM_VERSION} into \${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/tools/kubeconform/${KUBECONFORM_VERSION}/
and prints the binary's path.

  --force   rebuild even when the cached binary is present

Only the Go module proxy is used (GOPROXY=https://proxy.golang.org unless GOPROXY is set).`;

/** @param {string} file */
async function kubeconformVersion(file) {
  try {
    const { stdout } = await promisify(execFile)(file, ['-v'], { timeout: 10_000 });
    return stdout.trim().replace(/^v/, '');
  } catch {
    return null;
  }
}

async function main() {
  const options = parseSetupArgs('setup-kubeconform', USAGE);
  if (typeof options === 'number') return options;
  const dir = path.join(airsparkCacheDir(), 'tools', 'kubeconform', KUBECONFORM_VERSION);
  const binary = path.join(dir, 'kubeconform');
  if (!options.force && (await kubeconformVersion(binary)) === KUBECONFORM_VERSION) {
    progress(`kubeconform ${KUBECONFORM_VERSION} ready at ${binary}`);
    process.stdout.write(`${binary}\n`);
    return 0;
  }
  const goVersion = await requireGo();
  // The module proxy only: without this, Go's default (`proxy.golang.org,direct`) would clone the
  // repository from its host when the proxy lacked a version. A GOPROXY the user set is honoured.
  process.env.GOPROXY ??= 'https://proxy.golang.org';
  progress(`building kubeconform ${KUBECONFORM_VERSION} from the Go module proxy with Go ${goVersion}`);
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    await goInstall({
      label: 'kubeconform',
      pkg: 'github.com/yannh/kubeconform/cmd/kubeconform',
      version: `v${KUBECONFORM_VERSION}`,
      binDir: staging,
      // kubeconform's release build stamps its version the same way.
      ldflags: [`-X main.version=v${KUBECONFORM_VERSION}`],
    });
    const built = await kubeconformVersion(path.join(staging, 'kubeconform'));
    if (built !== KUBECONFORM_VERSION)
      throw new Error(
        `the built kubeconform reports version ${built ?? 'nothing'}, expected ${KUBECONFORM_VERSION}`,
      );
    await publishDir(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  progress(`kubeconform ${KUBECONFORM_VERSION} ready at ${binary}`);
  process.stdout.write(`${binary}\n`);
  return 0;
}

await runSetupMain('setup-kubeconform', main);
