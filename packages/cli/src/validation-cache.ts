import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '@airspark/findings';

/**
 * `pnpm validate` renders and checks an environment only when something it depends on changed: the
 * findings of each environment are kept under `<cache>/validate-results/<fingerprint>.json`, where the
 * fingerprint hashes every input of rendering and validation. An edit to one environment's values
 * re-checks that environment alone; a cache miss costs a render, never a wrong answer.
 */

/** Repository paths that every environment's render or validation reads. */
const SHARED_INPUTS = ['apps', 'dags/spark_apps', 'charts.lock.yaml', 'clusters/components.yaml'];

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

async function filesUnder(absolute: string): Promise<string[]> {
  try {
    const entries = await readdir(absolute, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  } catch (error) {
    // A plain file, or nothing there (an input that does not exist hashes as absent).
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [absolute];
    return [];
  }
}

async function hashFiles(hash: ReturnType<typeof createHash>, root: string, files: readonly string[]) {
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      continue;
    }
    hash.update(path.relative(root, file)).update('\0').update(bytes).update('\0');
  }
}

/**
 * The fingerprint of one environment: its folder under clusters/, the components and charts every
 * environment shares, the DAG templates, the chart cache's contents (a chart pulled later renders
 * more) and the build of the toolchain itself.
 */
export async function environmentFingerprint(
  root: string,
  env: string,
  chartCacheDir: string,
): Promise<string> {
  const hash = createHash('sha256');
  const inputs = [path.join(root, 'clusters', env), ...SHARED_INPUTS.map((p) => path.join(root, p))];
  for (const input of inputs) await hashFiles(hash, root, await filesUnder(input));
  await hashFiles(hash, packagesDir, CODE_INPUTS);
  const charts = await filesUnder(chartCacheDir);
  hash.update(charts.map((c) => path.relative(chartCacheDir, c)).join('\n'));
  return hash.digest('hex').slice(0, 40);
}

function resultFile(cacheDir: string, fingerprint: string): string {
  return path.join(cacheDir, 'validate-results', `${fingerprint}.json`);
}

export async function readCachedFindings(
  cacheDir: string,
  fingerprint: string,
): Promise<Finding[] | undefined> {
  try {
    const parsed = JSON.parse(await readFile(resultFile(cacheDir, fingerprint), 'utf8')) as {
      findings?: unknown;
    };
    return Array.isArray(parsed.findings) ? (parsed.findings as Finding[]) : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCachedFindings(
  cacheDir: string,
  fingerprint: string,
  findings: readonly Finding[],
) {
  const file = resultFile(cacheDir, fingerprint);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ findings }));
    await rename(temporary, file);
  } catch {
    // The cache is an optimisation; a read-only disk only costs the next run a render.
  }
}
