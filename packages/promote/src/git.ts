import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class GitError extends Error {
  override name = 'GitError';
}

/** Runs git in `cwd`; a failure carries git's own message, which is what the user needs to see. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string; code?: unknown };
    if (e.code === 'ENOENT') throw new GitError('git is not installed or not on PATH.');
    const detail = (e.stderr ?? '').trim() || e.message;
    throw new GitError(`git ${args[0]} failed: ${detail}`);
  }
}

/** Files with uncommitted changes (staged, unstaged or untracked), as git shows them. */
export async function uncommittedFiles(cwd: string): Promise<string[]> {
  const out = await git(cwd, ['status', '--porcelain=v1', '--untracked-files=all']);
  return out
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3));
}

export async function isInsideWorkTree(cwd: string): Promise<boolean> {
  try {
    return (await git(cwd, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

export async function shortHead(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--short', 'HEAD'])).trim();
}

export async function branchExists(cwd: string, name: string): Promise<boolean> {
  try {
    await git(cwd, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`]);
    return true;
  } catch {
    return false;
  }
}
