import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from '@airspark/tools';
import { parse } from 'yaml';
import { type CachedChart, sha256, storeChart } from './chart-cache.js';
import { chartContentDigest } from './chart-content.js';
import { type LockEntry, lockedDigest } from './chart-lock.js';
import { type ChartRef, describeRef, isOci } from './chart-ref.js';

export class ChartPullError extends Error {
  override name = 'ChartPullError';
}

/** The repository (or mirror) answered, and its index has no such chart version. */
export class ChartNotInRepositoryError extends ChartPullError {
  override name = 'ChartNotInRepositoryError';
}

interface IndexEntry {
  version?: string;
  urls?: string[];
  digest?: string;
}

/**
 * A chart repository mirror as a base URL: an http(s) URL as it is, a folder (holding index.yaml
 * and the packages, with Helm's index semantics) as a file: URL read directly from disk.
 */
export function mirrorBaseURL(mirror: string, cwd = process.cwd()): string {
  const url = /^https?:\/\//i.test(mirror) ? mirror : pathToFileURL(path.resolve(cwd, mirror)).href;
  return url.endsWith('/') ? url : `${url}/`;
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
  if (url.startsWith('file:')) {
    try {
      return await readFile(fileURLToPath(url));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ChartPullError(
        `cannot read ${fileURLToPath(url)}: ${code === 'ENOENT' ? 'no such file (is the mirror folder right, with an index.yaml?)' : (code ?? (error as Error).message)}`,
      );
    }
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ChartPullError(
      `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (!response.ok) throw new ChartPullError(`${url} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A classic chart repository (or a mirror of one at `base`): index.yaml names the package URL
 * and its sha256 digest. A mirror serves charts by name and version whatever repository (https
 * or OCI) they come from upstream.
 */
async function pullFromRepository(
  ref: ChartRef,
  timeoutMs: number,
  base = ref.repoURL.endsWith('/') ? ref.repoURL : `${ref.repoURL}/`,
): Promise<{ bytes: Uint8Array; indexDigest: string }> {
  const where = base.replace(/\/$/, '');
  let index: { entries?: Record<string, IndexEntry[]> } | null;
  try {
    index = parse(new TextDecoder().decode(await download(new URL('index.yaml', base).href, timeoutMs)));
  } catch (error) {
    if (error instanceof ChartPullError) throw error;
    throw new ChartPullError(`${where}/index.yaml is not valid YAML: ${(error as Error).message}`);
  }
  const entry = index?.entries?.[ref.chart]?.find((e) => e.version === ref.version);
  if (!entry) throw new ChartNotInRepositoryError(`${where}/index.yaml has no ${ref.chart} ${ref.version}.`);
  const url = entry.urls?.[0];
  if (!url) throw new ChartPullError(`${where}/index.yaml lists ${ref.chart} ${ref.version} without a URL.`);
  if (!entry.digest || !/^[0-9a-f]{64}$/.test(entry.digest)) {
    throw new ChartPullError(
      `${where}/index.yaml lists ${ref.chart} ${ref.version} without a sha256 digest; refusing an unverifiable package.`,
    );
  }
  const bytes = await download(new URL(url, base).href, timeoutMs);
  const actual = sha256(bytes);
  if (actual !== `sha256:${entry.digest}`) {
    throw new ChartPullError(
      `${describeRef(ref)}: the package has ${actual} but the repository index says sha256:${entry.digest}; refusing it.`,
    );
  }
  return { bytes, indexDigest: actual };
}

/** An OCI registry: helm pulls it (registry auth and manifests are helm's business). */
async function pullFromOci(ref: ChartRef, helm: string, timeoutMs: number): Promise<Uint8Array> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'airspark-helm-pull-'));
  try {
    const dest = path.join(home, 'out');
    await mkdir(dest); // helm 4 does not create the destination folder
    // Registries on loopback (tests, local mirrors) speak plain HTTP; everything else must be TLS.
    const host = new URL(ref.repoURL.replace(/^oci:/, 'http:')).hostname;
    const plainHttp =
      host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? ['--plain-http'] : [];
    const result = await run(
      helm,
      ['pull', `${ref.repoURL}/${ref.chart}`, '--version', ref.version, '--destination', dest, ...plainHttp],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          HELM_CACHE_HOME: path.join(home, 'cache'),
          HELM_CONFIG_HOME: path.join(home, 'config'),
          HELM_DATA_HOME: path.join(home, 'data'),
        },
        timeoutMs,
      },
    );
    if (result.code !== 0)
      throw new ChartPullError(
        `helm pull ${ref.repoURL}/${ref.chart} ${ref.version} failed: ${result.stderr.trim()}`,
      );
    const [file] = await readdir(dest);
    if (!file) throw new ChartPullError(`helm pull ${ref.repoURL}/${ref.chart} left no package.`);
    return await readFile(path.join(dest, file));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * Downloads one chart (from its repository, or from `mirror`: a base URL from mirrorBaseURL),
 * checks the package against the repository index and its contents against the lock entry when
 * there is one, and stores it in the content-addressed cache under `ref`: a mirrored chart is the
 * upstream chart, proven by its content digest.
 */
export async function pullChart(
  ref: ChartRef,
  options: {
    helm: string;
    locked?: LockEntry;
    mirror?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
  },
): Promise<CachedChart> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bytes =
    options.mirror !== undefined
      ? (await pullFromRepository(ref, timeoutMs, options.mirror)).bytes
      : isOci(ref)
        ? await pullFromOci(ref, options.helm, timeoutMs)
        : (await pullFromRepository(ref, timeoutMs)).bytes;
  const locked = options.locked;
  if (locked) {
    const actual =
      locked.contentDigest !== undefined
        ? `content ${await chartContentDigest(bytes).catch((e: Error) => `unreadable (${e.message})`)}`
        : `package ${sha256(bytes)}`;
    if (actual !== lockedDigest(locked)) {
      throw new ChartPullError(
        `${describeRef(ref)}${options.mirror !== undefined ? ` (from the mirror ${options.mirror})` : ''}: the package has ${actual} but charts.lock.yaml records ${lockedDigest(locked)}; the published chart changed. Refusing it (check upstream, then delete the lock entry deliberately).`,
      );
    }
  }
  try {
    return await storeChart(ref, bytes, options.env);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    throw new ChartPullError(
      `${describeRef(ref)}: the package is not a readable chart archive: ${(error as Error).message}`,
    );
  }
}
