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
// Like validate-wall-time.mjs it works in a throw-away copy of the environments with the upstream
// charts stored from the mirror (lib.mjs withScratchRepository). BENCH_RUNS (default 10; --quick or
// BENCH_QUICK=1: 3). Prints one JSON object (see scripts/bench.mjs).
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  airsparkBin,
  benchRuns,
  loadAverage,
  timedProcess,
  wallAndCpu,
  withScratchRepository,
} from './lib.mjs';

const runs = benchRuns();

function timed(command, args, options) {
  const run = timedProcess(command, args, options);
  const helm = /\(helm: (\d+) outputs from cache, (\d+) run\)/.exec(run.stderr);
  return {
    ...run,
    objects: /(\d+) objects checked/.exec(run.stderr)?.[1],
    helmFromCache: helm ? Number(helm[1]) : undefined,
    helmRun: helm ? Number(helm[2]) : undefined,
  };
}

function summarise(label, samples) {
  const last = samples.at(-1) ?? {};
  return {
    label,
    ...wallAndCpu(samples),
    objectsRendered: last.objects ?? 'none (result cache hit)',
    helmOutputsFromCache: last.helmFromCache,
    helmRuns: last.helmRun,
  };
}

const loadAtStart = loadAverage();
const { results, charts } = withScratchRepository(
  'airspark-bench-helm-output-',
  ({ root, cacheDir, env, charts }) => {
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
    const args = [airsparkBin, 'validate', '--env', 'dev', '--root', root];
    // One unmeasured run fills the validators' and the OS's caches and the helm outputs.
    timed(process.execPath, args, { cwd: root, env });
    const samples = cases.map(() => []);
    for (let i = 0; i < runs; i++)
      for (const [c, entry] of cases.entries()) {
        entry.before();
        samples[c].push(timed(process.execPath, args, { cwd: root, env }));
      }
    return { results: cases.map((c, i) => summarise(c.label, samples[i])), charts };
  },
);
console.log(
  JSON.stringify({
    benchmark: 'helm-output-cache',
    method:
      'whole processes under /usr/bin/time (CPU = user + system, children included), the cases alternating, median/min/max',
    machine: { loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() },
    chartsCached: charts.cached.join(', ') || 'none',
    chartsNotCached: charts.missing.join(', ') || 'none',
    results,
  }),
);
