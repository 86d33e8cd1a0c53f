import os from 'node:os';
import path from 'node:path';

/**
 * The airspark cache outside the repository (decided project-wide):
 * `${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airspark}`.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRSPARK_CACHE_DIR) return path.resolve(env.AIRSPARK_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(xdg, 'airspark');
}
