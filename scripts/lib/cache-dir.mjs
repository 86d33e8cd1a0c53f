// Where airspark keeps downloaded and built tools: outside the repository, shared by every
// worktree and clone on the machine, so that an expensive build (kube-apiserver) happens once.
import os from 'node:os';
import path from 'node:path';

/**
 * `${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airspark}`, as an absolute path.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
export function airsparkCacheDir(env = process.env) {
  if (env.AIRSPARK_CACHE_DIR) return path.resolve(env.AIRSPARK_CACHE_DIR);
  const xdgCache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(xdgCache, 'airspark');
}
