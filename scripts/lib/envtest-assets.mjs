// The envtest binaries (kube-apiserver, etcd, kubectl) in a folder usable as KUBEBUILDER_ASSETS:
// where they live, which versions they are, and how to build the two that only exist as Go source
// on the module proxy.
import { execFile } from 'node:child_process';
import { access, constants, copyFile, link, readFile, rename } from 'node:fs/promises';
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

/** The Kubernetes commands a one-node cluster runs, built together by setup-cluster.mjs. */
export const KUBERNETES_COMMANDS = /** @type {const} */ ([
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
]);

/**
 * `<cache>/cluster/<kubernetes version>`: the local cluster's binaries, one folder per version.
 * @param {string} cacheDir
 * @param {string} kubernetesVersion
 */
export function clusterBinariesDir(cacheDir, kubernetesVersion) {
  return path.join(cacheDir, 'cluster', kubernetesVersion);
}

/** @type {Record<string, { args: string[], parse: (out: string) => string | undefined }>} */
const VERSION_PROBES = {
  etcd: { args: ['--version'], parse: (out) => /etcd Version: (\S+)/.exec(out)?.[1] },
  kubectl: {
    args: ['version', '--client', '--output=json'],
    parse: (out) => JSON.parse(out).clientVersion?.gitVersion?.replace(/^v/, ''),
  },
};
const KUBERNETES_PROBE = {
  args: ['--version'],
  parse: (/** @type {string} */ out) => /Kubernetes v(\S+)/.exec(out)?.[1],
};

/**
 * Asks each named binary in `dir` for its version; null when absent or not runnable.
 * @param {string} dir
 * @param {readonly string[]} names
 * @returns {Promise<Record<string, string | null>>}
 */
export async function probeVersions(dir, names) {
  const answers = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      if (!(await isExecutable(file))) return null;
      const { args, parse } = VERSION_PROBES[name] ?? KUBERNETES_PROBE;
      try {
        const { stdout } = await execFileAsync(file, args, { timeout: 30_000 });
        return parse(stdout) ?? null;
      } catch {
        return null;
      }
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, answers[i] ?? null]));
}

/**
 * "name version" per wanted binary, with the pin where the found version differs (progress lines).
 * @param {Record<string, string | null>} found
 * @param {Record<string, string>} wanted
 */
export function describeVersions(found, wanted) {
  return Object.entries(wanted)
    .map(
      ([name, version]) =>
        `${name} ${found[name] ?? 'missing'}${found[name] && found[name] !== version ? ` (pinned ${version})` : ''}`,
    )
    .join(', ');
}

/**
 * Puts a binary that is already good into a staging folder: a hard link when the file system
 * allows it (no copy of a 100 MB binary), a copy otherwise.
 * @param {string} from
 * @param {string} to
 */
export async function linkOrCopy(from, to) {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * Asks each envtest binary in `dir` for its version; null when absent or not runnable.
 * @param {string} dir
 * @returns {Promise<Record<(typeof ENVTEST_BINARIES)[number], string | null>>}
 */
export async function probeEnvtestVersions(dir) {
  const found = await probeVersions(dir, ENVTEST_BINARIES);
  return {
    'kube-apiserver': found['kube-apiserver'] ?? null,
    etcd: found.etcd ?? null,
    kubectl: found.kubectl ?? null,
  };
}

/**
 * Builds Kubernetes commands from the module proxy. `go install .../cmd/kube-apiserver@v1.x` fails
 * because k8s.io/kubernetes replaces its staging modules with folders of its own repository;
 * the proxy publishes each of them as a module at v0.<minor>.<patch>, so a wrapper module that
 * requires k8s.io/kubernetes and replaces every staging module with that version builds the
 * same source. The version variables are what the Kubernetes release build stamps. All commands
 * go through ONE `go build`, so the packages they share compile once.
 * @param {{ version: string, commands: string[], outDir: string, workDir: string, label?: string }} spec
 */
export async function buildKubernetesCommands({ version, commands, outDir, workDir, label }) {
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
    label: label ?? commands.join(', '),
    workDir,
    goMod: wrapperGoMod({
      // The same module name as every other Kubernetes build here, so Go's build cache is shared.
      name: 'k8s',
      goVersion: goDirective(upstreamGoMod),
      requires: [{ path: 'k8s.io/kubernetes', version: tag }],
      replaces: staging.map((module) => ({ path: module, version: stagingVersion })),
    }),
    pkgs: commands.map((command) => `k8s.io/kubernetes/cmd/${command}`),
    outDir,
    ldflags,
  });
}

/**
 * Builds kube-apiserver alone (the envtest folder needs no other Kubernetes command).
 * @param {{ version: string, outFile: string, workDir: string }} spec
 */
export async function buildKubeApiserver({ version, outFile, workDir }) {
  const outDir = path.join(workDir, 'bin');
  await buildKubernetesCommands({
    version,
    commands: ['kube-apiserver'],
    outDir,
    workDir,
    label: 'kube-apiserver',
  });
  await rename(path.join(outDir, 'kube-apiserver'), outFile);
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
