import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Same idea as packages/cli/bin/ensure-fresh-build.js: the commands run compiled dist/, so when a
// source file of infra or of a workspace package it uses is newer than its build, build first
// (quietly when nothing is stale, which is the common case).
const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(infraDir, '..');

function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function isStale(pkgDir) {
  const buildInfo = path.join(pkgDir, 'dist', '.tsbuildinfo');
  if (!existsSync(buildInfo)) return true;
  return newestMtime(path.join(pkgDir, 'src')) > statSync(buildInfo).mtimeMs;
}

export function ensureFreshBuild() {
  if (process.env.AIRSPARK_SKIP_BUILD_CHECK === '1') return;
  const packagesDir = path.join(repoDir, 'packages');
  const candidates = [
    infraDir,
    ...readdirSync(packagesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(packagesDir, e.name, 'tsconfig.build.json')))
      .map((e) => path.join(packagesDir, e.name)),
  ];
  const stale = candidates.filter(isStale);
  if (stale.length === 0) return;
  process.stderr.write(
    `infra: ${stale.map((p) => path.basename(p)).join(', ')} changed since the last build; building…\n`,
  );
  const result = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@airspark/infra', '--output-logs=errors-only'],
    { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (result.status !== 0) {
    process.stderr.write('infra: the build failed; run `pnpm --filter @airspark/infra build` to see why.\n');
    process.exit(2);
  }
}
