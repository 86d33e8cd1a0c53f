#!/usr/bin/env node
// airspark's schema validation against kubeconform v0.7.0, side by side in one run, as whole
// processes: the same generated corpus of YAML files, the same schemas (Kubernetes 1.35 and the
// pinned CRDs, written in kubeconform's layout), each tool started afresh for every run (start-up,
// loading schemas or compiled validators, reading, parsing, validating, exit). CPU time is user +
// system of the child process from /usr/bin/time, for both tools alike; it is the comparison to
// trust on a shared machine, where wall time also measures the neighbours. Runs alternate between
// the tools so that a change of load hits both. Also reported, labelled as such: the in-process
// throughput (objects already parsed, no start-up), and the one-time costs of a cold cache.
//
//   node packages/validate/bench/validate-throughput.mjs [--quick]
//   BENCH_OBJECTS=10000 BENCH_RUNS=7   (defaults; --quick or BENCH_QUICK=1: 3 runs)
//
// Prints one JSON object `{ benchmark, machine, ..., results: [{ label, ... }] }` on stdout (the
// `pnpm bench` convention); progress goes to stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseManifests } from '../dist/manifests.js';
import { SchemaChecker } from '../dist/schema/check-schemas.js';
import { ValidatorCache } from '../dist/schema/compile.js';
import { defaultCacheDir, EnvironmentValidator } from '../dist/validate.js';
import { generateCorpus } from './corpus.mjs';
import { ensureKubeconform, writeKubeconformSchemas } from './kubeconform.mjs';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(packageDir, '../..');
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 7));
const KUBERNETES = '1.35';
const PER_FILE = 20;
const log = (message) => process.stderr.write(`  ${message}\n`);
const round = (x, digits = 0) => Number(x.toFixed(digits));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const loadAverage = () => os.loadavg().map((l) => round(l, 2));

const machine = {
  cores: os.availableParallelism?.() ?? os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart: loadAverage(),
};
const timeBinary = '/usr/bin/time';
if (!existsSync(timeBinary))
  throw new Error('/usr/bin/time is needed to measure child CPU time (apt-get install time)');

const cacheDir = defaultCacheDir();
const workDir = path.join(cacheDir, 'bench', 'validate-throughput');
const corpusDir = path.join(workDir, 'corpus');

// 1. The corpus, as rendered YAML files (what both validators read).
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
const files = readdirSync(corpusDir).sort();
const corpusBytes = files.reduce((n, f) => n + readFileSync(path.join(corpusDir, f)).length, 0);

// 2. The schemas, for both tools: airspark's catalog, written out in kubeconform's layout.
const validator = new EnvironmentValidator({ cacheDir });
const input = { env: 'bench', kubernetesVersion: KUBERNETES, objects: [] };
const { catalog } = validator.catalogFor(input);
const kubeconform = ensureKubeconform(log);
const kubeconformVersion = execFileSync(kubeconform, ['-v'], { encoding: 'utf8' }).trim();
const schemaLocation = writeKubeconformSchemas(path.join(workDir, 'kubeconform-schemas'), catalog);

// 3. airspark's whole-process entry, bundled the way the `airspark` command ships.
const airsparkEntry = path.join(workDir, 'validate-files.bundle.mjs');
execFileSync(process.execPath, [
  path.join(repoDir, 'packages/cli/scripts/bundle.mjs'),
  '--entry',
  path.join(packageDir, 'bench/validate-files.mjs'),
  '--outfile',
  airsparkEntry,
]);

/** Runs a command under /usr/bin/time; returns wall and CPU seconds (user + system) and stdout. */
function timed(command, args, env = process.env) {
  const result = spawnSync(timeBinary, ['-f', 'AIRSPARK_TIME %e %U %S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    env,
  });
  const line = /AIRSPARK_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  if (!line)
    throw new Error(`${command} ${args.join(' ')}: no timing (exit ${result.status}): ${result.stderr}`);
  return {
    wallSeconds: Number(line[1]),
    cpuSeconds: Number(line[2]) + Number(line[3]),
    stdout: result.stdout,
    status: result.status,
  };
}

