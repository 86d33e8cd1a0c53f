// For the validation benchmark only: puts the upstream charts that a repository pins into the chart
// cache (AIRSPARK_CACHE_DIR) from a local mirror folder, with the renderer's own storeChart, and
// writes that repository's charts.lock.yaml with their digests (writeLock), the way `pnpm charts pull`
// would after downloading them. Run it on a throw-away copy: it rewrites the copy's lock.
//
//   node scripts/bench/fill-chart-cache.mjs REPO_ROOT MIRROR_DIR
//
// Prints `{ cached: ["chart version", ...], missing: [...] }` (pins the mirror does not have).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (pkg) => import(path.join(repoRoot, 'packages', pkg, 'dist/index.js'));
const { loadComponents, loadEnvironments } = await load('config');
const { collectChartRefs, storeChart, writeLock } = await load('render');

const [root, mirror] = process.argv.slice(2);
if (!root || !mirror) {
  process.stderr.write('usage: fill-chart-cache.mjs REPO_ROOT MIRROR_DIR\n');
  process.exit(2);
}
const loaded = await loadEnvironments(root);
const { refs } = await collectChartRefs(root, loaded.environments, await loadComponents(root));
const entries = [];
const cached = [];
const missing = [];
for (const ref of refs) {
  const bytes = await readFile(path.join(mirror, `${ref.chart}-${ref.version}.tgz`)).catch(() => undefined);
  if (!bytes) {
    missing.push(`${ref.chart} ${ref.version}`);
    continue;
  }
  const stored = await storeChart(ref, bytes);
  entries.push({ ...ref, digest: stored.digest });
  cached.push(`${ref.chart} ${ref.version}`);
}
await writeLock(root, entries);
console.log(JSON.stringify({ cached, missing }));
