import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { RunOptions, RunResult } from '@airspark/tools';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chartFolderDigest, helmIdentity } from '../src/render/chart-digest.js';
import { type HelmTemplateRequest, helmTemplate } from '../src/render/helm.js';
import {
  HelmOutputCache,
  helmOutputDir,
  isPlainData,
  openEntry,
  openReading,
  sealEntry,
  sealReading,
} from '../src/render/helm-output-cache.js';
import {
  HELM_OUTPUT_FORMAT,
  type HelmOutputInputs,
  helmOutputKey,
  sha256Hex,
} from '../src/render/helm-output-key.js';
import { fastRead, fastSplit, locateIn, splitFromReading } from '../src/render/manifests.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-helm-output-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const request: HelmTemplateRequest = {
  helm: '/usr/bin/helm',
  chart: '/charts/livy',
  releaseName: 'livy',
  namespace: 'livy',
  kubeVersion: '1.35',
  apiVersions: ['karpenter.sh/v1'],
  valueFiles: ['/repo/apps/livy/values.yaml', '/repo/clusters/dev/values/livy.yaml'],
  extraValues: 'image:\n  tag: r1\n',
  parameters: [{ name: 'replicas', value: '2' }],
  skipCrds: false,
  skipTests: false,
  skipSchemaValidation: false,
};
const inputs: HelmOutputInputs = {
  helm: 'helm-v4.1.4',
  chart: 'sha256:chart',
  valueFiles: ['sha256:a', 'sha256:b'],
};
const key = helmOutputKey(request, inputs);

describe('helmOutputKey', () => {
  it('is the same for the same inputs, and for the same contents under other paths', () => {
    expect(helmOutputKey({ ...request }, { ...inputs })).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // helm reads the files' contents, not their names: a scratch copy of the repository shares entries.
    expect(
      helmOutputKey(
        { ...request, chart: '/elsewhere/livy', valueFiles: ['/tmp/x/a.yaml', '/tmp/x/b.yaml'] },
        inputs,
      ),
    ).toBe(key);
  });

  it.each<[string, Partial<HelmTemplateRequest>, Partial<HelmOutputInputs>]>([
    ['a values file content', {}, { valueFiles: ['sha256:a', 'sha256:c'] }],
    ['the values files order', {}, { valueFiles: ['sha256:b', 'sha256:a'] }],
    ['the helm binary', {}, { helm: 'helm-v4.1.5' }],
    ['the chart digest', {}, { chart: 'sha256:other' }],
    ['the API versions of the pass', { apiVersions: [] }, {}],
    ['one more API version', { apiVersions: ['karpenter.sh/v1', 'monitoring.coreos.com/v1'] }, {}],
    ['the namespace', { namespace: 'livy-2' }, {}],
    ['the release name', { releaseName: 'livy-2' }, {}],
    ['the Kubernetes version', { kubeVersion: '1.34' }, {}],
    ['no Kubernetes version', { kubeVersion: undefined }, {}],
    ['valuesObject', { extraValues: 'image:\n  tag: r2\n' }, {}],
    ['no valuesObject', { extraValues: undefined }, {}],
    ['a parameter', { parameters: [{ name: 'replicas', value: '3' }] }, {}],
    ['--set-string', { parameters: [{ name: 'replicas', value: '2', forceString: true }] }, {}],
    ['skipCrds (no --include-crds)', { skipCrds: true }, {}],
    ['skipTests', { skipTests: true }, {}],
    ['skipSchemaValidation', { skipSchemaValidation: true }, {}],
  ])('changes with %s', (_, r, i) => {
    const changed = { ...request, ...r };
    const changedInputs = { ...inputs, ...i };
    expect(helmOutputKey(changed, changedInputs)).not.toBe(key);
  });

  it('refuses a values digest list that does not match the values files', () => {
    expect(() => helmOutputKey(request, { ...inputs, valueFiles: ['sha256:a'] })).toThrow(/one digest per/);
  });
});

