#!/usr/bin/env zx
// Makes sure versitygw (an S3-compatible gateway; its `posix` backend serves a folder as S3) of
// the pinned version exists in the airspark cache, building it from the Go module proxy when it
// does not, and prints the binary's path. The end-to-end tests use it as the S3 of the local
// cluster (Citibike scenario); the DAG bundle's tests use it for s3a against a real S3 server.
//
//   node scripts/setup-versitygw.mjs [--force]
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

/** github.com/versity/versitygw has no `replace` directives, so `go install pkg@version` builds it. */
export const VERSITYGW_VERSION = 'v1.8.0';
const PKG = 'github.com/versity/versitygw/cmd/versitygw';

const USAGE = `usage: setup-versitygw.mjs [--force]

Builds versitygw ${VERSITYGW_VERSION} (${PKG}) from the Go module proxy into
\${AIRSPARK_CACHE_DIR:-\${XDG_CACHE_HOME:-~/.cache}/airspark}/versitygw/${VERSITYGW_VERSION}/ and prints the
binary's path.

  --force   rebuild even when the cached binary is present and runs`;

const execFileAsync = promisify(execFile);

/** @param {string} binary */
async function runs(binary) {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 60_000 });
    return stdout.includes(VERSITYGW_VERSION.replace(/^v/, ''));
  } catch {
    return false;
  }
}

async function main() {
  const options = parseSetupArgs('setup-versitygw', USAGE);
  if (typeof options === 'number') return options;
  const dir = path.join(airsparkCacheDir(), 'versitygw', VERSITYGW_VERSION);
  const binary = path.join(dir, 'versitygw');
  if (!options.force && (await runs(binary))) {
    progress(`versitygw ${VERSITYGW_VERSION} ready: ${binary}`);
    process.stdout.write(`${binary}\n`);
    return 0;
  }
  const goVersion = await requireGo();
  progress(`building versitygw ${VERSITYGW_VERSION} from the Go module proxy with Go ${goVersion}`);
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    await goInstall({
      label: 'versitygw',
      pkg: PKG,
      version: VERSITYGW_VERSION,
      binDir: staging,
      ldflags: [`-X main.Version=${VERSITYGW_VERSION}`, '-X main.Build=module-proxy'],
    });
    if (!(await runs(path.join(staging, 'versitygw'))))
      throw new Error(`the built versitygw does not report version ${VERSITYGW_VERSION}`);
    await publishDir(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  progress(`versitygw ${VERSITYGW_VERSION} ready: ${binary}`);
  process.stdout.write(`${binary}\n`);
  return 0;
}

await runSetupMain('setup-versitygw', main);
