import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '@airspark/tools';
import { writeFileAtomic } from '../hydrate/files.js';
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
  digest: string;
}

/**
 * The cached package of a chart, verified against its content address (a corrupted or replaced
 * file is treated as not cached).
 */
export async function cachedChart(
  ref: ChartRef,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedChart | undefined> {
  let digest: string;
  try {
    digest = (JSON.parse(await readFile(indexFile(ref, env), 'utf8')) as { digest: string }).digest;
  } catch {
    return undefined;
  }
  const file = blobFile(digest, env);
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes || sha256(bytes) !== digest) return undefined;
  return { path: file, digest };
}

/** Stores a verified package: the blob first, then the index entry that points at it. */
export async function storeChart(
  ref: ChartRef,
  bytes: Uint8Array,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedChart> {
  const digest = sha256(bytes);
  await mkdir(chartsDir(env), { recursive: true });
  const file = blobFile(digest, env);
  await writeFileAtomic(file, Buffer.from(bytes));
  await writeFileAtomic(indexFile(ref, env), `${JSON.stringify({ ...ref, digest }, null, 2)}\n`);
  return { path: file, digest };
}