describe('entries', () => {
  const output = '---\n# Source: livy/templates/service.yaml\nkind: Service\n';

  it('open to the output they sealed', () => {
    expect(openEntry(key, sealEntry(key, output))?.output).toBe(output);
    expect(openEntry(key, sealEntry(key, ''))?.output).toBe('');
  });

  it.each<[string, (b: Buffer) => Buffer]>([
    ['truncated', (b) => b.subarray(0, b.length - 5)],
    ['cut inside the header', (b) => b.subarray(0, 20)],
    ['empty', () => Buffer.alloc(0)],
    ['edited', (b) => Buffer.from(b.toString('utf8').replace('Service', 'Secret!'))],
    ['longer', (b) => Buffer.concat([b, Buffer.from('\nkind: Extra\n')])],
    [
      'of another format',
      (b) => Buffer.from(b.toString('utf8').replace(HELM_OUTPUT_FORMAT, 'airspark-helm-output/0')),
    ],
    ['a header with one field more', (b) => Buffer.from(b.toString('utf8').replace(' ', '  '))],
    ['without a header line', () => Buffer.from('x'.repeat(600))],
    ['a v8-serialised object (an older experiment left such files)', () => Buffer.from([0xff, 0x0f, 0x6f])],
  ])('are a miss when %s', (_, damage) => {
    expect(openEntry(key, damage(sealEntry(key, output)))).toBeUndefined();
  });

  it('are a miss under another key (a file copied or renamed)', () => {
    expect(openEntry('0'.repeat(64), sealEntry(key, output))).toBeUndefined();
  });
});

