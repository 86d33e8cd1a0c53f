#!/usr/bin/env node
// Validation throughput of @airspark/validate against kubeconform v0.7.0 on the same generated corpus
// with the same schemas, in the same run. Prints one JSON object
// `{ benchmark, corpus, results: [{ label, ... }] }` on stdout (the `pnpm bench` convention); progress
// goes to stderr.
//
// Per core: airspark runs on one thread (Node's main thread); kubeconform runs with `-n 1` (one
// validating goroutine) and with `-n <cores>`. Both are timed by wall clock and by CPU time (user +
// system, from the process itself and from /usr/bin/time for kubeconform); objects per CPU-second is
// the per-core figure that the 2x goal compares.
//
//   BENCH_OBJECTS=10000 BENCH_REPEATS=3 node packages/validate/bench/validate-throughput.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseManifests } from '../dist/manifests.js';
import { SchemaChecker } from '../dist/schema/check-schemas.js';
import { ValidatorCache } from '../dist/schema/compile.js';
import { defaultCacheDir, EnvironmentValidator } from '../dist/validate.js';
import { generateCorpus } from './corpus.mjs';
import { ensureKubeconform, runKubeconform, writeKubeconformSchemas } from './kubeconform.mjs';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PER_FILE = 20;
const log = (message) => process.stderr.write(`  ${message}\n`);
const round = (x, digits = 0) => Number(x.toFixed(digits));

const cacheDir = defaultCacheDir();
const workDir = path.join(cacheDir, 'bench', 'validate-throughput');
const corpusDir = path.join(workDir, 'corpus');

// 1. The corpus, as rendered YAML files (what both validators read end to end).
log(`generating ${OBJECTS} objects`);
const { objects, invalid } = generateCorpus(OBJECTS);
rmSync(corpusDir, { recursive: true, force: true });
mkdirSync(corpusDir, { recursive: true });
for (let i = 0; i < objects.length; i += PER_FILE) {
  const docs = objects.slice(i, i + PER_FILE).map((o) => stringify(o, { lineWidth: 0 }));
  writeFileSync(
    path.join(corpusDir, `rendered-${String(i / PER_FILE).padStart(4, '0')}.yaml`),
    `---\n${docs.join('---\n')}`,
  );
}
const files = readdirSync(corpusDir)
  .map((f) => path.join(corpusDir, f))
  .sort();

// 2. airspark's catalog and compiled validators (compile once; later runs load the cached code).
const validator = new EnvironmentValidator({ cacheDir });
const input = { env: 'bench', kubernetesVersion: '1.35', objects: [] };
const { catalog } = validator.catalogFor(input);
const cache = new ValidatorCache(cacheDir);
const started = performance.now();
cache.get(catalog.builtinBundle());
for (const crd of catalog.crdsList()) cache.get(catalog.crdBundle(crd));
const loadMs = performance.now() - started;
log(
  `validators ready in ${round(loadMs)} ms (compiled on the first run, loaded from ${cacheDir}/validators after)`,
);

const asRendered = (object, file) => ({
  env: 'bench',
  app: 'bench',
  object,
  renderedPath: file,
  source: { file, line: 1, column: 1 },
});

function measure(label, fn) {
  const runs = [];
  let outcome;
  for (let r = 0; r < REPEATS; r++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    outcome = fn();
    const wallSeconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    runs.push({ wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 });
  }
  const best = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  return {
    label,
    threads: 1,
    wallSeconds: round(best.wallSeconds, 3),
    cpuSeconds: round(best.cpuSeconds, 3),
    objectsPerSecond: round(OBJECTS / best.wallSeconds),
    objectsPerCpuSecond: round(OBJECTS / best.cpuSeconds),
    invalidObjects: outcome,
  };
}

// 3a. Schema validation of parsed objects: what `pnpm validate` does after the renderer.
const parsed = objects.map((o, i) => asRendered(structuredClone(o), `corpus/${i}`));
const checker = new SchemaChecker(catalog, cache);
log('airspark: schema checks on parsed objects');
const schemaOnly = measure('airspark schemas (parsed objects)', () => {
  let bad = 0;
  for (const r of parsed) if (checker.check(r).length > 0) bad++;
  return bad;
});

