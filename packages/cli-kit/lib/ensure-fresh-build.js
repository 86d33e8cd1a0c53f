// The airspark commands run compiled dist/ folders. When a source file of a workspace package is
// newer than its build (a developer edited a package and did not build), build first, so that a
// command never runs stale code; a clean tree pays only a walk of the src/ folders.
// Plain JavaScript on purpose: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time below `dir` (0 when it does not exist). */
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

/** Every TypeScript workspace package under packages/, plus any extra package folders. */
function packageDirs(repoDir, extra) {
  const packagesDir = path.join(repoDir, 'packages');
  return [
    ...extra,
    ...readdirSync(packagesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(packagesDir, e.name, 'tsconfig.build.json')))
      .map((e) => path.join(packagesDir, e.name)),
  ];
}

/**
 * @param {{ repoDir: string, filter: string, label: string, extraPackageDirs?: string[] }} options
 *   `filter` is the turbo filter that builds the command and what it depends on (e.g. `@airspark/cli...`).
 */
export function ensureFreshBuild({ repoDir, filter, label, extraPackageDirs = [] }) {
  if (process.env.AIRSPARK_SKIP_BUILD_CHECK === '1') return;
  const stale = packageDirs(repoDir, extraPackageDirs).filter(isStale);
  if (stale.length === 0) return;
  process.stderr.write(
    `${label}: ${stale.map((p) => path.basename(p)).join(', ')} changed since the last build; building ${stale.length} of ${packageDirs(repoDir, extraPackageDirs).length} packages (with what depends on them; up to a minute on a busy machine)…\n`,
  );
  const result = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', `--filter=${filter}`, '--output-logs=errors-only'],
    {
      cwd: repoDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (result.status !== 0) {
    process.stderr.write(`${label}: the build failed; run \`pnpm build\` to see why.\n`);
    process.exit(2);
  }
  // turbo may restore dist/ from its cache with the old timestamps; its hash says the build matches
  // the sources, so mark it fresh, or every later run would see it as stale and rebuild again.
  const now = new Date();
  for (const pkg of stale) {
    const buildInfo = path.join(pkg, 'dist', '.tsbuildinfo');
    if (existsSync(buildInfo)) utimesSync(buildInfo, now, now);
  }
}
