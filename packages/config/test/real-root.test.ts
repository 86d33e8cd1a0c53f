import { mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapesRepository, realRootOf } from '../src/index.js';

// ADR 0063: the root's real path is resolved once per process, not once per file read.
describe('realRootOf', () => {
  it('resolves a root once and answers later calls from memory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'airspark-real-root-'));
    try {
      const link = `${dir}-link`;
      await symlink(dir, link);
      const first = realRootOf(link);
      expect(realRootOf(link)).toBe(first);
      expect(realRootOf(`${link}/.`)).toBe(first);
      expect(await first).toBe(await realpath(dir));
      // A file below the symlinked root is inside it; one elsewhere is not.
      expect(await escapesRepository(link, path.join(link, 'x'))).toBeUndefined();
      expect(await escapesRepository(link, tmpdir())).toBe(await realpath(tmpdir()));
      await rm(link);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not remember a root that cannot be resolved yet', async () => {
    const missing = path.join(tmpdir(), `airspark-missing-root-${process.pid}`);
    const first = realRootOf(missing);
    expect(await first).toBe(missing);
    expect(realRootOf(missing)).not.toBe(first);
  });
});
