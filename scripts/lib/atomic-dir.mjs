// Publish a folder all at once: build into a sibling temp folder, then rename it into place, so
// that a reader never sees a half-written folder and an interrupted build leaves only a temp
// folder behind (swept on the next run).
import { chmod, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

const STAGING_MARK = '.staging-';

/**
 * A fresh, empty folder next to `finalDir` (same filesystem, so the final rename is atomic).
 * @param {string} finalDir
 */
export async function makeStagingDir(finalDir) {
  return mkdtemp(path.join(path.dirname(finalDir), `.${path.basename(finalDir)}${STAGING_MARK}`));
}

/**
 * Removes staging folders that earlier, interrupted runs left beside `finalDir`.
 * @param {string} finalDir
 */
export async function sweepStaleStagingDirs(finalDir) {
  const parent = path.dirname(finalDir);
  const prefix = `.${path.basename(finalDir)}${STAGING_MARK}`;
  let entries = [];
  try {
    entries = await readdir(parent);
  } catch {
    return;
  }
  await Promise.all(
    entries
      .filter((name) => name.startsWith(prefix))
      .map((name) => rm(path.join(parent, name), { recursive: true, force: true })),
  );
}

/**
 * Moves `stagingDir` to `finalDir`, replacing an older `finalDir` if there is one.
 * @param {string} stagingDir
 * @param {string} finalDir
 */
export async function publishDir(stagingDir, finalDir) {
  // mkdtemp creates the folder private (0700); the published folder is an ordinary one.
  await chmod(stagingDir, 0o755);
  try {
    await rename(stagingDir, finalDir);
    return;
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  // An older (incomplete or outdated) folder is in the way: move it aside first, then swap.
  const retired = `${stagingDir}.retired`;
  await rename(finalDir, retired);
  await rename(stagingDir, finalDir);
  await rm(retired, { recursive: true, force: true });
}
