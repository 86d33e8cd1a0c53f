// Whether packages/cli/dist/airspark.bundle.mjs holds the current build. scripts/bundle.mjs writes
// beside it the digest of the build info (`dist/.tsbuildinfo`) of every workspace package it bundled;
// the bundle is current while each of those files still has that content. Contents, not times: turbo
// restores a cached build with fresh modification times in no particular order, which made a current
// bundle look older than the build info restored after it (and every command then loaded ~300
// modules instead of one file). Plain JavaScript: it runs before anything is imported from dist/.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The file beside a bundle that lists the builds it was made from. */
export const buildsFileOf = (bundle) => `${bundle}.builds.json`;

/** @param {Buffer} bytes */
export const digestOf = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** @param {string} repoDir */
export function freshBundle(repoDir) {
  if (process.env.AIRSPARK_NO_BUNDLE === '1') return false;
  const packagesDir = path.join(repoDir, 'packages');
  const bundle = path.join(packagesDir, 'cli', 'dist', 'airspark.bundle.mjs');
  let builds;
  try {
    statSync(bundle);
    builds = JSON.parse(readFileSync(buildsFileOf(bundle), 'utf8')).builds;
  } catch {
    return false;
  }
  if (!builds || typeof builds !== 'object' || Object.keys(builds).length === 0) return false;
  for (const [name, digest] of Object.entries(builds)) {
    try {
      if (digestOf(readFileSync(path.join(packagesDir, name, 'dist', '.tsbuildinfo'))) !== digest)
        return false;
    } catch {
      return false;
    }
  }
  return true;
}
