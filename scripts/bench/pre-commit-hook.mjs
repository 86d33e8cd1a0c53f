// Wall and CPU time of the pre-commit hook: a real `git commit` through the hook that `pnpm install`
// sets (simple-git-hooks running `airspark pre-commit`), and the `airspark pre-commit` command alone,
// in a throw-away clone of clusters/ that links this repository's toolchain. Cold = first run after
// a build; warm = median of BENCH_RUNS (default 10; --quick or BENCH_QUICK=1: 3). CPU time comes from
// /usr/bin/time around the measured command (user + system of it and its children: helm, git, the
// hook's Node), as in the other pieces (ADR 0046); on a shared machine wall time also measures the
// neighbours, so the load average at start and end is recorded. Prints one JSON object (see
// scripts/bench.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchRuns, loadAverage, median, repoRoot } from './lib.mjs';

const runs = benchRuns();
const loadAverageAtStart = loadAverage();
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@airspark.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@airspark.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  SKIP_INSTALL_SIMPLE_GIT_HOOKS: '',
  NO_COLOR: '1',
};

const root = mkdtempSync(path.join(tmpdir(), 'airspark-bench-hook-'));
const git = (...args) => execFileSync('git', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
try {
  cpSync(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), { recursive: true });
  // The components, without their test package (apps/test) and anything installed.
  cpSync(path.join(repoRoot, 'apps'), path.join(root, 'apps'), {
    recursive: true,
    filter: (src) =>
      !src.split(path.sep).includes('node_modules') && src !== path.join(repoRoot, 'apps/test'),
  });
  // The chart lock (issue 11): without it every upstream chart in the user's chart cache is a
  // render/chart-lock error and the hook fails.
  if (existsSync(path.join(repoRoot, 'charts.lock.yaml')))
    copyFileSync(path.join(repoRoot, 'charts.lock.yaml'), path.join(root, 'charts.lock.yaml'));
  writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  writeFileSync(path.join(root, '.gitignore'), 'packages\nnode_modules\n');
  copyFileSync(path.join(repoRoot, '.simple-git-hooks.json'), path.join(root, '.simple-git-hooks.json'));
  symlinkSync(path.join(repoRoot, 'packages'), path.join(root, 'packages'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '--no-verify', '-m', 'start');
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/simple-git-hooks/cli.js')], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  spawnSync('pnpm', ['build'], { cwd: repoRoot, stdio: 'ignore' });
  const bin = ['packages/cli/bin/airspark.js', 'pre-commit'];
  let counter = 0;
  /**
   * Stages a fresh, valid change of one environment as a user makes it: edit environment.yaml,
   * re-hydrate its Applications (not measured), stage both. Through the promotion check, a change of
   * dev is validated with staging and prod.
   */
  const stage = (envName) => {
    const file = path.join(root, `clusters/${envName}/environment.yaml`);
    const text = readFileSync(file, 'utf8').replace(
      /refreshIntervalSeconds: \d+/,
      `refreshIntervalSeconds: ${300 + (counter++ % 500)}`,
    );
    writeFileSync(file, text);
    execFileSync(process.execPath, [bin[0], 'render', '--hydrate-only', '--env', envName], {
      cwd: root,
      env,
      stdio: 'ignore',
    });
    git('add', '--all');
  };
  const stageUnrelated = () => {
    writeFileSync(path.join(root, 'NOTES.md'), `note ${counter++}\n`);
    git('add', 'NOTES.md');
  };

  const time = (prepare, command, args) => {
    // Commit whatever an earlier run left staged, so that each run stages exactly one change.
    git('commit', '--quiet', '--no-verify', '--allow-empty', '-m', 'bench setup');
    prepare();
    const start = performance.now();
    const result = spawnSync('/usr/bin/time', ['-f', 'AIRSPARK_TIME %U %S', command, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const ms = performance.now() - start;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    const line = /AIRSPARK_TIME ([\d.]+) ([\d.]+)/.exec(result.stderr);
    const cpu = line ? Math.round((Number(line[1]) + Number(line[2])) * 1000) : Number.NaN;
    return { ms, cpu };
  };
  const measure = (label, prepare, command, args) => {
    const cold = time(prepare, command, args);
    const warm = Array.from({ length: runs }, () => time(prepare, command, args));
    const wall = warm.map((w) => w.ms);
    return {
      label,
      coldMs: Math.round(cold.ms),
      warmMedianMs: Math.round(median(wall)),
      warmMinMs: Math.round(Math.min(...wall)),
      warmMaxMs: Math.round(Math.max(...wall)),
      warmCpuMedianMs: Math.round(median(warm.map((w) => w.cpu))),
      warmCpuMinMs: Math.min(...warm.map((w) => w.cpu)),
      warmCpuMaxMs: Math.max(...warm.map((w) => w.cpu)),
      runs,
    };
  };

  const results = [
    measure(
      'airspark pre-commit, staged dev (validates dev, staging, prod)',
      () => stage('dev'),
      process.execPath,
      bin,
    ),
    measure('airspark pre-commit, staged prod (validates prod)', () => stage('prod'), process.execPath, bin),
    measure(
      'airspark pre-commit, staged file outside every environment',
      stageUnrelated,
      process.execPath,
      bin,
    ),
    measure('git commit through the hook, staged dev', () => stage('dev'), 'git', [
      'commit',
      '--quiet',
      '-m',
      'bench',
    ]),
    measure('git commit --no-verify (git alone), staged dev', () => stage('dev'), 'git', [
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      'bench',
    ]),
  ];
  console.log(
    JSON.stringify({
      benchmark: 'pre-commit-hook',
      method:
        'whole processes; wall from spawn to exit, CPU = user + system of the process and its children (/usr/bin/time); cold = first run after a build, then median/min/max of the warm runs',
      machine: { loadAverageAtStart, loadAverageAtEnd: loadAverage() },
      results,
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
