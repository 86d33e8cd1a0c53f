import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '@airspark/config';

const exec = promisify(execFile);

async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    return (await exec('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string; code?: unknown };
    if (e.code === 'ENOENT') throw new UsageError('git is not installed or not on PATH; pnpm diff needs it.');
    throw new Error(`git ${args[0]} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** The commit a ref names; a ref git does not know is the user's mistake (exit 2). */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new UsageError(`--base "${ref}" is not a git ref.`);
  try {
    return (
      await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    ).trim();
  } catch {
    const inRepo = await git(root, ['rev-parse', '--is-inside-work-tree']).then(
      () => true,
      () => false,
    );
    if (!inRepo)
      throw new UsageError(`${root} is not a git repository; pnpm diff compares against a git ref.`);
    throw new UsageError(
      `--base "${ref}" names no commit here. Use a branch, tag or commit (e.g. origin/main; in a shallow CI clone fetch it first: git fetch origin main).`,
    );
  }
}

/**
 * Files that differ between `commit` and the working tree: tracked changes (staged or not, both
 * sides of a rename) and untracked files that are not ignored.
 */
export async function changedFilesSince(root: string, commit: string): Promise<string[]> {
  const [tracked, untracked] = await Promise.all([
    git(root, ['diff', '--name-only', '--relative', '--no-renames', '-z', commit, '--']),
    git(root, ['ls-files', '--others', '--exclude-standard', '-z']),
  ]);
  const split = (s: string) => s.split('\0').filter(Boolean);
  return [...new Set([...split(tracked), ...split(untracked)])].sort();
}

/** Files staged for the next commit (added, copied, modified, renamed or deleted). */
export async function stagedFiles(root: string): Promise<string[]> {
  const out = await git(root, [
    'diff',
    '--cached',
    '--name-only',
    '--relative',
    '--no-renames',
    '-z',
    '--diff-filter=ACMRD',
  ]);
  return out.split('\0').filter(Boolean).sort();
}

/** Staged files that also have unstaged changes: the hook validates the working tree, not the index. */
export async function partlyStagedFiles(root: string, staged: readonly string[]): Promise<string[]> {
  if (staged.length === 0) return [];
  const out = await git(root, ['diff', '--name-only', '--relative', '-z', '--', ...staged]);
  return out.split('\0').filter(Boolean).sort();
}

export interface Snapshot {
  dir: string;
  commit: string;
  cleanup: () => Promise<void>;
}

function pipeArchive(root: string, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const untar = spawn('tar', ['-x', '-f', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    archive.stderr.on('data', (d) => {
      errors += d;
    });
    untar.stderr.on('data', (d) => {
      errors += d;
    });
    archive.stdout.pipe(untar.stdin);
    archive.on('error', reject);
    untar.on('error', reject);
    let pending = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`${what} of ${commit.slice(0, 12)} failed: ${errors.trim() || `exit ${code}`}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    archive.on('close', done('git archive'));
    untar.on('close', done('unpacking'));
  });
}

/**
 * The tree of `commit` (all of it: a component may read any folder of the repository), extracted to a
 * temporary folder with `git archive`: the user's working tree, index and branches are never touched
 * (a worktree would register itself in .git and outlive an interrupted run).
 */
export async function snapshotAt(root: string, commit: string): Promise<Snapshot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airspark-diff-base-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeArchive(root, commit, dir);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { dir, commit, cleanup };
}
