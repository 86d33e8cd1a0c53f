import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '@airspark/tools';
import { writeFileAtomic } from '../hydrate/files.js';
import { chartContentDigest } from './chart-content.js';
import type { ChartRef } from './chart-ref.js';

/**
 * The content-addressed chart cache: `charts/<sha256>.tgz`, plus one small index file per
 * repository/chart/version naming the digest (`charts/index/<repo>/<chart>-<version>.json`), so
 * that concurrent pulls of different charts never rewrite a shared file.
 */
export function chartsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'charts');
}

function indexFile(ref: ChartRef, env: NodeJS.ProcessEnv): string {
  return path.join(
    chartsDir(env),
    'index',
    encodeURIComponent(ref.repoURL),
    `${ref.chart}-${ref.version}.json`,
  );
}

export const blobFile = (digest: string, env: NodeJS.ProcessEnv = process.env) =>
  path.join(chartsDir(env), `${digest.replace(/^sha256:/, '')}.tgz`);

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface CachedChart {
  path: string;
  /** sha256 of the package's bytes: its content address in the cache. */
  digest: string;
  /** sha256 of the files inside (chart-content.ts): what charts.lock.yaml records. */
  contentDigest: string;
}

/**
 * The cached package of a chart, verified against its content address (a corrupted or replaced
 * file is treated as not cached).
 */
export async function cachedChart(
  ref: ChartRef,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedChart | undefined> {
  let recorded: { digest: string; contentDigest?: string };
  try {
    recorded = JSON.parse(await readFile(indexFile(ref, env), 'utf8')) as typeof recorded;
  } catch {
    return undefined;
  }
  const file = blobFile(recorded.digest, env);
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes || sha256(bytes) !== recorded.digest) return undefined;
  // Index entries written before the lock recorded content digests lack one: derive it.
  const contentDigest = recorded.contentDigest ?? (await chartContentDigest(bytes).catch(() => undefined));
  if (!contentDigest) return undefined;
  return { path: file, digest: recorded.digest, contentDigest };
}

/** Stores a verified package: the blob first, then the index entry that points at it. */
export async function storeChart(
  ref: ChartRef,
  bytes: Uint8Array,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedChart> {
  const digest = sha256(bytes);
  const contentDigest = await chartContentDigest(bytes);
  await mkdir(chartsDir(env), { recursive: true });
  const file = blobFile(digest, env);
  await writeFileAtomic(file, Buffer.from(bytes));
  await writeFileAtomic(
    indexFile(ref, env),
    `${JSON.stringify({ ...ref, digest, contentDigest }, null, 2)}\n`,
  );
  return { path: file, digest, contentDigest };
}
