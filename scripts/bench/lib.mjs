// What the whole-process bench pieces share (ADR 0046): the run count, the statistics, a command
// timed by /usr/bin/time, and a throw-away copy of the repository's environments with the upstream
// charts stored from the mirror, so that no piece touches this checkout or the user's chart cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `airspark` command as the package's bin runs it. */
export const airsparkBin = path.join(repoRoot, 'packages/cli/bin/airspark.js');

/** BENCH_RUNS, else 3 with --quick or BENCH_QUICK=1, else 10. */
export function benchRuns(argv = process.argv, env = process.env) {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1';
  return Number(env.BENCH_RUNS ?? (quick ? 3 : 10));
}

export const round = (x, digits = 2) => Number(x.toFixed(digits));

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const loadAverage = () => os.loadavg().map((l) => round(l));

/**
 * Runs a command under /usr/bin/time: wall seconds, CPU seconds (user + system of it and its
 * children, helm included) and its stderr. Exit 1 means findings; any other failure throws.
 */
export function timedProcess(command, args, options = {}, timeBinary = '/usr/bin/time') {
  if (!existsSync(timeBinary))
    throw new Error(
      `the benchmarks time whole processes with ${timeBinary}: install it (Debian: apt-get install time)`,
    );
  const result = spawnSync(timeBinary, ['-f', 'AIRSPARK_TIME %e %U %S', command, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    ...options,
  });
  const line = /AIRSPARK_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  if (!line || (result.status !== 0 && result.status !== 1))
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall: Number(line[1]), cpu: Number(line[2]) + Number(line[3]), stderr: result.stderr };
}

/** Median, minimum and maximum of the samples' wall and CPU seconds. */
export function wallAndCpu(samples) {
  const wall = samples.map((s) => s.wall);
  const cpu = samples.map((s) => s.cpu);
  return {
    runs: samples.length,
    wallSecondsMedian: round(median(wall)),
    wallSecondsMin: round(Math.min(...wall)),
    wallSecondsMax: round(Math.max(...wall)),
    cpuSecondsMedian: round(median(cpu)),
    cpuSecondsMin: round(Math.min(...cpu)),
    cpuSecondsMax: round(Math.max(...cpu)),
  };
}

/** The chart mirror: AIRSPARK_CHART_MIRROR, /work/shared/charts or ../shared/charts; undefined if none. */
export function findChartMirror() {
  return [
    process.env.AIRSPARK_CHART_MIRROR,
    '/work/shared/charts',
    path.join(repoRoot, '../shared/charts'),
  ].find((d) => d && existsSync(path.join(d, 'index.yaml')));
}

/**
 * Calls `use` with a throw-away copy of clusters/, apps/ and dags/spark_apps (`root`), its own cache
 * folder holding the upstream charts stored from the mirror by fill-chart-cache.mjs (helm and kubectl
 * linked from the user's cache), and the environment to run `airspark` with; removes it afterwards.
 * @template T
 * @param {string} prefix
 * @param {(scratch: { root: string, cacheDir: string, env: NodeJS.ProcessEnv, charts: { cached: string[], missing: string[] } }) => T} use
 * @returns {T}
 */
export function withScratchRepository(prefix, use) {
  const mirror = findChartMirror();
  const copy = mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    for (const dir of ['clusters', 'apps', 'dags/spark_apps'])
      cpSync(path.join(repoRoot, dir), path.join(copy, 'repo', dir), {
        recursive: true,
        filter: (src) =>
          !src.split(path.sep).includes('node_modules') && src !== path.join(repoRoot, 'apps/test'),
      });
    const root = path.join(copy, 'repo');
    writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const cacheDir = path.join(copy, 'cache');
    mkdirSync(cacheDir, { recursive: true });
    const userCache = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { cacheDir } from '@airspark/tools'; console.log(cacheDir())"],
      { cwd: path.join(repoRoot, 'packages/render'), encoding: 'utf8' },
    ).trim();
    // helm and kubectl, as ensureTools installed them for the user.
    symlinkSync(path.join(userCache, 'tools'), path.join(cacheDir, 'tools'));
    const env = { ...process.env, AIRSPARK_CACHE_DIR: cacheDir, NO_COLOR: '1' };
    const charts = mirror
      ? JSON.parse(
          execFileSync(
            process.execPath,
            [path.join(repoRoot, 'scripts/bench/fill-chart-cache.mjs'), root, mirror],
            {
              env,
              encoding: 'utf8',
            },
          ),
        )
      : { cached: [], missing: ['no chart mirror found'] };
    return use({ root, cacheDir, env, charts });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
