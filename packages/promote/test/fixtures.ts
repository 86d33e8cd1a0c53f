import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TempRepo {
  root: string;
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
  edit(file: string, edit: (text: string) => string): Promise<void>;
  git(...args: string[]): string;
  cleanup(): Promise<void>;
}

/**
 * A throw-away copy of the repository's environments (clusters/) in a real git repository with one
 * commit, to promote and break on purpose.
 */
export async function tempRepo(options: { git?: boolean } = {}): Promise<TempRepo> {
  const root = await mkdtemp(path.join(tmpdir(), 'airspark-promote-'));
  await cp(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), { recursive: true });
  await writeFile(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.git !== false) {
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'start');
  }
  const abs = (file: string) => path.join(root, file);
  return {
    root,
    read: (file) => readFile(abs(file), 'utf8'),
    write: async (file, text) => {
      await mkdir(path.dirname(abs(file)), { recursive: true });
      await writeFile(abs(file), text);
    },
    edit: async (file, edit) => writeFile(abs(file), edit(await readFile(abs(file), 'utf8'))),
    git,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index === -1) throw new Error(`"${needle}" not found`);
  return index + 1;
}

/** The lines that differ between two texts of equal line count, as [before, after] pairs. */
export function changedLines(before: string, after: string): [string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error(`line count changed: ${a.length} → ${b.length}`);
  return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i] as string] as [string, string]]));
}

/** Replaces the line `key: old` (first occurrence under the given parent text) in a YAML text. */
export function setLine(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`"${from}" not found`);
  return text.replace(from, to);
}
