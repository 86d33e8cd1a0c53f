import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../src/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Commits in tests get a fixed identity and ignore the machine's git configuration. */
export const gitEnv = {
  GIT_AUTHOR_NAME: 'airspark test',
  GIT_AUTHOR_EMAIL: 'test@airspark.invalid',
  GIT_COMMITTER_NAME: 'airspark test',
  GIT_COMMITTER_EMAIL: 'test@airspark.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/**
 * A throw-away git repository holding a copy of this repository's environments and components
 * (the component test package and anything installed are left out).
 */
export async function repoCopy(folders: readonly string[] = ['clusters', 'apps']) {
  const root = await mkdtemp(path.join(tmpdir(), 'airspark-cli-'));
  const skip = (src: string) =>
    src.split(path.sep).includes('node_modules') || src === path.join(repoRoot, 'apps/test');
  for (const folder of folders) {
    await cp(path.join(repoRoot, folder), path.join(root, folder), {
      recursive: true,
      filter: (src) => !skip(src),
    });
  }
  await writeFile(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  // The chart lock goes with the components: with charts in the cache, a copy without it would
  // refuse to render them.
  await cp(path.join(repoRoot, 'charts.lock.yaml'), path.join(root, 'charts.lock.yaml'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...gitEnv } });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'start');
  const abs = (file: string) => path.join(root, file);
  return {
    root,
    git,
    read: (file: string) => readFile(abs(file), 'utf8'),
    edit: async (file: string, edit: (text: string) => string) =>
      writeFile(abs(file), edit(await readFile(abs(file), 'utf8'))),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Runs a command through `main` with captured output, as the bin would. */
export async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const { main } = await import('../src/main.js');
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    ({ write: (s: string) => into.push(s) > 0 }) as unknown as CliContext['stdout'];
  const ctx: CliContext = { cwd, env: { ...gitEnv, ...env }, stdout: sink(out), stderr: sink(err) };
  const code = await main(argv, ctx);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
