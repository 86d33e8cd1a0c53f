import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '@airspark/tools';
import { parse } from 'yaml';
import { type CachedChart, sha256, storeChart } from './chart-cache.js';
import { type ChartRef, describeRef, isOci } from './chart-ref.js';

export class ChartPullError extends Error {
  override name = 'ChartPullError';
}

interface IndexEntry {
  version?: string;
  urls?: string[];
  digest?: string;
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
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

/** A classic chart repository: index.yaml names the package URL and its sha256 digest. */
async function pullFromRepository(
  ref: ChartRef,
  timeoutMs: number,
): Promise<{ bytes: Uint8Array; indexDigest: string }> {
  const base = ref.repoURL.endsWith('/') ? ref.repoURL : `${ref.repoURL}/`;
  const index = parse(
    new TextDecoder().decode(await download(new URL('index.yaml', base).href, timeoutMs)),
  ) as {
    entries?: Record<string, IndexEntry[]>;
  };
  const entry = index.entries?.[ref.chart]?.find((e) => e.version === ref.version);
  if (!entry) throw new ChartPullError(`${ref.repoURL}/index.yaml has no ${ref.chart} ${ref.version}.`);
  const url = entry.urls?.[0];
  if (!url)
    throw new ChartPullError(`${ref.repoURL}/index.yaml lists ${ref.chart} ${ref.version} without a URL.`);
  if (!entry.digest || !/^[0-9a-f]{64}$/.test(entry.digest)) {
    throw new ChartPullError(
      `${ref.repoURL}/index.yaml lists ${ref.chart} ${ref.version} without a sha256 digest; refusing an unverifiable package.`,
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
 * Downloads one chart, checks its digest (against the repository index, and against the lock
 * when the lock has an entry) and stores it in the content-addressed cache.
 */
export async function pullChart(
  ref: ChartRef,
  options: { helm: string; lockedDigest?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CachedChart> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bytes = isOci(ref)
    ? await pullFromOci(ref, options.helm, timeoutMs)
    : (await pullFromRepository(ref, timeoutMs)).bytes;
  const digest = sha256(bytes);
  if (options.lockedDigest !== undefined && digest !== options.lockedDigest) {
    throw new ChartPullError(
      `${describeRef(ref)}: the package has ${digest} but charts.lock.yaml records ${options.lockedDigest}; the published chart changed. Refusing it (check upstream, then delete the lock entry deliberately).`,
    );
  }
  return storeChart(ref, bytes, options.env);
}
