// Measures `pnpm infra:synth` the way a user runs it: separate Node processes (cold module loading
// every time), all three environments and one, synthesis plus security checks. A table for humans
// goes to stderr; stdout gets one JSON object `{ benchmark, results }`, the format of the root
// `pnpm bench`. Usage: pnpm --filter @airspark/infra bench [runs] (or BENCH_RUNS).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);
const out = mkdtempSync(path.join(os.tmpdir(), 'airspark-bench-'));

function run(args) {
  const start = process.hrtime.bigint();
  const preload = path.join(infraDir, 'scripts', 'cpu-usage-preload.cjs');
  const result = spawnSync(
    process.execPath,
    ['--require', preload, 'bin/synth.js', '--out', out, '--format', 'json', ...args],
    {
      cwd: infraDir,
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`synth failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const built = [...result.stderr.matchAll(/✓ (\S+): .*?(\d+) resources \(built in ([\d.]+) s\)/g)].map(
    (m) => ({
      env: m[1],
      resources: Number(m[2]),
      buildMs: Number(m[3]) * 1000,
    }),
  );
  const cpuMs = Number(/cpu-usage-ms (\d+)/.exec(result.stderr)?.[1]);
  return { ms, cpuMs, built };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

run([]); // warm the file-system cache once; every measured run is still a fresh process
const scenarios = [
  ['dev, staging, prod', []],
  ['dev only', ['--env', 'dev']],
];
process.stderr.write(
  `infra:synth, ${runs} runs each, ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
process.stderr.write(
  '| scenario | wall median | wall min | wall max | CPU median | stacks (resources) |\n|---|---|---|---|---|---|\n',
);
const results = [];
for (const [label, args] of scenarios) {
  const samples = Array.from({ length: runs }, () => run(args));
  const times = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs);
  const stacks = samples[0].built.map((b) => `${b.env} (${b.resources})`).join(', ');
  process.stderr.write(
    `| ${label} | ${fmt(median(times))} | ${fmt(Math.min(...times))} | ${fmt(Math.max(...times))} | ${fmt(median(cpu))} | ${stacks} |\n`,
  );
  results.push({
    label: `infra:synth ${label}`,
    medianMs: Math.round(median(times)),
    minMs: Math.round(Math.min(...times)),
    maxMs: Math.round(Math.max(...times)),
    cpuMedianMs: median(cpu),
    runs,
  });
}
process.stdout.write(`${JSON.stringify({ benchmark: 'infra-synth-wall-time', results })}\n`);
rmSync(out, { recursive: true, force: true });
