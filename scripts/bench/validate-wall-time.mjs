// `pnpm validate` as users run it, timed as whole processes under /usr/bin/time (wall, and CPU =
// user + system of the process and its children, helm included), several runs with median/min/max:
//
// - all environments, every result from the result cache (nothing changed): through pnpm and the
//   `airspark` binary alone, beside pnpm's own start-up doing nothing (`pnpm -s exec true`, and
//   `pnpm -s run --if-present` of a script that does not exist: pnpm reads package.json and exits),
//   the floor of anything run through pnpm;
// - one environment whose input changed (a result-cache miss: render and check it) with the upstream
//   charts in the chart cache. The charts come from the mirror (AIRSPARK_CHART_MIRROR, default
//   /work/shared/charts or ../shared/charts) and are stored with the renderer's own storeChart and
//   writeLock in a throw-away copy of clusters/, apps/ and dags/spark_apps with its own cache folder
//   (helm and kubectl linked from the user's cache), so neither this repository nor the user's chart
//   cache is touched. A pinned chart the mirror lacks stays uncached (reported in the output).
//
// BENCH_RUNS (default 10; --quick or BENCH_QUICK=1: 3). Prints one JSON object (see scripts/bench.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const runs = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 10));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const airspark = path.join(repoRoot, 'packages/cli/bin/airspark.js');
const round = (x, digits = 2) => Number(x.toFixed(digits));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function timed(command, args, options = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', 'AIRSPARK_TIME %e %U %S', command, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    ...options,
  });
  const line = /AIRSPARK_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  // Exit 1 means findings (warnings only exit 0); anything else is a failure of the run itself.
  if (!line || (result.status !== 0 && result.status !== 1))
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall: Number(line[1]), cpu: Number(line[2]) + Number(line[3]), stderr: result.stderr };
}

function summarise(label, samples, extra = {}) {
  const wall = samples.map((s) => s.wall);
  const cpu = samples.map((s) => s.cpu);
  return {
    label,
    runs: samples.length,
    wallSecondsMedian: round(median(wall)),
    wallSecondsMin: round(Math.min(...wall)),
    wallSecondsMax: round(Math.max(...wall)),
    cpuSecondsMedian: round(median(cpu)),
    cpuSecondsMin: round(Math.min(...cpu)),
    cpuSecondsMax: round(Math.max(...cpu)),
    ...extra,
  };
}

/** One unmeasured run (fills the result cache, the OS file cache), then `runs` measured ones. */
function measure(label, command, args, options = {}, before = () => {}) {
  before();
  timed(command, args, options);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    before();
    samples.push(timed(command, args, options));
  }
  return { ...summarise(label, samples), lastStderr: samples.at(-1)?.stderr ?? '' };
}
const withoutLog = ({ lastStderr, ...figures }) => figures;

const loadAtStart = os.loadavg().map((l) => round(l));
spawnSync('pnpm', ['build'], { cwd: repoRoot, stdio: 'ignore' });
const results = [
  measure('pnpm -s validate, every environment, result cache hit', 'pnpm', ['-s', 'validate'], {
    cwd: repoRoot,
  }),
  measure("pnpm's floor: pnpm -s exec true (no script, nothing run)", 'pnpm', ['-s', 'exec', 'true'], {
    cwd: repoRoot,
  }),
  measure(
    "pnpm's floor: pnpm -s run --if-present (a script that does not exist)",
    'pnpm',
    ['-s', 'run', '--if-present', 'airspark-bench-no-such-script'],
    { cwd: repoRoot },
  ),
  measure(
    'airspark validate (binary), every environment, result cache hit',
    process.execPath,
    [airspark, 'validate'],
    {
      cwd: repoRoot,
    },
  ),
].map(withoutLog);

// A result-cache miss for one environment, upstream charts cached, in a throw-away copy.
const mirror = [
  process.env.AIRSPARK_CHART_MIRROR,
  '/work/shared/charts',
  path.join(repoRoot, '../shared/charts'),
].find((d) => d && existsSync(path.join(d, 'index.yaml')));
const copy = mkdtempSync(path.join(os.tmpdir(), 'airspark-bench-validate-'));
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
  const cached = mirror
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
  let edit = 0;
  const touchDev = () =>
    appendFileSync(path.join(root, 'clusters/dev/environment.yaml'), `# bench edit ${++edit}\n`);
  const miss = measure(
    'airspark validate --env dev, result cache miss (render + check), upstream charts cached',
    process.execPath,
    [airspark, 'validate', '--env', 'dev', '--root', root],
    { cwd: root, env },
    touchDev,
  );
  results.push({
    ...withoutLog(miss),
    objectsRendered: /(\d+) objects checked/.exec(miss.lastStderr)?.[1] ?? 'none (cache hit)',
    chartsCached: cached.cached.join(', ') || 'none',
    chartsNotCached: cached.missing.join(', ') || 'none',
  });
} finally {
  rmSync(copy, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    benchmark: 'validate-wall-time',
    method: 'whole processes under /usr/bin/time (CPU = user + system, children included), median/min/max',
    machine: { loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
    results,
  }),
);
