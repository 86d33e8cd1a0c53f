import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A throw-away copy of the repository's environments, to break on purpose. */
export async function copyOfRepository(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'airspark-config-'));
  await cp(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}apps`),
  });
  await writeFile(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Rewrites one environment file of a copy with `edit` applied to its text. */
export async function editEnvironment(
  root: string,
  env: string,
  edit: (text: string) => string | Buffer,
): Promise<void> {
  const file = path.join(root, 'clusters', env, 'environment.yaml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

/** 1-based line of the first line containing `needle` in a text. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index === -1) throw new Error(`"${needle}" not found`);
  return index + 1;
}
