import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTools, run, type Tools } from '@airspark/tools';
import { create } from 'tar';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cachedChart } from '../src/charts/chart-cache.js';
import { chartContentDigest } from '../src/charts/chart-content.js';
import { readLock } from '../src/charts/chart-lock.js';
import { mirrorBaseURL } from '../src/charts/chart-pull.js';
import { pullCharts } from '../src/charts/pull-charts.js';
import { type ChartRepository, startChartRepository } from './chart-repository.js';

let tools: Tools;
let work: string;
let cacheEnv: NodeJS.ProcessEnv;

/** A chart folder `<dir>/<name>/` with a template; `extra` adds or replaces files. */
async function chartFolder(dir: string, name: string, version: string, extra: Record<string, string> = {}) {
  const files: Record<string, string> = {
    'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: ${version}\n`,
    'values.yaml': 'replicas: 1\n',
    'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
    ...extra,
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name, file)), { recursive: true });
    await writeFile(path.join(dir, name, file), text);
  }
}

async function tgz(cwd: string, entries: string[], mtime: Date): Promise<Buffer> {
  const file = path.join(work, `archive-${Math.random().toString(36).slice(2)}.tgz`);
  await create({ gzip: true, file, cwd, portable: true, mtime }, entries);
  return readFile(file);
}

/** A folder mirror the way ../shared/charts is one: helm-packaged archives and a relative index. */
async function folderMirror(name: string, version: string, extra: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(work, 'mirror-'));
  const src = await mkdtemp(path.join(work, 'src-'));
  await chartFolder(src, name, version, extra);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: work,
    HELM_CACHE_HOME: work,
    HELM_CONFIG_HOME: work,
    HELM_DATA_HOME: work,
  };
  expect((await run(tools.helm, ['package', path.join(src, name), '--destination', dir], { env })).code).toBe(
    0,
  );
  expect((await run(tools.helm, ['repo', 'index', dir], { env })).code).toBe(0);
  return dir;
}