/** The objects kubeconform reports invalid, as `<file> <kind> <name>`. */
function kubeconformInvalid(stdout) {
  const report = JSON.parse(stdout);
  const total = report.summary.valid + report.summary.invalid + report.summary.errors;
  if (total !== OBJECTS)
    throw new Error(`kubeconform saw ${JSON.stringify(report.summary)}, expected ${OBJECTS}`);
  return (report.resources ?? [])
    .filter((r) => r.status === 'statusInvalid' || r.status === 'statusError')
    .map((r) => `${path.basename(r.filename)} ${r.kind} ${r.name}`)
    .sort();
}

function airsparkInvalid(stdout) {
  const report = JSON.parse(stdout);
  if (report.objects !== OBJECTS)
    throw new Error(`airspark saw ${report.objects} objects, expected ${OBJECTS}`);
  return report.invalid;
}

const tools = {
  kubeconform1: {
    label: `kubeconform ${kubeconformVersion} -strict -n 1`,
    run: () =>
      timed(kubeconform, [
        '-strict',
        '-summary',
        '-output',
        'json',
        '-n',
        '1',
        '-schema-location',
        schemaLocation,
        corpusDir,
      ]),
    invalid: kubeconformInvalid,
  },
  kubeconformAll: {
    label: `kubeconform ${kubeconformVersion} -strict -n ${machine.cores}`,
    run: () =>
      timed(kubeconform, [
        '-strict',
        '-summary',
        '-output',
        'json',
        '-n',
        String(machine.cores),
        '-schema-location',
        schemaLocation,
        corpusDir,
      ]),
    invalid: kubeconformInvalid,
  },
  airspark: {
    label: 'airspark schemas (bundled process, cached validators)',
    run: () => timed(process.execPath, [airsparkEntry, '--kubernetes', KUBERNETES, corpusDir]),
    invalid: airsparkInvalid,
  },
  airsparkEvery: {
    label: 'airspark every check: schemas, policies, cross-references (bundled process)',
    run: () =>
      timed(process.execPath, [airsparkEntry, '--kubernetes', KUBERNETES, '--every-check', corpusDir]),
    invalid: (stdout) => JSON.parse(stdout).invalid,
  },
};

// 4. One-time costs first, each in a fresh cache folder: a first run that must compile every schema
// it meets (as on a machine without the build's precompiled code), and a first run after
// `pnpm install` (precompiled code present, no V8 code cache yet).
const coldCache = path.join(workDir, 'cold-cache');
rmSync(coldCache, { recursive: true, force: true });
log('airspark: first run compiling every schema (empty cache, precompiled code ignored)');
const compileRun = timed(process.execPath, [
  airsparkEntry,
  '--kubernetes',
  KUBERNETES,
  '--no-precompiled',
  '--cache-dir',
  coldCache,
  corpusDir,
]);
rmSync(coldCache, { recursive: true, force: true });
log('airspark: first run after install (precompiled code, empty user cache)');
const firstRun = timed(process.execPath, [
  airsparkEntry,
  '--kubernetes',
  KUBERNETES,
  '--cache-dir',
  coldCache,
  corpusDir,
]);
rmSync(coldCache, { recursive: true, force: true });
// One unmeasured run of each, so that every measured run starts from the same warm state.
for (const tool of Object.values(tools)) tool.run();

// 5. The measured runs, alternating between the tools.
const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
const verdicts = {};
for (let r = 0; r < RUNS; r++) {
  for (const [key, tool] of Object.entries(tools)) {
    log(`run ${r + 1}/${RUNS}: ${tool.label}`);
    const run = tool.run();
    samples[key].push(run);
    verdicts[key] = tool.invalid(run.stdout);
  }
}

const baseline = median(samples.kubeconform1.map((s) => s.cpuSeconds));
const row = (key) => {
  const runs = samples[key];
  const cpu = runs.map((s) => s.cpuSeconds);
  const wall = runs.map((s) => s.wallSeconds);
  return {
    label: tools[key].label,
    runs: runs.length,
    cpuSecondsMedian: round(median(cpu), 2),
    cpuSecondsMin: round(Math.min(...cpu), 2),
    cpuSecondsMax: round(Math.max(...cpu), 2),
    wallSecondsMedian: round(median(wall), 2),
    wallSecondsMin: round(Math.min(...wall), 2),
    wallSecondsMax: round(Math.max(...wall), 2),
    objectsPerCpuSecond: round(OBJECTS / median(cpu)),
    perCoreVsKubeconform: `${round(baseline / median(cpu), 2)}x`,
    invalidObjects: verdicts[key].length,
  };
};

