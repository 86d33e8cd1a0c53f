#!/usr/bin/env node
// `pnpm bench`: runs every benchmark piece of the repository in turn, shows progress on stderr and
// prints a table of the figures (or, with --json, all results as one JSON document on stdout).
// Each piece is a command that prints one JSON object `{ benchmark, results: [{ label, ...figures }] }`.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const pieces = [
  { name: 'validate wall time', command: process.execPath, args: ['scripts/bench/validate-wall-time.mjs'] },
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
const selected = pieces.filter((p) => only.length === 0 || only.some((o) => p.name.includes(o)));
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};

const reports = [];
let failed = false;
for (const [i, piece] of selected.entries()) {
  process.stderr.write(`[${i + 1}/${selected.length}] ${piece.name}…\n`);
  const result = spawnSync(piece.command, piece.args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
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

if (json) {
  console.log(JSON.stringify({ machine, date: new Date().toISOString(), reports }, null, 2));
} else {
  console.log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  );
  for (const report of reports) {
    console.log(`\n${report.benchmark}`);
    for (const { label, ...figures } of report.results) {
      console.log(
        `  ${label}: ${Object.entries(figures)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
  }
}
process.exitCode = failed ? 1 : 0;
