// One local cluster per machine (its bridge, cgroup and kube-proxy's iptables chains are
// machine-wide), so test suites that bring it up, use it or take it down must not overlap: turbo
// runs packages' tests in parallel. A suite holds this lock while it uses the cluster. The lock is
// a folder (mkdir is atomic) holding the owner's PID; a lock whose owner is gone is taken over.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './daemons.js';

export const DEFAULT_LOCK_DIR = '/run/airspark-cluster.lock';

export interface ClusterLockOptions {
  readonly lockDir?: string;
  /** Who holds it, for the message other waiters see. */
  readonly owner?: string;
  readonly log?: (line: string) => void;
  /** Give up after this long (default 60 minutes: another suite may be running a whole platform). */
  readonly timeoutMs?: number;
}

/** Waits for the machine's cluster lock; returns the function that releases it. */
export async function acquireClusterLock(options: ClusterLockOptions = {}): Promise<() => Promise<void>> {
  const lockDir = options.lockDir ?? DEFAULT_LOCK_DIR;
  const ownerFile = path.join(lockDir, 'owner.json');
  const me = {
    pid: process.pid,
    owner: options.owner ?? process.argv.slice(1, 3).join(' '),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  let lastReport = 0;
  for (;;) {
    try {
      await mkdir(lockDir, { mode: 0o700 });
      await writeFile(ownerFile, JSON.stringify(me));
      return async () => {
        const current = await readOwner(ownerFile);
        if (current?.pid === process.pid) await rm(lockDir, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readOwner(ownerFile);
    if (holder && !isAlive(holder.pid)) {
      options.log?.(`taking over the cluster lock of pid ${holder.pid}, which is gone`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!holder) {
      // Just created by someone who has not written its owner yet, or left half-made by a crash.
      await sleep(1000);
      const again = await readOwner(ownerFile);
      if (!again) await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(
        `the local cluster is in use by pid ${holder.pid} (${holder.owner}) since ${holder.since}; gave up waiting`,
      );
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      options.log?.(
        `waiting for the local cluster: in use by pid ${holder.pid} (${holder.owner}) since ${holder.since}`,
      );
    }
    await sleep(2000);
  }
}

async function readOwner(file: string): Promise<{ pid: number; owner: string; since: string } | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
