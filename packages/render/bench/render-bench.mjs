#!/usr/bin/env node
// Render time per environment, and the overhead over calling helm and kubectl directly.
//
//   node packages/render/bench/render-bench.mjs [--root DIR] [--runs N] [--synthetic]
//
// For each environment: the median wall time of renderEnvironment (hydration, values checks,
// helm/kustomize, splitting, provenance) over N runs, and the median wall time of running the very
// same helm/kubectl command lines directly with the same parallelism (output discarded). The
// difference is what airspark adds. --synthetic benchmarks a generated repository (8 local charts,
// 2 kustomize bases, 2 directories per environment) instead of the repository's own apps/.
// Prints one JSON line on stdout (the format scripts/bench.mjs collects); progress on stderr.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findRepositoryRoot, loadComponents, loadEnvironments } from '@airspark/config';
import { ensureTools, renderEnvironment } from '@airspark/render';
import pLimit from 'p-limit';
import { syntheticRepository } from './synthetic-repo.mjs';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    runs: { type: 'string', default: '5' },
    synthetic: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = await findRepositoryRoot(values.root ?? path.resolve(here, '../../..'));
const root = values.synthetic ? await syntheticRepository(repoRoot) : repoRoot;
const log = (line) => process.stderr.write(`${line}\n`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function exec(binary, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

const tools = await ensureTools({ log });
const concurrency = os.availableParallelism();
const loaded = await loadEnvironments(root);
const components = await loadComponents(root);
const result = [];
for (const env of loaded.environments) {
  const renderTimes = [];
  let last;
  for (let i = 0; i < runs + 1; i++) {
    const started = performance.now();
    last = await renderEnvironment({ root, env, components, tools, concurrency });
    if (i > 0) renderTimes.push(performance.now() - started); // first run warms the page cache
  }
  const commands = last.apps.flatMap((a) => a.commands);
  const directTimes = [];
  for (let i = 0; i < runs + 1; i++) {
    const limit = pLimit(concurrency);
    const started = performance.now();
    await Promise.all(commands.map((c) => limit(() => exec(c.binary, c.args, root))));
    if (i > 0) directTimes.push(performance.now() - started);
  }
  const render = median(renderTimes);
  const direct = median(directTimes);
  const entry = {
    env: env.name,
    apps: last.apps.length,
    objects: last.objects.length,
    commands: commands.length,
    render_ms: Math.round(render),
    direct_ms: Math.round(direct),
    overhead_ms: Math.round(render - direct),
    overhead_pct: direct > 0 ? Math.round(((render - direct) / direct) * 100) : null,
  };
  log(`${env.name}: ${JSON.stringify(entry)}`);
  result.push(entry);
}
// One JSON line, the shape scripts/bench.mjs collects: { benchmark, results: [{ label, ...figures }] }.
process.stdout.write(
  `${JSON.stringify({
    benchmark: `render per environment (${values.synthetic ? 'synthetic repository' : 'this repository'}; median of ${runs} runs after a warm-up; direct = same helm/kubectl command lines, same parallelism ${concurrency})`,
    results: result.map(({ env, ...figures }) => ({ label: env, ...figures })),
  })}\n`,
);
if (values.synthetic) await rm(root, { recursive: true, force: true });
