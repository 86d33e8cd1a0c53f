import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../src');

/** Every module reachable from a file through relative imports, and the packages they import. */
async function importGraph(entry: string, seen = new Set<string>(), packages = new Set<string>()) {
  if (seen.has(entry)) return packages;
  seen.add(entry);
  const text = await readFile(entry, 'utf8');
  for (const [, specifier] of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
    if (!specifier) continue;
    if (specifier.startsWith('.')) {
      await importGraph(path.resolve(path.dirname(entry), specifier.replace(/\.js$/, '.ts')), seen, packages);
    } else {
      packages.add(specifier);
    }
  }
  return packages;
}

// The renderer and `pnpm validate` import @airspark/infra to read the hand-off; loading cdktf and
// the AWS provider there would cost them seconds on every run.
it('keeps cdktf and the AWS provider out of the public surface', async () => {
  const packages = [...(await importGraph(path.join(src, 'index.ts')))];
  expect(packages.filter((p) => p === 'cdktf' || p.startsWith('@cdktf/') || p === 'constructs')).toEqual([]);
  expect(packages).toContain('@airspark/config');
});
