// A lock between processes that prepare the same cache folder (three test packages run
// scripts/setup-envtest.mjs at once under `pnpm test`): mkdir is atomic, the holder's pid is written
// inside, and a lock whose holder is gone is taken over. Waiting has no fixed deadline: a cold
// kube-apiserver build on a loaded 2-core machine takes as long as it takes.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * Runs `work` while holding the lock folder `lockDir`.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} work
 * @param {{ onWait?: (holder: string) => void, pollMs?: number }} [options]
 * @returns {Promise<T>}
 */
export async function withDirLock(lockDir, work, options = {}) {
  await mkdir(path.dirname(lockDir), { recursive: true });
  let told = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      const holder = (await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '')).trim();
      if (holder !== '' && !alive(Number(holder))) {
        await rm(lockDir, { recursive: true, force: true }); // its holder died: take it over
        continue;
      }
      if (!told) options.onWait?.(holder || 'starting');
      told = true;
      await sleep(options.pollMs ?? 1000);
    }
  }
  try {
    await writeFile(path.join(lockDir, 'pid'), `${process.pid}\n`);
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
