// Wall time of `pnpm validate` (what users type, pnpm's own start-up included) and of the
// `airspark validate` binary alone, cold (first run after a build) and warm (median of repeats).
// Prints one JSON object.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const runs = Number(process.env.BENCH_RUNS ?? 10);

function time(command, args) {
  const start = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x);

function measure(label, command, args) {
  const cold = time(command, args);
  const warm = Array.from({ length: runs }, () => time(command, args));
  return {
    label,
    coldMs: round(cold),
    warmMedianMs: round(median(warm)),
    warmMinMs: round(Math.min(...warm)),
    warmMaxMs: round(Math.max(...warm)),
    runs,
  };
}

// Touching nothing: "cold" is the first process after a fresh build, when Node's caches and the
// OS file cache have not seen this build yet.
spawnSync('pnpm', ['build'], { stdio: 'ignore' });
const results = [
  measure('pnpm validate (3 environments)', 'pnpm', ['-s', 'validate']),
  measure('airspark validate (3 environments, no pnpm)', process.execPath, [
    'packages/cli/bin/airspark.js',
    'validate',
  ]),
  measure('airspark validate --env dev', process.execPath, [
    'packages/cli/bin/airspark.js',
    'validate',
    '--env',
    'dev',
  ]),
];
console.log(JSON.stringify({ benchmark: 'validate-wall-time', results }));
