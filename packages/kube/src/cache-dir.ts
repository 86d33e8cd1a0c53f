import os from 'node:os';
import path from 'node:path';

/**
 * `${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airspark}`: the same rule as
 * scripts/lib/cache-dir.mjs, which fills the cache this package reads.
 */
export function airsparkCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRSPARK_CACHE_DIR) return path.resolve(env.AIRSPARK_CACHE_DIR);
  const xdgCache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(xdgCache, 'airspark');
}
