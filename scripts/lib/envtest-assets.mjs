// The envtest binaries (kube-apiserver, etcd, kubectl) in a folder usable as KUBEBUILDER_ASSETS:
// where they live, which versions they are, and how to build the two that only exist as Go source
// on the module proxy.
import { execFile } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  buildInWrapperModule,
  downloadModule,
  goDirective,
  localReplaces,
  readGoMod,
  wrapperGoMod,
} from './go-module-build.mjs';

const execFileAsync = promisify(execFile);

export const ENVTEST_BINARIES = /** @type {const} */ (['kube-apiserver', 'etcd', 'kubectl']);

const versionsFile = fileURLToPath(new URL('../../packages/kube/envtest.json', import.meta.url));

/** @returns {Promise<{ kubernetes: string, etcd: string }>} */
export async function pinnedEnvtestVersions() {
  const pins = JSON.parse(await readFile(versionsFile, 'utf8'));
  return { kubernetes: pins.kubernetes, etcd: pins.etcd };
}

/**
 * `<cache>/envtest/<kubernetes version>`, the envtest convention's one-folder-per-version layout.
 * @param {string} cacheDir
 * @param {string} kubernetesVersion
 */
export function envtestDir(cacheDir, kubernetesVersion) {
  return path.join(cacheDir, 'envtest', kubernetesVersion);
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
 * Asks each binary in `dir` for its version; null when absent or not runnable.
 * @param {string} dir
 * @returns {Promise<Record<(typeof ENVTEST_BINARIES)[number], string | null>>}
 */
export async function probeEnvtestVersions(dir) {
  /** @param {string} name @param {string[]} args @param {(out: string) => string | undefined} parse */
  const probe = async (name, args, parse) => {
    const file = path.join(dir, name);
    if (!(await isExecutable(file))) return null;
    try {
      const { stdout } = await execFileAsync(file, args, { timeout: 30_000 });
      return parse(stdout) ?? null;
    } catch {
      return null;
    }
  };
  const [apiserver, etcd, kubectl] = await Promise.all([
    probe('kube-apiserver', ['--version'], (out) => /Kubernetes v(\S+)/.exec(out)?.[1]),
    probe('etcd', ['--version'], (out) => /etcd Version: (\S+)/.exec(out)?.[1]),
    probe('kubectl', ['version', '--client', '--output=json'], (out) =>
      JSON.parse(out).clientVersion?.gitVersion?.replace(/^v/, ''),
    ),
  ]);
  return { 'kube-apiserver': apiserver, etcd, kubectl };
}

/**
 * Builds kube-apiserver from the module proxy. `go install .../cmd/kube-apiserver@v1.x` fails
 * because k8s.io/kubernetes replaces its staging modules with folders of its own repository;
 * the proxy publishes each of them as a module at v0.<minor>.<patch>, so a wrapper module that
 * requires k8s.io/kubernetes and replaces every staging module with that version builds the
 * same source. The version variables are what the Kubernetes release build stamps.
 * @param {{ version: string, outFile: string, workDir: string }} spec
 */
export async function buildKubeApiserver({ version, outFile, workDir }) {
  const tag = `v${version}`;
  const kubernetes = await downloadModule('k8s.io/kubernetes', tag, path.dirname(workDir));
  const upstreamGoMod = await readGoMod(kubernetes.goMod);
  const stagingVersion = tag.replace(/^v1\./, 'v0.');
  const staging = localReplaces(upstreamGoMod);
  if (staging.length === 0)
    throw new Error(
      `k8s.io/kubernetes ${tag} go.mod lists no staging modules; the build recipe needs revisiting`,
    );
  const [major, minor] = version.split('.');
  // The release's publication time stands in for the build date: reproducible and meaningful.
  const buildDate = kubernetes.time ?? '1970-01-01T00:00:00Z';
  const ldflags = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${tag}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${buildDate}`,
  ]);
  await buildInWrapperModule({
    label: 'kube-apiserver',
    workDir,
    goMod: wrapperGoMod({
      name: 'kube-apiserver',
      goVersion: goDirective(upstreamGoMod),
      requires: [{ path: 'k8s.io/kubernetes', version: tag }],
      replaces: staging.map((module) => ({ path: module, version: stagingVersion })),
    }),
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    outFile,
    ldflags,
  });
}

/**
 * Builds etcd from the module proxy. Its server module also carries `replace` directives
 * (to ../api, ../pkg...), so `go install go.etcd.io/etcd/server/v3@v3.x` fails the same way;
 * in a wrapper module those directives are ignored and the sibling modules resolve at the same
 * version from the proxy. The etcd version is compiled into go.etcd.io/etcd/api/v3/version.
 * @param {{ version: string, outFile: string, workDir: string }} spec
 */
export async function buildEtcd({ version, outFile, workDir }) {
  const tag = `v${version}`;
  const server = await downloadModule('go.etcd.io/etcd/server/v3', tag, path.dirname(workDir));
  const upstreamGoMod = await readGoMod(server.goMod);
  const siblings = [
    'go.etcd.io/etcd/api/v3',
    'go.etcd.io/etcd/client/pkg/v3',
    'go.etcd.io/etcd/client/v3',
    'go.etcd.io/etcd/pkg/v3',
  ];
  await buildInWrapperModule({
    label: 'etcd',
    workDir,
    goMod: wrapperGoMod({
      name: 'etcd',
      goVersion: goDirective(upstreamGoMod),
      requires: ['go.etcd.io/etcd/server/v3', ...siblings].map((module) => ({ path: module, version: tag })),
    }),
    pkg: 'go.etcd.io/etcd/server/v3',
    outFile,
    ldflags: ['-X go.etcd.io/etcd/api/v3/version.GitSHA=module-proxy'],
  });
}
