import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '@airspark/findings';

/**
 * `pnpm validate` renders and checks an environment only when something it depends on changed: the
 * findings of each environment are kept under `<cache>/validate-results/<fingerprint>.json`.
 *
 * What an environment depends on is derived, not listed: the fingerprint hashes the files its
 * hydration declares (clusters/<env>/, each enabled component's folder, source path, values files,
 * values schema and extra sources, the chart lock) plus the inputs every environment shares, reading
 * through symlinks (a symlinked values file is hashed by the content helm reads). After a render, any
 * repository file the rendered objects name that the declared inputs do not cover (a kustomize
 * resource in another folder) is recorded with its hash in the entry, and checked on every later
 * read: a changed or vanished one is a miss. A cache miss costs a render, never a wrong answer.
 */

/** Repository paths that every environment's render or validation reads besides its declared inputs. */
const SHARED_INPUTS = ['dags/spark_apps', 'charts.lock.yaml', 'clusters/components.yaml'];

/**
 * The build of the code that renders and validates (`.tsbuildinfo` changes with every change of it),
 * and the generated schemas it validates against (their lock changes with every regeneration).
 */
const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CODE_INPUTS = [
  ...['config', 'tools', 'render', 'validate', 'findings', 'cli'].map((p) =>
    path.join(packagesDir, p, 'dist', '.tsbuildinfo'),
  ),
  path.join(packagesDir, 'validate', 'schemas', 'lock.json'),
];

/**
 * Every file under `absolute` (or the file itself), following symlinks to files and folders as helm,
 * kustomize and Argo CD do; a folder reached twice (a symlink loop) is walked once.
 *
 * The key of a warm `pnpm validate` stats, lists and reads a few hundred small files one after the
 * other; with the promise API each is several round trips through libuv's thread pool (open, fstat,
 * read, close), which cost more than the reads themselves. Nothing else runs meanwhile, so the
 * synchronous calls are used (ADR 0063).
 */
export async function filesUnder(absolute: string, seen = new Set<string>()): Promise<string[]> {
  return filesUnderSync(absolute, seen);
}

function filesUnderSync(absolute: string, seen: Set<string>): string[] {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(absolute);
  } catch {
    return []; // absent (or a dangling symlink): hashes as absent
  }
  if (!info.isDirectory()) return info.isFile() ? [absolute] : [];
  const real = realpathSync(absolute);
  if (seen.has(real)) return [];
  seen.add(real);
  let names: string[];
  try {
    names = readdirSync(absolute).sort();
  } catch {
    names = [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (name === 'node_modules' || name === '.git') continue;
    out.push(...filesUnderSync(path.join(absolute, name), seen));
  }
  return out;
}

/** Reads a file for hashing; undefined when it cannot be read (absent, a folder, no permission). */
function bytesOf(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function hashFiles(hash: ReturnType<typeof createHash>, root: string, files: readonly string[]): void {
  for (const file of files) {
    const bytes = bytesOf(file);
    if (bytes === undefined) continue;
    hash.update(path.relative(root, file)).update('\0').update(bytes).update('\0');
  }
}

/**
 * The fingerprint of one environment: the files of `declaredInputs` (repository-relative files or
 * folders; default: clusters/<env>/ and apps/), the shared inputs, the chart cache's contents (a
 * chart pulled later renders more) and the build of the toolchain itself.
 */
export async function environmentFingerprint(
  root: string,
  env: string,
  chartCacheDir: string,
  declaredInputs: readonly string[] = [`clusters/${env}/`, 'apps/'],
): Promise<string> {
  const hash = createHash('sha256');
  const inputs = [...new Set([...declaredInputs, ...SHARED_INPUTS])].sort();
  for (const input of inputs) hashFiles(hash, root, filesUnderSync(path.join(root, input), new Set()));
  hashFiles(hash, packagesDir, CODE_INPUTS);
  const charts = filesUnderSync(chartCacheDir, new Set());
  hash.update(charts.map((c) => path.relative(chartCacheDir, c)).join('\n'));
  return hash.digest('hex').slice(0, 40);
}

/** Whether a repository-relative file lies in one of the inputs (files, or folders ending in `/`). */
export function coveredBy(inputs: readonly string[], file: string): boolean {
  return [...inputs, ...SHARED_INPUTS].some((input) => {
    const folder = input.endsWith('/') ? input : `${input}/`;
    return file === input || file.startsWith(folder);
  });
}

/** A repository file the render read outside the declared inputs, with the hash it had. */
export interface ExtraInput {
  file: string;
  sha256: string;
}

async function sha256Of(root: string, file: string): Promise<string> {
  const bytes = bytesOf(path.join(root, file));
  return bytes ? createHash('sha256').update(bytes).digest('hex') : 'absent';
}

/** The files a render named (object sources, configuring files) that the declared inputs miss. */
export async function extraInputsOf(
  root: string,
  declaredInputs: readonly string[],
  named: Iterable<string>,
): Promise<ExtraInput[]> {
  const extra = [...new Set(named)]
    .filter((f) => !f.startsWith('..') && !coveredBy(declaredInputs, f))
    .sort();
  return Promise.all(extra.map(async (file) => ({ file, sha256: await sha256Of(root, file) })));
}

function resultFile(cacheDir: string, fingerprint: string): string {
  return path.join(cacheDir, 'validate-results', `${fingerprint}.json`);
}

export async function readCachedFindings(
  cacheDir: string,
  fingerprint: string,
  root?: string,
): Promise<Finding[] | undefined> {
  try {
    const parsed = JSON.parse(await readFile(resultFile(cacheDir, fingerprint), 'utf8')) as {
      findings?: unknown;
      extraInputs?: ExtraInput[];
    };
    if (!Array.isArray(parsed.findings)) return undefined;
    for (const input of parsed.extraInputs ?? []) {
      if (root === undefined || (await sha256Of(root, input.file)) !== input.sha256) return undefined;
    }
    return parsed.findings as Finding[];
  } catch {
    return undefined;
  }
}

export async function writeCachedFindings(
  cacheDir: string,
  fingerprint: string,
  findings: readonly Finding[],
  extraInputs: readonly ExtraInput[] = [],
) {
  const file = resultFile(cacheDir, fingerprint);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ findings, extraInputs }));
    await rename(temporary, file);
  } catch {
    // The cache is an optimisation; a read-only disk only costs the next run a render.
  }
}