// 6. In-process throughput (objects already in memory or files read in this process; no start-up,
// no loading): what the validation code itself costs. Median of the runs.
function inProcess(label, fn) {
  const cpu = [];
  const wall = [];
  let outcome;
  for (let r = 0; r < RUNS; r++) {
    const before = process.cpuUsage();
    const t = performance.now();
    outcome = fn();
    wall.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1e6);
  }
  return {
    label,
    runs: RUNS,
    cpuSecondsMedian: round(median(cpu), 3),
    cpuSecondsMin: round(Math.min(...cpu), 3),
    cpuSecondsMax: round(Math.max(...cpu), 3),
    wallSecondsMedian: round(median(wall), 3),
    wallSecondsMin: round(Math.min(...wall), 3),
    wallSecondsMax: round(Math.max(...wall), 3),
    objectsPerCpuSecond: round(OBJECTS / median(cpu)),
    perCoreVsKubeconform: `${round(baseline / median(cpu), 2)}x`,
    invalidObjects: outcome,
  };
}
const cache = new ValidatorCache(cacheDir);
const checker = new SchemaChecker(catalog, cache);
const asRendered = (object, file) => ({
  env: 'bench',
  app: 'bench',
  object,
  renderedPath: file,
  source: { file, line: 1, column: 1 },
});
const parsed = objects.map((o, i) => asRendered(structuredClone(o), `corpus/${i}`));
log('in process: schema checks on parsed objects');
const schemasParsed = inProcess(
  'in-process: airspark schemas on parsed objects (no start-up, no YAML)',
  () => {
    let bad = 0;
    for (const r of parsed) if (checker.check(r).length > 0) bad++;
    return bad;
  },
);
log('in process: read + parse + schema checks');
const filesInProcess = inProcess('in-process: airspark read + parse + schemas (no start-up)', () => {
  let bad = 0;
  for (const name of files) {
    const file = path.join(corpusDir, name);
    const { manifests } = parseManifests(readFileSync(file, 'utf8'), file);
    for (const m of manifests)
      if (checker.check({ ...asRendered(m.object, file), source: m.source, locate: m.locate }).length > 0)
        bad++;
  }
  return bad;
});
log('in process: every check on parsed objects');
const everyInProcess = inProcess(
  'in-process: airspark every check on parsed objects (no start-up, no YAML)',
  () => {
    const findings = validator.validateEnvironment({ ...input, objects: parsed });
    return new Set(findings.filter((f) => f.rule.startsWith('schema/')).map((f) => f.resource)).size;
  },
);

const agree =
  JSON.stringify(verdicts.kubeconform1) === JSON.stringify(verdicts.airspark) &&
  JSON.stringify(verdicts.kubeconformAll) === JSON.stringify(verdicts.airspark);
const airsparkCommit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: repoDir,
  encoding: 'utf8',
}).stdout.trim();
machine.loadAverageAtEnd = loadAverage();
console.log(
  JSON.stringify({
    benchmark: 'validate-throughput',
    method:
      'whole processes under /usr/bin/time (CPU = user + system of the child), runs alternating between tools, median/min/max',
    machine,
    kubernetes: `${KUBERNETES} (${catalog.api.release})`,
    tools: { airspark: airsparkCommit, kubeconform: kubeconformVersion, node: process.version },
    corpus: {
      objects: OBJECTS,
      files: files.length,
      megabytes: round(corpusBytes / 2 ** 20, 1),
      injectedInvalid: invalid,
    },
    sameInvalidObjects: agree,
    results: [
      row('kubeconform1'),
      row('kubeconformAll'),
      row('airspark'),
      row('airsparkEvery'),
      schemasParsed,
      filesInProcess,
      everyInProcess,
      {
        label:
          'one-time: airspark first run compiling every schema it meets (empty cache, no precompiled code)',
        runs: 1,
        cpuSecondsMedian: round(compileRun.cpuSeconds, 2),
        wallSecondsMedian: round(compileRun.wallSeconds, 2),
      },
      {
        label: 'one-time: airspark first run after install (precompiled code, no V8 code cache yet)',
        runs: 1,
        cpuSecondsMedian: round(firstRun.cpuSeconds, 2),
        wallSecondsMedian: round(firstRun.wallSeconds, 2),
      },
    ],
  }),
);
if (!agree) {
  process.stderr.write('airspark and kubeconform disagree about which objects are invalid\n');
  process.exitCode = 1;
}
