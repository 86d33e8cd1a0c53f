import { chmod, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvironment } from '@airspark/config';
import { ensureTools, type Tools } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmOutputCache } from '../src/render/helm-output-cache.js';
import { type EnvironmentRender, renderEnvironment } from '../src/render/render-environment.js';
import { type FixtureRepo, fixtureRepo, writeKustomizeAndDirectory, writeLocalChart } from './fixture.js';

// renderEnvironment with the real helm behind a wrapper that counts its runs: the cache is judged by
// whether helm ran, and by the objects being those a run of helm gives.
let repo: FixtureRepo;
let tools: Tools;
let counter: string;
let cache: HelmOutputCache;

async function helmRuns(): Promise<number> {
  return (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
}

async function renderDev(extra: { helmOutputCache?: HelmOutputCache; tools?: Tools } = {}) {
  const loaded = await loadEnvironment(repo.root, 'dev');
  if (!loaded.environment) throw new Error(JSON.stringify(loaded.findings));
  return renderEnvironment({
    root: repo.root,
    env: loaded.environment,
    tools,
    helmOutputCache: cache,
    ...extra,
  });
}

const texts = (r: EnvironmentRender) => r.objects.filter((o) => o.app === 'livy').map((o) => o.text);

async function countingHelm(name: string, real: string): Promise<string> {
  // helm gets a fixed environment (helm.ts), so the counter's path is written into the script.
  const wrapper = path.join(repo.root, name);
  await writeFile(wrapper, `#!/bin/sh\necho run >> '${counter}'\nexec '${real}' "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

beforeAll(async () => {
  const real = await ensureTools();
  repo = await fixtureRepo();
  await writeLocalChart(repo);
  await writeKustomizeAndDirectory(repo);
  counter = path.join(repo.root, 'helm-runs.txt');
  tools = { ...real, helm: await countingHelm('helm-counting', real.helm) };
  cache = new HelmOutputCache({ dir: path.join(repo.root, '.cache', 'helm-output') });
});
afterAll(() => repo.cleanup());

describe('renderEnvironment with a helm output cache (real helm, counted)', () => {
  let first: EnvironmentRender;

  it('runs helm on the first render and not on a second with the same inputs', async () => {
    first = await renderDev();
    expect(first.findings).toEqual([]);
    const afterFirst = await helmRuns();
    expect(afterFirst).toBeGreaterThan(0);
    const readingsBefore = cache.stats.readingHits;
    const second = await renderDev();
    expect(await helmRuns()).toBe(afterFirst);
    // The objects come from the stored reading of each output, not from reading the YAML again.
    expect(cache.stats.readingHits).toBeGreaterThan(readingsBefore);
    expect(texts(second)).toEqual(texts(first));
    expect(second.objects.map((o) => [o.renderedPath, o.source])).toEqual(
      first.objects.map((o) => [o.renderedPath, o.source]),
    );
    expect(second.findings).toEqual(first.findings);
    // Positions inside objects still come from the document's own syntax tree.
    const at = (r: EnvironmentRender) =>
      r.objects
        .find((o) => o.app === 'livy' && o.object.kind === 'Deployment')
        ?.locate?.(['spec', 'replicas']);
    expect(at(second)).toEqual(at(first));
    expect(at(second)?.file).toBe('apps/livy/values.yaml');
  });

  it('runs helm again when a values file changes, and renders the new value', async () => {
    const before = await helmRuns();
    await repo.write('apps/livy/values.yaml', 'replicas: 3\n');
    const changed = await renderDev();
    expect(await helmRuns()).toBe(before + 1);
    const deployment = changed.objects.find((o) => o.app === 'livy' && o.object.kind === 'Deployment');
    expect((deployment?.object.spec as { replicas?: number } | undefined)?.replicas).toBe(3);
    await repo.write('apps/livy/values.yaml', 'replicas: 2\n');
    // Back to the first inputs: the first output answers again.
    expect(texts(await renderDev())).toEqual(texts(first));
    expect(await helmRuns()).toBe(before + 1);
  });

  it('runs helm again when a template of the local chart changes', async () => {
    const before = await helmRuns();
    const file = 'apps/livy/chart/templates/extra.yaml';
    await repo.write(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: livy-extra\ndata: {}\n');
    const changed = await renderDev();
    expect(await helmRuns()).toBe(before + 1);
    expect(
      changed.objects.some((o) => o.object.kind === 'ConfigMap' && o.renderedPath.includes('livy-extra')),
    ).toBe(true);
    await writeFile(path.join(repo.root, file), '');
  });

  it('renders with helm when an entry is truncated, and rewrites it', async () => {
    const clean = await renderDev();
    const before = await helmRuns();
    for (const name of await readdir(cache.dir)) await truncate(path.join(cache.dir, name), 10);
    const again = await renderDev();
    expect(await helmRuns()).toBe(before + 1);
    expect(texts(again)).toEqual(texts(clean));
    await renderDev();
    expect(await helmRuns()).toBe(before + 1);
  });

  it('misses for another helm binary', async () => {
    const before = await helmRuns();
    const other = { ...tools, helm: await countingHelm('helm-counting-2', (await ensureTools()).helm) };
    await renderDev({ tools: other });
    expect(await helmRuns()).toBe(before + 1);
  });

  it('runs helm on every render without a cache (bootstrap, pnpm render)', async () => {
    const before = await helmRuns();
    const loaded = await loadEnvironment(repo.root, 'dev');
    if (!loaded.environment) throw new Error('dev');
    await renderEnvironment({ root: repo.root, env: loaded.environment, tools });
    await renderEnvironment({ root: repo.root, env: loaded.environment, tools });
    expect(await helmRuns()).toBe(before + 2);
  });
});
