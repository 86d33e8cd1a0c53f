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

import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import {
  airsparkBin,
  benchRuns,
  loadAverage,
  repoRoot,
  timedProcess,
  wallAndCpu,
  withScratchRepository,
} from './lib.mjs';

const runs = benchRuns();

/** One unmeasured run (fills the result cache, the OS file cache), then `runs` measured ones. */
function measure(label, command, args, options = {}, before = () => {}) {
  before();
  timedProcess(command, args, options);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    before();
    samples.push(timedProcess(command, args, options));
  }
  return { label, ...wallAndCpu(samples), lastStderr: samples.at(-1)?.stderr ?? '' };
}
const withoutLog = ({ lastStderr, ...figures }) => figures;

const loadAtStart = loadAverage();
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
    [airsparkBin, 'validate'],
    {
      cwd: repoRoot,
    },
  ),
].map(withoutLog);

// A result-cache miss for one environment, upstream charts cached, in a throw-away copy.
withScratchRepository('airspark-bench-validate-', ({ root, env, charts }) => {
  let edit = 0;
  const touchDev = () =>
    appendFileSync(path.join(root, 'clusters/dev/environment.yaml'), `# bench edit ${++edit}\n`);
  const miss = measure(
    'airspark validate --env dev, result cache miss (render + check), upstream charts cached',
    process.execPath,
    [airsparkBin, 'validate', '--env', 'dev', '--root', root],
    { cwd: root, env },
    touchDev,
  );
  results.push({
    ...withoutLog(miss),
    objectsRendered: /(\d+) objects checked/.exec(miss.lastStderr)?.[1] ?? 'none (cache hit)',
    chartsCached: charts.cached.join(', ') || 'none',
    chartsNotCached: charts.missing.join(', ') || 'none',
  });
});
console.log(
  JSON.stringify({
    benchmark: 'validate-wall-time',
    method: 'whole processes under /usr/bin/time (CPU = user + system, children included), median/min/max',
    machine: { loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() },
    results,
  }),
);
