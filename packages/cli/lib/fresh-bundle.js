// Whether packages/cli/dist/airspark.bundle.mjs holds the current build: it must be newer than the
// build info of every workspace package (a package built alone afterwards makes it stale).
// Plain JavaScript: it runs before anything is imported from dist/.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** @param {string} repoDir */
export function freshBundle(repoDir) {
  if (process.env.AIRSPARK_NO_BUNDLE === '1') return false;
  const packagesDir = path.join(repoDir, 'packages');
  let bundled;
  try {
    bundled = statSync(path.join(packagesDir, 'cli', 'dist', 'airspark.bundle.mjs')).mtimeMs;
  } catch {
    return false;
  }
  for (const name of readdirSync(packagesDir)) {
    try {
      if (statSync(path.join(packagesDir, name, 'dist', '.tsbuildinfo')).mtimeMs > bundled) return false;
    } catch {
      // A package without a TypeScript build.
    }
  }
  return true;
}