describe('HelmOutputCache', () => {
  it('lives in <cache>/helm-output and honours AIRSPARK_CACHE_DIR and XDG_CACHE_HOME', () => {
    expect(helmOutputDir({ AIRSPARK_CACHE_DIR: '/c' })).toBe('/c/helm-output');
    expect(helmOutputDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/airspark/helm-output');
    expect(helmOutputDir({ HOME: '/h' })).toBe('/h/.cache/airspark/helm-output');
  });

  it('answers what was stored; a missing entry is a quiet miss', async () => {
    const problems: string[] = [];
    const cache = new HelmOutputCache({ dir, onProblem: (m) => problems.push(m) });
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, 'kind: A\n');
    expect((await cache.get(key))?.output).toBe('kind: A\n');
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, writes: 1, corrupt: 0 });
    expect(problems).toEqual([]);
    // Only the owner may read it (helm output may carry Secret data from values).
    expect((await stat(cache.file(key))).mode & 0o777).toBe(0o600);
  });

  it('treats a truncated entry as a miss, and a new put rewrites it whole', async () => {
    const cache = new HelmOutputCache({ dir });
    await cache.put(key, 'kind: A\n'.repeat(100));
    await truncate(cache.file(key), 120);
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.stats.corrupt).toBe(1);
    await cache.put(key, 'kind: A\n'.repeat(100));
    expect((await cache.get(key))?.output).toBe('kind: A\n'.repeat(100));
  });

  it('reports an entry it cannot read once, and answers a miss', async () => {
    const problems: string[] = [];
    const cache = new HelmOutputCache({ dir, onProblem: (m) => problems.push(m) });
    await mkdir(cache.file(key), { recursive: true }); // EISDIR on read
    expect(await cache.get(key)).toBeUndefined();
    expect(await cache.get(key)).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot read .*; rendering with helm/);
  });

  it('costs nothing but speed when the folder cannot be written', async () => {
    const problems: string[] = [];
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, '');
    const cache = new HelmOutputCache({
      dir: path.join(blocker, 'helm-output'),
      onProblem: (m) => problems.push(m),
    });
    await cache.put(key, 'kind: A\n');
    await cache.put(key, 'kind: A\n');
    expect(cache.stats.writeFailures).toBe(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot write .*; helm output is not cached/);
    expect(await cache.get(key)).toBeUndefined();
  });

  it('leaves no temporary file behind when the rename fails', async () => {
    const cache = new HelmOutputCache({ dir });
    await mkdir(path.join(cache.file(key), 'occupied'), { recursive: true }); // rename onto a non-empty folder fails
    await cache.put(key, 'kind: A\n');
    expect(cache.stats.writeFailures).toBe(1);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a file name that is not a key', () => {
    expect(() => new HelmOutputCache({ dir }).file('../../etc/passwd')).toThrow(/not a helm output key/);
  });

  it('prunes the least recently used entries to its bound; a hit counts as a use', async () => {
    const payload = 'x'.repeat(1000);
    const keys = ['1', '2', '3', '4'].map((c) => c.repeat(64));
    const writer = new HelmOutputCache({ dir, maxBytes: 1_000_000 });
    for (const k of keys) await writer.put(k, payload);
    // Ages: keys[0] oldest … keys[3] newest; then keys[0] is read (used) now.
    for (const [i, k] of keys.entries()) {
      const t = new Date(Date.now() - (10 - i) * 60_000);
      await utimes(writer.file(k), t, t);
    }
    const cache = new HelmOutputCache({ dir, maxBytes: 2 * 1200 });
    expect((await cache.get(keys[0] as string))?.output).toBe(payload);
    await cache.prune();
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([`${keys[0]}.bin`, `${keys[3]}.bin`]);
    expect(cache.stats.removed).toBe(2);
  });

  it('prunes on the first write of a process and after each eighth of its bound written', async () => {
    const cache = new HelmOutputCache({ dir, maxBytes: 8 * 1200 });
    const keys = '0123456789ab'.split('').map((c) => c.repeat(64));
    for (const k of keys) await cache.put(k, 'y'.repeat(1000));
    // Never more than the bound plus one eighth of it on disk.
    const sizes = await Promise.all(
      (await readdir(dir)).map(async (n) => (await stat(path.join(dir, n))).size),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8 * 1200 + 1200);
    expect(cache.stats.removed).toBeGreaterThan(0);
  });

  it('removes temporary files an interrupted writer left over an hour ago, not a live writer’s', async () => {
    await mkdir(dir, { recursive: true });
    const stale = path.join(dir, `.${key}.123.abcd.tmp`);
    const live = path.join(dir, `.${key}.456.ef01.tmp`);
    await writeFile(stale, 'half');
    await writeFile(live, 'half');
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, old, old);
    await new HelmOutputCache({ dir }).prune();
    expect((await readdir(dir)).sort()).toEqual([path.basename(live)]);
  });

  it('gives concurrent writers and readers whole entries only', async () => {
    // Eight writers of one key with different multi-megabyte outputs, readers polling meanwhile:
    // libuv writes in parallel threads, so a non-atomic write would be seen half-written.
    const outputs = Array.from(
      { length: 8 },
      (_, i) => `# writer ${i}\n${'kind: X\n'.repeat(300_000 + i * 1000)}`,
    );
    const seen = new Set<string | undefined>();
    let writing = true;
    const reader = async () => {
      const cache = new HelmOutputCache({ dir });
      while (writing) seen.add((await cache.get(key))?.output);
    };
    const readers = [reader(), reader()];
    await Promise.all(outputs.map((o) => new HelmOutputCache({ dir }).put(key, o)));
    writing = false;
    await Promise.all(readers);
    for (const s of seen) if (s !== undefined) expect(outputs).toContain(s);
    expect(outputs).toContain((await new HelmOutputCache({ dir }).get(key))?.output);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('chartFolderDigest and helmIdentity', () => {
  it('changes with any file of the chart, subfolders and symlinked files included', async () => {
    const chart = path.join(dir, 'chart');
    await mkdir(path.join(chart, 'templates'), { recursive: true });
    await writeFile(path.join(chart, 'Chart.yaml'), 'name: c\n');
    await writeFile(path.join(chart, 'templates', 'a.yaml'), 'kind: A\n');
    await writeFile(path.join(dir, 'shared.tpl'), '{{- define "x" }}1{{ end }}\n');
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(dir, 'shared.tpl'), path.join(chart, 'templates', '_shared.tpl'));
    await symlink(chart, path.join(chart, 'templates', 'loop'));
    const first = await chartFolderDigest(chart);
    expect(await chartFolderDigest(chart)).toBe(first);
    await writeFile(path.join(dir, 'shared.tpl'), '{{- define "x" }}2{{ end }}\n');
    const second = await chartFolderDigest(chart);
    expect(second).not.toBe(first);
    await writeFile(path.join(chart, 'templates', 'b.yaml'), '');
    expect(await chartFolderDigest(chart)).not.toBe(second);
  });

  it('tells a replaced helm binary apart', async () => {
    const helm = path.join(dir, 'helm');
    await writeFile(helm, '#!/bin/sh\n');
    const first = await helmIdentity(helm);
    await rm(helm);
    await writeFile(helm, '#!/bin/sh\necho v2\n');
    expect(await helmIdentity(helm)).not.toBe(first);
  });
});

describe('helmTemplate with the output cache (a counting runner in place of helm)', () => {
  const manifest =
    '---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
  let calls: { args: readonly string[] }[];
  const runner = async (_: string, args: readonly string[], __: RunOptions): Promise<RunResult> => {
    calls.push({ args });
    return { code: 0, stdout: manifest, stderr: '' };
  };
  let values: string;
  let helm: string;
  let base: HelmTemplateRequest;
  const location = { archive: 'c-1.0.0.tgz', root: '/', errorFile: 'apps/c/component.yaml' };

  beforeEach(async () => {
    calls = [];
    values = path.join(dir, 'values.yaml');
    helm = path.join(dir, 'helm');
    await writeFile(values, 'a: 1\n');
    await writeFile(helm, '#!/bin/sh\n');
    await chmod(helm, 0o755);
    base = {
      helm,
      chart: path.join(dir, 'c-1.0.0.tgz'),
      releaseName: 'c',
      namespace: 'c',
      apiVersions: [],
      valueFiles: [values],
      parameters: [],
    };
  });

  const render = (cache: HelmOutputCache, r: HelmTemplateRequest, chartDigest = 'sha256:c1') =>
    helmTemplate(r, location, { run: runner, outputCache: { cache, chartDigest: async () => chartDigest } });

  it('runs helm once for the same inputs, and again for each single change', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    const first = await render(cache, base);
    const second = await render(cache, base);
    expect(calls).toHaveLength(1);
    expect(second.objects.map((o) => o.text)).toEqual(first.objects.map((o) => o.text));
    expect(second.args).toEqual(first.args);

    await render(cache, { ...base, apiVersions: ['karpenter.sh/v1'] });
    await render(cache, { ...base, namespace: 'other' });
    await render(cache, { ...base, releaseName: 'other' });
    await render(cache, { ...base, kubeVersion: '1.34' });
    await render(cache, base, 'sha256:c2');
    expect(calls).toHaveLength(6);
    await writeFile(values, 'a: 2\n');
    await render(cache, base);
    expect(calls).toHaveLength(7);
    await rm(helm);
    await writeFile(helm, '#!/bin/sh\n# another build\n');
    await render(cache, base);
    expect(calls).toHaveLength(8);
    // The same inputs again are answered from the cache.
    await render(cache, base);
    expect(calls).toHaveLength(8);
  });

  it('stores no failure: a failing render runs helm again and reports its error', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    const failing = async (_: string, args: readonly string[]): Promise<RunResult> => {
      calls.push({ args });
      return { code: 1, stdout: '', stderr: 'Error: template: c/templates/a.yaml:3:4: boom' };
    };
    for (let i = 0; i < 2; i++) {
      const r = await helmTemplate(base, location, {
        run: failing,
        outputCache: { cache, chartDigest: async () => 'sha256:c1' },
      });
      expect(r.findings[0]?.message).toMatch(/helm template failed: .*boom/);
    }
    expect(calls).toHaveLength(2);
    expect(cache.stats.writes).toBe(0);
  });

  it('runs helm without the cache when an input cannot be read (helm then says what is wrong)', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    const gone = { ...base, valueFiles: [path.join(dir, 'missing.yaml')] };
    await render(cache, gone);
    await render(cache, gone);
    expect(calls).toHaveLength(2);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, writes: 0 });
  });

  it('stores nothing when an input changed while helm ran', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    const editing = async (_: string, args: readonly string[]): Promise<RunResult> => {
      calls.push({ args });
      await writeFile(values, `a: ${calls.length + 10}\n`); // saved mid-render
      return { code: 0, stdout: manifest, stderr: '' };
    };
    const edited = () =>
      helmTemplate(base, location, {
        run: editing,
        outputCache: { cache, chartDigest: async () => 'sha256:c1' },
      });
    await edited();
    expect(cache.stats.writes).toBe(0);
    await render(cache, base);
    await render(cache, base);
    expect(calls).toHaveLength(2);
  });

  it('runs helm without the cache when the chart cannot be hashed', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    for (let i = 0; i < 2; i++)
      await helmTemplate(base, location, {
        run: runner,
        outputCache: { cache, chartDigest: async () => undefined },
      });
    expect(calls).toHaveLength(2);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, writes: 0 });
  });

  it('rewrites a damaged entry with helm’s output', async () => {
    const cache = new HelmOutputCache({ dir: path.join(dir, 'cache') });
    await render(cache, base);
    const [entry] = await readdir(cache.dir);
    await writeFile(path.join(cache.dir, entry as string), 'garbage');
    const again = await render(cache, base);
    expect(calls).toHaveLength(2);
    expect(again.objects[0]?.object.kind).toBe('ConfigMap');
    expect(await readFile(path.join(cache.dir, entry as string), 'utf8')).toContain(manifest);
    await render(cache, base);
    expect(calls).toHaveLength(2);
  });
});

