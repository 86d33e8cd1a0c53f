#!/usr/bin/env node
// `pnpm bench`: runs every benchmark piece of the repository in turn, shows progress on stderr and
// prints Markdown (the machine, the load average before and after, one table per piece) ready to paste
// into docs/benchmarks.md; with --json, all results as one JSON document on stdout. --quick asks every
// piece for fewer runs (BENCH_QUICK=1). Names after the options select pieces by substring:
//   pnpm bench --quick validate        # the validation pieces only, 3 runs each
// Each piece is a command that prints one JSON object `{ benchmark, results: [{ label, ...figures }] }`.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const pieces = [
  { name: 'validate wall time', command: process.execPath, args: ['scripts/bench/validate-wall-time.mjs'] },
  {
    name: 'validate miss with helm output cache',
    command: process.execPath,
    args: ['scripts/bench/helm-output-cache.mjs'],
  },
  { name: 'infra synth wall time', command: process.execPath, args: ['infra/scripts/bench-synth.mjs'] },
  {
    name: 'render per environment',
    command: process.execPath,
    args: ['packages/render/bench/render-bench.mjs'],
  },
  {
    name: 'render overhead (synthetic repository)',
    command: process.execPath,
    args: ['packages/render/bench/render-bench.mjs', '--synthetic'],
  },
  { name: 'pre-commit hook', command: process.execPath, args: ['scripts/bench/pre-commit-hook.mjs'] },
  { name: 'DAG parse time', command: 'pnpm', args: ['--filter', '@airspark/dags', 'run', 'bench'] },
  {
    name: 'validate throughput vs kubeconform',
    command: process.execPath,
    args: ['packages/validate/bench/validate-throughput.mjs'],
  },
];

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const selected = pieces.filter((p) => only.length === 0 || only.some((o) => p.name.includes(o)));
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
};

const reports = [];
let failed = false;
for (const [i, piece] of selected.entries()) {
  process.stderr.write(`[${i + 1}/${selected.length}] ${piece.name}…\n`);
  const result = spawnSync(piece.command, piece.args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
    env: quick ? { ...process.env, BENCH_QUICK: '1' } : process.env,
  });
  if (result.status !== 0) {
    process.stderr.write(`  failed with exit code ${result.status}\n`);
    failed = true;
    continue;
  }
  const out = result.stdout.trim();
  // A piece prints one JSON document: either the whole output, or its last line after other text.
  reports.push(
    out.startsWith('{') && out.endsWith('}') ? JSON.parse(out) : JSON.parse(out.split('\n').at(-1) ?? ''),
  );
}

machine.loadAverageAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
if (json) {
  console.log(JSON.stringify({ machine, date: new Date().toISOString(), quick, reports }, null, 2));
} else {
  console.log(markdown(machine, reports));
}
process.exitCode = failed ? 1 : 0;

/** A Markdown table: one row per result, one column per figure any result has. */
function table(results) {
  const columns = [...new Set(results.flatMap((r) => Object.keys(r)))];
  const cell = (v) =>
    (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replaceAll('|', '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((c) => (c === 'label' ? '---' : '---:')).join(' | ')} |`,
    ...results.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

function markdown(m, pieces) {
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (--quick)' : ''}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average (1/5/15 min) ${m.loadAverageAtStart.join(' / ')} at start, ${m.loadAverageAtEnd.join(' / ')} at end.`,
  ];
  for (const report of pieces) {
    const { benchmark, results, ...about } = report;
    lines.push('', `### ${benchmark}`, '');
    for (const [key, value] of Object.entries(about))
      lines.push(`- ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
    lines.push('', table(results));
  }
  return lines.join('\n');
}
