import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withDirLock } from '../../../scripts/lib/dir-lock.mjs';

type Lock = <T>(
  dir: string,
  work: () => Promise<T>,
  options?: { onWait?: (h: string) => void; pollMs?: number },
) => Promise<T>;
const lock = withDirLock as Lock;

/** scripts/setup-envtest.mjs runs in three test packages at once; its preparation is serialised. */
describe('the setup scripts’ folder lock', () => {
  it('lets one holder work at a time, the others wait and then run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'airspark-lock-'));
    const lockDir = path.join(dir, 'envtest.lock');
    const events: string[] = [];
    const waited: string[] = [];
    const job = (name: string) =>
      lock(
        lockDir,
        async () => {
          events.push(`${name} start`);
          await sleep(50);
          events.push(`${name} end`);
        },
        { pollMs: 10, onWait: (holder) => waited.push(holder) },
      );
    await Promise.all([job('a'), job('b'), job('c')]);
    for (let i = 0; i < events.length; i += 2) expect(events[i]?.replace('start', 'end')).toBe(events[i + 1]);
    expect(waited.length).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over a lock whose holder is gone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'airspark-lock-'));
    const lockDir = path.join(dir, 'envtest.lock');
    await mkdir(lockDir);
    await writeFile(path.join(lockDir, 'pid'), '999999999\n');
    expect(await lock(lockDir, async () => 'done', { pollMs: 10 })).toBe('done');
    await rm(dir, { recursive: true, force: true });
  });
});