// 3b. The same, end to end from the files: read, parse YAML (duplicate keys are errors), validate.
// parseManifests reads values with js-yaml and builds positions only for objects with findings.
log('airspark: read + parse + schema checks');
const endToEnd = measure('airspark files end to end (read, parseManifests, schemas)', () => {
  let bad = 0;
  for (const file of files) {
    const { manifests, findings } = parseManifests(readFileSync(file, 'utf8'), file);
    bad += findings.length;
    for (const m of manifests) {
      const rendered = { ...asRendered(m.object, file), source: m.source, locate: m.locate };
      if (checker.check(rendered).length > 0) bad++;
    }
  }
  return bad;
});

// 3c. Every check of @airspark/validate (schemas, API versions, policies, references, Argo CD).
log('airspark: every check (schemas, policies, cross-references)');
const everything = measure('airspark every check (parsed objects)', () => {
  const findings = validator.validateEnvironment({ ...input, objects: parsed });
  return new Set(findings.filter((f) => f.rule.startsWith('schema/')).map((f) => f.resource)).size;
});

// 4. kubeconform with the same schemas, one goroutine and all cores.
const binary = ensureKubeconform(log);
const schemaLocation = writeKubeconformSchemas(path.join(workDir, 'kubeconform-schemas'), catalog);
const cores = os.availableParallelism?.() ?? os.cpus().length;
const peers = [];
for (const workers of [...new Set([1, cores])]) {
  log(`kubeconform -n ${workers}`);
  let best;
  for (let r = 0; r < REPEATS; r++) {
    const run = runKubeconform(binary, schemaLocation, corpusDir, workers);
    if (!best || run.wallSeconds < best.wallSeconds) best = run;
  }
  const { summary } = best;
  if (summary.valid + summary.invalid + summary.errors !== OBJECTS)
    throw new Error(`kubeconform saw ${JSON.stringify(summary)}, expected ${OBJECTS} resources`);
  peers.push({
    label: `kubeconform v0.7.0 -n ${workers} (files end to end)`,
    threads: workers,
    wallSeconds: round(best.wallSeconds, 3),
    cpuSeconds: best.cpuSeconds === undefined ? null : round(best.cpuSeconds, 3),
    objectsPerSecond: round(OBJECTS / best.wallSeconds),
    objectsPerCpuSecond: best.cpuSeconds === undefined ? null : round(OBJECTS / best.cpuSeconds),
    invalidObjects: summary.invalid + summary.errors,
  });
}

// 5. What `pnpm validate` pays for validation in a fresh process with a warm cache: one environment
// of 500 objects (the platform renders a few hundred per environment), start-up included.
log('airspark: fresh process, warm cache, one environment of 500 objects');
const warmRuns = Array.from({ length: 5 }, () => {
  const child = spawnSync(process.execPath, [path.join(packageDir, 'bench', 'warm-start.mjs'), '500'], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`warm-start failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
});
const warmMs = warmRuns.map((r) => r.ms).sort((a, b) => a - b);
const warmStart = {
  label: 'airspark fresh process, warm cache: load validators + every check on 500 objects',
  medianMs: warmMs[Math.floor(warmMs.length / 2)],
  minMs: warmMs[0],
  maxMs: warmMs.at(-1),
  runs: warmMs.length,
};

const single = peers[0];
const ratio = (ours) => ({
  perCpuSecond: single.objectsPerCpuSecond
    ? round(ours.objectsPerCpuSecond / single.objectsPerCpuSecond, 2)
    : null,
  perWallSecondOneCore: round(ours.objectsPerSecond / single.objectsPerSecond, 2),
});
console.log(
  JSON.stringify({
    benchmark: 'validate-throughput',
    corpus: {
      objects: OBJECTS,
      files: files.length,
      injectedInvalid: invalid,
      kinds: new Set(objects.map((o) => o.kind)).size,
    },
    validatorsReadyMs: round(loadMs),
    results: [schemaOnly, endToEnd, everything, ...peers, warmStart],
    versusKubeconformOneCore: {
      schemasParsed: ratio(schemaOnly),
      filesEndToEnd: ratio(endToEnd),
      everyCheck: ratio(everything),
    },
    packageDir: path.relative(process.cwd(), packageDir) || '.',
  }),
);