beforeAll(async () => {
  tools = await ensureTools();
});
beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'airspark-chartmirror-'));
  cacheEnv = { ...process.env, AIRSPARK_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe('chart content digest', () => {
  it('is the same for two packings of the same files (other times, other gzip), different for other files', async () => {
    const src = path.join(work, 'src');
    await chartFolder(src, 'demo', '1.0.0');
    const a = await tgz(src, ['demo'], new Date('2020-01-01T00:00:00Z'));
    await utimes(path.join(src, 'demo', 'values.yaml'), new Date(), new Date('2024-05-05T00:00:00Z'));
    const b = await tgz(
      src,
      ['demo/values.yaml', 'demo/templates', 'demo/Chart.yaml'],
      new Date('2025-06-01T00:00:00Z'),
    );
    expect(a.equals(b)).toBe(false);
    expect(await chartContentDigest(a)).toBe(await chartContentDigest(b));

    await writeFile(path.join(src, 'demo', 'values.yaml'), 'replicas: 2\n');
    const c = await tgz(src, ['demo'], new Date('2020-01-01T00:00:00Z'));
    expect(await chartContentDigest(c)).not.toBe(await chartContentDigest(a));
  });

  it('counts a dependency packed as charts/<dep>.tgz the same as the dependency vendored as a folder', async () => {
    const vendored = path.join(work, 'vendored');
    await chartFolder(vendored, 'app', '1.0.0');
    await chartFolder(path.join(vendored, 'app', 'charts'), 'dep', '0.1.0');
    const asFolder = await tgz(vendored, ['app'], new Date('2021-01-01T00:00:00Z'));

    const packed = path.join(work, 'packed');
    await chartFolder(packed, 'app', '1.0.0');
    await chartFolder(path.join(work, 'depsrc'), 'dep', '0.1.0');
    const dep = await tgz(path.join(work, 'depsrc'), ['dep'], new Date('2022-02-02T00:00:00Z'));
    await writeFile(path.join(packed, 'app', 'charts', 'dep-0.1.0.tgz'), dep).catch(async () => {
      await mkdir(path.join(packed, 'app', 'charts'), { recursive: true });
      await writeFile(path.join(packed, 'app', 'charts', 'dep-0.1.0.tgz'), dep);
    });
    const asArchive = await tgz(packed, ['app'], new Date('2023-03-03T00:00:00Z'));
    expect(await chartContentDigest(asArchive)).toBe(await chartContentDigest(asFolder));
  });

  it('rejects bytes that are not a gzip tar', async () => {
    await expect(chartContentDigest(Buffer.from('not a chart'))).rejects.toThrow();
  });
});

describe('pnpm charts pull --mirror', () => {
  it('fills the cache for the upstream chart from a folder mirror and locks it by content', async () => {
    const mirror = await folderMirror('demo', '1.0.0');
    // The upstream repository is unreachable (nothing listens on port 9 of loopback): only the mirror is used.
    const ref = { repoURL: 'https://charts.invalid.example', chart: 'demo', version: '1.0.0' };
    const root = await mkdtemp(path.join(work, 'repo-'));
    const first = await pullCharts({ root, refs: [ref], helm: tools.helm, mirror, cacheEnv });
    expect(first.outcomes).toEqual([expect.objectContaining({ status: 'pulled' })]);
    const lock = parse(await readFile(path.join(root, 'charts.lock.yaml'), 'utf8'));
    const cached = await cachedChart(ref, cacheEnv);
    expect(lock.charts).toEqual([{ ...ref, contentDigest: cached?.contentDigest }]);
    expect(cached?.contentDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('accepts a mirror that repacked the upstream files, and refuses one whose files differ', async () => {
    let upstream: ChartRepository | undefined;
    try {
      upstream = await startChartRepository(tools.helm);
      await upstream.publish(
        'demo',
        '1.0.0',
        {
          'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
        },
        'replicas: 1\n',
      );
      const ref = { repoURL: upstream.url, chart: 'demo', version: '1.0.0' };
      const root = await mkdtemp(path.join(work, 'repo-'));
      await pullCharts({ root, refs: [ref], helm: tools.helm, cacheEnv });
      const upstreamBytes = await readFile(path.join(upstream.dir, 'demo-1.0.0.tgz'));
      const locked = (await readLock(root)).entries.get(`${ref.repoURL} demo 1.0.0`);
      expect(locked?.contentDigest).toBe(await chartContentDigest(upstreamBytes));

      // Same files packed again a second later (helm stamps times): other bytes, same content.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const same = await folderMirror('demo', '1.0.0');
      const mirrorBytes = await readFile(path.join(same, 'demo-1.0.0.tgz'));
      expect(mirrorBytes.equals(upstreamBytes)).toBe(false);
      await rm(path.join(work, 'cache'), { recursive: true, force: true });
      const fromMirror = await pullCharts({ root, refs: [ref], helm: tools.helm, mirror: same, cacheEnv });
      expect(fromMirror).toEqual({
        outcomes: [expect.objectContaining({ status: 'pulled' })],
        lockChanged: false,
      });

      const other = await folderMirror('demo', '1.0.0', { 'values.yaml': 'replicas: 5\n' });
      await rm(path.join(work, 'cache'), { recursive: true, force: true });
      const refused = await pullCharts({ root, refs: [ref], helm: tools.helm, mirror: other, cacheEnv });
      expect(refused.outcomes[0]).toMatchObject({
        status: 'failed',
        absent: false,
        error: expect.stringMatching(
          /from the mirror .* the package has content sha256:\w+ but charts\.lock\.yaml records content sha256:/,
        ),
      });
      expect(await cachedChart(ref, cacheEnv)).toBeUndefined();
    } finally {
      await upstream?.close();
    }
  });

  it('reports a chart the mirror does not hold as absent, and a missing mirror folder clearly', async () => {
    const mirror = await folderMirror('demo', '1.0.0');
    const root = await mkdtemp(path.join(work, 'repo-'));
    const lines: string[] = [];
    const absent = await pullCharts({
      root,
      refs: [{ repoURL: 'https://airflow.apache.org', chart: 'airflow', version: '1.22.0' }],
      helm: tools.helm,
      mirror,
      cacheEnv,
      log: (line) => lines.push(line),
    });
    // Progress says "absent", not "failed": whether that is allowed is the caller's to say.
    expect(lines.filter((l) => /^\s+(absent|failed)\s/.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(
      ['absent'],
    );
    expect(absent.outcomes[0]).toMatchObject({
      status: 'failed',
      absent: true,
      error: expect.stringContaining('has no airflow 1.22.0'),
    });
    lines.length = 0;
    const nowhere = await pullCharts({
      root,
      refs: [{ repoURL: 'https://x.example', chart: 'demo', version: '1.0.0' }],
      helm: tools.helm,
      mirror: path.join(work, 'no-such-mirror'),
      cacheEnv,
      log: (line) => lines.push(line),
    });
    expect(lines.some((l) => /^\s+failed\s/.test(l))).toBe(true);
    expect(nowhere.outcomes[0]).toMatchObject({
      status: 'failed',
      absent: false,
      error: expect.stringContaining(
        `cannot read ${path.join(work, 'no-such-mirror', 'index.yaml')}: no such file`,
      ),
    });
  });

  it('keeps honouring a lock written before content digests (package digest), and rewrites it by content', async () => {
    const mirror = await folderMirror('demo', '1.0.0');
    const bytes = await readFile(path.join(mirror, 'demo-1.0.0.tgz'));
    const { createHash } = await import('node:crypto');
    const root = await mkdtemp(path.join(work, 'repo-'));
    const ref = { repoURL: 'https://charts.invalid.example', chart: 'demo', version: '1.0.0' };
    await writeFile(
      path.join(root, 'charts.lock.yaml'),
      `charts:\n  - repoURL: ${ref.repoURL}\n    chart: demo\n    version: 1.0.0\n    digest: sha256:${'0'.repeat(64)}\n`,
    );
    const wrong = await pullCharts({ root, refs: [ref], helm: tools.helm, mirror, cacheEnv });
    expect(wrong.outcomes[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining(`records package sha256:${'0'.repeat(64)}`),
    });
    await writeFile(
      path.join(root, 'charts.lock.yaml'),
      `charts:\n  - repoURL: ${ref.repoURL}\n    chart: demo\n    version: 1.0.0\n    digest: sha256:${createHash('sha256').update(bytes).digest('hex')}\n`,
    );
    const right = await pullCharts({ root, refs: [ref], helm: tools.helm, mirror, cacheEnv });
    expect(right).toEqual({ outcomes: [expect.objectContaining({ status: 'pulled' })], lockChanged: true });
    expect(parse(await readFile(path.join(root, 'charts.lock.yaml'), 'utf8')).charts[0]).toEqual({
      ...ref,
      contentDigest: await chartContentDigest(bytes),
    });
  });

  it('takes a folder or an http(s) URL as the mirror', () => {
    expect(mirrorBaseURL('https://charts.example/mirror')).toBe('https://charts.example/mirror/');
    expect(mirrorBaseURL('../shared/charts', '/work/wt/x')).toBe('file:///work/wt/shared/charts/');
  });
});
