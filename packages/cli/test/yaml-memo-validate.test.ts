import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoCopy, run } from './repo-copy.js';

const SLOW = 180_000;

// ADR 0064: with the generated-YAML memo warm, a committed Application that differs from a fresh
// hydration is still found, whether the committed file or what it is generated from changed.
describe('validate with the generated-YAML memo', () => {
  let repo: Awaited<ReturnType<typeof repoCopy>>;
  let cacheDir: string;
  const validate = () =>
    run(['validate', '--env', 'local', '--format', 'json'], repo.root, { AIRSPARK_CACHE_DIR: cacheDir });
  const staleFiles = (stdout: string) =>
    (JSON.parse(stdout).findings as { rule: string; file: string }[])
      .filter((f) => f.rule === 'render/stale-application')
      .map((f) => f.file);

  beforeAll(async () => {
    repo = await repoCopy();
    cacheDir = await mkdtemp(path.join(tmpdir(), 'airspark-memo-cache-'));
  }, SLOW);
  afterAll(async () => {
    await repo.cleanup();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it(
    'fills the memo on the first run and finds stale Applications on later runs',
    async () => {
      const first = await validate();
      expect(staleFiles(first.stdout)).toEqual([]);
      await access(path.join(cacheDir, 'generated-yaml.json'));
      // The committed file changed: the memo's text for the unchanged document no longer equals it.
      await repo.edit('clusters/local/apps/livy.yaml', (t) => `${t}# edited by hand\n`);
      expect(staleFiles((await validate()).stdout)).toEqual(['clusters/local/apps/livy.yaml']);
      await repo.edit('clusters/local/apps/livy.yaml', (t) => t.replace('# edited by hand\n', ''));
      expect(staleFiles((await validate()).stdout)).toEqual([]);
      // What it is generated from changed: another document, printed afresh, differs from the file.
      await repo.edit('apps/livy/component.yaml', (t) => t.replace('syncWave: 20', 'syncWave: 21'));
      expect(staleFiles((await validate()).stdout)).toContain('clusters/local/apps/livy.yaml');
    },
    SLOW,
  );
});