describe('stored readings of helm output', () => {
  const output = [
    '---',
    '# Source: c/templates/cm.yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: a',
    'data:',
    '  mode: 0755',
    '  flag: no',
    '  ratio: .nan',
    '---',
    '# Source: c/templates/list.yaml',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - { apiVersion: v1, kind: Secret, metadata: { name: s } }',
    '',
  ].join('\n');
  const digest = sha256Hex(Buffer.from(output));

  it('rebuild the split fastSplit gives: objects, lines, comments, texts, positions', () => {
    const reading = fastRead(output);
    if (!reading) throw new Error('fastRead refused the output');
    const opened = openReading(digest, sealReading(digest, reading) as Buffer);
    if (!opened) throw new Error('the sealed reading did not open');
    const rebuilt = splitFromReading(output, opened);
    const direct = fastSplit(output);
    const plain = (r: typeof rebuilt | undefined) =>
      r?.objects.map(({ object, line, comment, text, listItem }) => ({
        object,
        line,
        comment,
        text,
        listItem,
      }));
    expect(plain(rebuilt)).toEqual(plain(direct));
    // YAML 1.1 values survive V8's round trip exactly (octal 0755 = 493, "no" = false, NaN).
    expect(rebuilt.objects[0]?.object.data).toEqual({ mode: 493, flag: false, ratio: Number.NaN });
    expect(locateIn(rebuilt.objects[0] as never, 'out.yaml', ['data', 'flag'])).toMatchObject({ line: 9 });
    expect(locateIn(rebuilt.objects[1] as never, 'out.yaml', ['kind'])).toMatchObject({ line: 16 });
  });

  it.each<[string, (b: Buffer) => Buffer | undefined, string?]>([
    ['truncated', (b) => b.subarray(0, b.length - 3)],
    ['edited', (b) => Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([(b.at(-1) ?? 0) ^ 1])])],
    ['of another output', (b) => b, 'sha-of-another-output'],
    [
      'written by another V8',
      (b) => Buffer.from(b.toString('latin1').replace(/ v8:\S+ /, ' v8:0.0 '), 'latin1'),
    ],
    ['not a reading', () => sealEntry(key, output)],
  ])('are not used when %s', (_, damage, other) => {
    const reading = fastRead(output) as NonNullable<ReturnType<typeof fastRead>>;
    const sealed = damage(sealReading(digest, reading) as Buffer) as Buffer;
    expect(openReading(other ?? digest, sealed)).toBeUndefined();
  });

  it('are not used when V8 cannot read them, or they hold no reading', () => {
    const v8Garbage = (payload: Buffer) =>
      Buffer.concat([
        Buffer.from(
          `airspark-helm-reading/1 v8:${process.versions.v8} ${digest} ${sha256Hex(payload)} ${payload.length}\n`,
        ),
        payload,
      ]);
    expect(openReading(digest, v8Garbage(Buffer.from([0xff, 0x0f, 0x99, 0x99])))).toBeUndefined();
    expect(
      openReading(digest, v8Garbage(Buffer.from(new Uint8Array(v8.serialize({ values: 1 }))))),
    ).toBeUndefined();
  });

  it('are stored only for plain data (a Buffer would come back as a Uint8Array)', () => {
    expect(isPlainData([{ a: [1, 'x', true, null, undefined, { b: Number.NaN }] }])).toBe(true);
    expect(isPlainData([{ a: Buffer.from('x') }])).toBe(false);
    expect(isPlainData([{ a: new Date(0) }])).toBe(false);
    expect(isPlainData([{ a: () => 1 }])).toBe(false);
    expect(isPlainData([Object.create(null)])).toBe(false);
    expect(sealReading(digest, { values: [{ a: Buffer.from('x') }], segments: [] })).toBeUndefined();
  });

  it('are written next to the entry, used on a hit, and replaced when the output changes', async () => {
    const cache = new HelmOutputCache({ dir });
    const stored = await cache.put(key, output);
    expect(stored).toBe(digest);
    expect(await cache.getReading(key, digest)).toBeUndefined();
    await cache.putReading(key, digest, fastRead(output) as NonNullable<ReturnType<typeof fastRead>>);
    expect((await cache.getReading(key, digest))?.values).toHaveLength(2);
    expect(cache.stats.readingHits).toBe(1);
    // A reading of an earlier output of the same key (a chart that calls randAlphaNum) is not used.
    expect(await cache.getReading(key, sha256Hex('another output'))).toBeUndefined();
    expect(cache.file(key, 'reading')).toBe(path.join(dir, `${key}.reading`));
  });
});
