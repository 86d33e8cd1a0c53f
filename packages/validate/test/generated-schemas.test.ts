import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../src/schema/catalog.js';

const lock = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'lock.json'), 'utf8')) as {
  modules: Record<string, { zipSha256: string; goSum: string }>;
  files: Record<string, string>;
};
const sources = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'sources.json'), 'utf8'));

describe('committed schemas', () => {
  it('are exactly what `pnpm schemas:update` generated (no hand edits)', () => {
    for (const [file, sha] of Object.entries(lock.files)) {
      const actual = createHash('sha256')
        .update(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'))
        .digest('hex');
      expect(actual, file).toBe(sha);
    }
  });

  it('come from every pinned source, each with its zip checksum', () => {
    const pinned = [
      ...sources.kubernetes.map((k: { module: string; version: string }) => `${k.module}@${k.version}`),
      `${sources.apiLifecycle.module}@${sources.apiLifecycle.version}`,
      ...sources.crds.map((c: { module: string; version: string }) => `${c.module}@${c.version}`),
    ].sort();
    expect(Object.keys(lock.modules).sort()).toEqual(pinned);
    for (const module of Object.values(lock.modules)) {
      expect(module.zipSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(module.goSum).toMatch(/^h1:/);
    }
  });
});
