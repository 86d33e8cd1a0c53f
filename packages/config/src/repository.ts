import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** A mistake in how the command was called (exit code 2), as opposed to a finding in the files. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const CLUSTERS_DIR = 'clusters';
export const ENVIRONMENT_FILE = 'environment.yaml';

export function environmentFile(env: string): string {
  return `${CLUSTERS_DIR}/${env}/${ENVIRONMENT_FILE}`;
}

/** Walks up from `start` to the folder that holds `pnpm-workspace.yaml` and `clusters/`. */
export async function findRepositoryRoot(start: string): Promise<string> {
  let dir = path.resolve(start);
  for (;;) {
    const has = async (name: string) =>
      stat(path.join(dir, name)).then(
        () => true,
        () => false,
      );
    if ((await has('pnpm-workspace.yaml')) && (await has(CLUSTERS_DIR))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new UsageError(
        `${start} is not inside an airspark repository (no pnpm-workspace.yaml with a clusters/ folder above it); run from the repository or pass --root.`,
      );
    }
    dir = parent;
  }
}

/** The environment folders under clusters/, sorted; hidden folders are ignored. */
export async function listEnvironmentNames(root: string): Promise<string[]> {
  const clusters = path.join(root, CLUSTERS_DIR);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(clusters, { withFileTypes: true });
  } catch {
    throw new UsageError(
      `${root} has no ${CLUSTERS_DIR}/ folder; is --root pointing at an airspark repository?`,
    );
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}
