import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireClusterLock } from '../src/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function lockDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-lock-'));
  dirs.push(dir);
  return path.join(dir, 'cluster.lock');
}

describe('acquireClusterLock', () => {
  it('makes a second holder wait until the first releases, then lets it in', async () => {
    const dir = await lockDir();
    const release = await acquireClusterLock({ lockDir: dir, owner: 'first' });
    const lines: string[] = [];
    await expect(
      acquireClusterLock({ lockDir: dir, owner: 'second', timeoutMs: 2500, log: (l) => lines.push(l) }),
    ).rejects.toThrow(/the local cluster is in use by pid \d+ \(first\)/);
    expect(lines[0]).toMatch(/waiting for the local cluster: in use by pid \d+ \(first\)/);
    await release();
    const second = await acquireClusterLock({ lockDir: dir, owner: 'second', timeoutMs: 2500 });
    expect(JSON.parse(await readFile(path.join(dir, 'owner.json'), 'utf8')).owner).toBe('second');
    await second();
  });

  it('takes over a lock whose owner is gone', async () => {
    const dir = await lockDir();
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(dir);
    // PID 2^22 + 1 is above Linux's pid_max limit: no such process can exist.
    await writeFile(
      path.join(dir, 'owner.json'),
      JSON.stringify({ pid: 4194305, owner: 'crashed', since: 'x' }),
    );
    const lines: string[] = [];
    const release = await acquireClusterLock({ lockDir: dir, timeoutMs: 2500, log: (l) => lines.push(l) });
    expect(lines).toEqual(['taking over the cluster lock of pid 4194305, which is gone']);
    await release();
  });
});
