// The helm output cache (ADR 0062) on a one-environment result-cache miss, as whole processes under
// /usr/bin/time (wall; CPU = user + system of the process and its children, helm included), several
// runs with median/min/max, the three cases alternating run by run:
//
// - helm outputs cached: a comment appended to clusters/dev/environment.yaml (the result cache of
//   ADR 0022/0037 misses; nothing helm reads changed), so every chart's output comes from the cache;
// - one values file changed: a comment appended to clusters/dev/values/livy.yaml, so that chart's
//   key changes and helm runs for it alone (the everyday edit);
// - helm output cache emptied before the run: what the same miss cost before ADR 0062.
//
// Like validate-wall-time.mjs it works in a throw-away copy of clusters/, apps/ and dags/spark_apps
// with its own cache folder, the upstream charts stored from the mirror (AIRSPARK_CHART_MIRROR,
// default /work/shared/charts or ../shared/charts) by fill-chart-cache.mjs, helm and kubectl linked
// from the user's cache. BENCH_RUNS (default 10; --quick or BENCH_QUICK=1: 3). Prints one JSON object
// (see scripts/bench.mjs).
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

function timed(command, args, options) {
  const result = spawnSync('/usr/bin/time', ['-f', 'AIRSPARK_TIME %e %U %S', command, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    ...options,
  });
  const line = /AIRSPARK_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  // Exit 1 means findings; anything else is a failure of the run itself.
  if (!line || (result.status !== 0 && result.status !== 1))
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const helm = /\(helm: (\d+) outputs from cache, (\d+) run\)/.exec(result.stderr);
  return {
    wall: Number(line[1]),
    cpu: Number(line[2]) + Number(line[3]),
    objects: /(\d+) objects checked/.exec(result.stderr)?.[1],
    helmFromCache: helm ? Number(helm[1]) : undefined,
    helmRun: helm ? Number(helm[2]) : undefined,
  };
}

function summarise(label, samples) {
  const wall = samples.map((s) => s.wall);
  const cpu = samples.map((s) => s.cpu);
  const last = samples.at(-1) ?? {};
  return {
    label,
    runs: samples.length,
    cpuSecondsMedian: round(median(cpu)),
    cpuSecondsMin: round(Math.min(...cpu)),
    cpuSecondsMax: round(Math.max(...cpu)),
    wallSecondsMedian: round(median(wall)),
    wallSecondsMin: round(Math.min(...wall)),
    wallSecondsMax: round(Math.max(...wall)),
    objectsRendered: last.objects ?? 'none (result cache hit)',
    helmOutputsFromCache: last.helmFromCache,
    helmRuns: last.helmRun,
  };
}

const loadAtStart = os.loadavg().map((l) => round(l));
const mirror = [
  process.env.AIRSPARK_CHART_MIRROR,
  '/work/shared/charts',
  path.join(repoRoot, '../shared/charts'),
].find((d) => d && existsSync(path.join(d, 'index.yaml')));
const copy = mkdtempSync(path.join(os.tmpdir(), 'airspark-bench-helm-output-'));
let results;
let charts;
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
  symlinkSync(path.join(userCache, 'tools'), path.join(cacheDir, 'tools'));
  const env = { ...process.env, AIRSPARK_CACHE_DIR: cacheDir, NO_COLOR: '1' };
  charts = mirror
    ? JSON.parse(
        execFileSync(
          process.execPath,
          [path.join(repoRoot, 'scripts/bench/fill-chart-cache.mjs'), root, mirror],
          { env, encoding: 'utf8' },
        ),
      )
    : { cached: [], missing: ['no chart mirror found'] };
  let edit = 0;
  const append = (file) => appendFileSync(path.join(root, file), `# bench edit ${++edit}\n`);
  const cases = [
    {
      label: 'validate --env dev, result cache miss, helm outputs cached',
      before: () => append('clusters/dev/environment.yaml'),
    },
    {
      label: 'validate --env dev, result cache miss, one values file changed (livy: helm runs for it)',
      before: () => append('clusters/dev/values/livy.yaml'),
    },
    {
      label: 'validate --env dev, result cache miss, helm output cache emptied (before ADR 0062)',
      before: () => {
        append('clusters/dev/environment.yaml');
        rmSync(path.join(cacheDir, 'helm-output'), { recursive: true, force: true });
      },
    },
  ];
  const args = [airspark, 'validate', '--env', 'dev', '--root', root];
  // One unmeasured run fills the validators' and the OS's caches and the helm outputs.
  timed(process.execPath, args, { cwd: root, env });
  const samples = cases.map(() => []);
  for (let i = 0; i < runs; i++)
    for (const [c, entry] of cases.entries()) {
      entry.before();
      samples[c].push(timed(process.execPath, args, { cwd: root, env }));
    }
  results = cases.map((c, i) => summarise(c.label, samples[i]));
} finally {
  rmSync(copy, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    benchmark: 'helm-output-cache',
    method:
      'whole processes under /usr/bin/time (CPU = user + system, children included), the cases alternating, median/min/max',
    machine: { loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
    chartsCached: charts.cached.join(', ') || 'none',
    chartsNotCached: charts.missing.join(', ') || 'none',
    results,
  }),
);
