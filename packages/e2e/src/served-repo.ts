// The repository Argo CD reads in the e2e: a bare copy of this checkout's HEAD as branch `main`
// (what the local environment's Applications track), served by the Git mirror, and a working
// clone in which the e2e makes commits the way a platform engineer would (edit, render, commit,
// push), pushing through the file system.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { run } from '@airspark/tools';

/** The e2e's commits carry their own identity and ignore the user's git configuration. */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'airspark e2e',
  GIT_AUTHOR_EMAIL: 'e2e@airspark.invalid',
  GIT_COMMITTER_NAME: 'airspark e2e',
  GIT_COMMITTER_EMAIL: 'e2e@airspark.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export class GitError extends Error {
  override readonly name = 'GitError';
}

export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const r = await run('git', args, { cwd, env: GIT_ENV });
  if (r.code !== 0) throw new GitError(`git ${args.join(' ')} (in ${cwd}) failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export interface ServedRepository {
  /** Folder of bare repositories the Git server serves. */
  readonly servedRoot: string;
  /** The working clone the scenarios commit in. */
  readonly clone: string;
  /** Commit the served `main` points at. */
  head(): Promise<string>;
  /** Commits everything changed in the clone and pushes it to the served `main`; returns the commit. */
  commitAndPush(message: string): Promise<string>;
}

/**
 * Serves `checkout`'s HEAD as `<servedRoot>/<name>.git` branch main. Uncommitted changes are not
 * served (Argo CD reads commits): `dirty` lists them so the caller can say so.
 */
export async function serveCheckout(
  checkout: string,
  workDir: string,
  name: string,
): Promise<ServedRepository & { dirty: string[] }> {
  const servedRoot = path.join(workDir, 'git');
  const bare = path.join(servedRoot, `${name}.git`);
  const clone = path.join(workDir, 'clone');
  await mkdir(servedRoot, { recursive: true });
  await git(servedRoot, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  await git(checkout, ['push', '--quiet', '--force', bare, 'HEAD:refs/heads/main']);
  await git(workDir, ['clone', '--quiet', '--branch', 'main', bare, clone]);
  const dirty = (await git(checkout, ['status', '--porcelain', '--untracked-files=no']))
    .split('\n')
    .filter(Boolean);
  return {
    servedRoot,
    clone,
    dirty,
    head: () => git(bare, ['rev-parse', 'refs/heads/main']),
    async commitAndPush(message) {
      await git(clone, ['add', '--all']);
      await git(clone, ['commit', '--quiet', '-m', message]);
      await git(clone, ['push', '--quiet', 'origin', 'HEAD:main']);
      return git(clone, ['rev-parse', 'HEAD']);
    },
  };
}
